// The chaos campaigns' private Redis and PostgreSQL: acknowledged data and already-connected clients survive a crash restart.
import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  portOpen,
  startPrivatePostgres,
  startPrivateRedis,
  type PrivatePostgres,
  type PrivateRedis,
} from '../../chaos/services.js';
import { createDb, type Sql } from '../../src/store/db.js';

let redis: PrivateRedis | undefined;
let pg: PrivatePostgres | undefined;

beforeAll(async () => {
  let t = Date.now();
  redis = await startPrivateRedis();
  const redisStartMs = Date.now() - t;
  t = Date.now();
  pg = await startPrivatePostgres();
  const postgresStartMs = Date.now() - t;
  console.log(JSON.stringify({ metric: 'chaos-services-start', redisStartMs, postgresStartMs }));
});
afterAll(async () => {
  await redis?.stop();
  await pg?.stop();
});

describe('private Redis', () => {
  it('runs on its own port, not the shared one', () => {
    expect(redis!.port).not.toBe(6379);
    expect(redis!.url).toBe(`redis://127.0.0.1:${redis!.port}`);
  });

  it('keeps every acknowledged write across a SIGKILL restart, and a client connected before it works again', async () => {
    const client = new Redis(redis!.url); // default options: reconnects and queues commands while Redis is down
    client.on('error', () => {}); // ECONNREFUSED while it is down
    try {
      await client.set('chaos:key', 'kept');
      const replies = await client.pipeline(Array.from({ length: 500 }, () => ['incr', 'chaos:counter'])).exec();
      expect(replies).toHaveLength(500);
      const { downMs } = await redis!.restart({ downMs: 300 });
      console.log(JSON.stringify({ metric: 'chaos-services-restart', server: 'redis', downMs }));
      expect(downMs).toBeGreaterThanOrEqual(300);
      expect(await client.get('chaos:key')).toBe('kept');
      expect(await client.get('chaos:counter')).toBe('500');
      const fresh = new Redis(redis!.url);
      try {
        expect(await fresh.get('chaos:key')).toBe('kept');
      } finally {
        fresh.disconnect();
      }
      const quick = await redis!.restart({ downMs: 0 });
      console.log(JSON.stringify({ metric: 'chaos-services-restart', server: 'redis', downMs: quick.downMs }));
      expect(await client.incr('chaos:counter')).toBe(501);
    } finally {
      client.disconnect();
    }
  });
});

describe('private PostgreSQL', () => {
  let sql: Sql;
  beforeAll(() => {
    sql = createDb(pg!.url, { max: 4 });
  });
  afterAll(async () => {
    await sql?.end({ timeout: 1 });
  });

  it('runs on its own port with trust auth as postgres', async () => {
    expect(pg!.port).not.toBe(5432);
    expect(pg!.url).toBe(`postgres://postgres@127.0.0.1:${pg!.port}/postgres`);
    const [row] = await sql<{ user: string }[]>`select current_user as user`;
    expect(row?.user).toBe('postgres');
  });

  for (const mode of ['kill', 'immediate'] as const) {
    it(`keeps every committed row across a crash restart (${mode}), and the pool connected before it works again`, async () => {
      const table = `chaos_${mode}`;
      await sql`create table ${sql(table)} (id int primary key, note text not null)`;
      await Promise.all(
        Array.from({ length: 200 }, (_, i) => sql`insert into ${sql(table)} ${sql({ id: i, note: `row ${i}` })}`),
      );
      const { downMs } = await pg!.restart({ downMs: 300, mode });
      console.log(JSON.stringify({ metric: 'chaos-services-restart', server: 'postgres', mode, downMs }));
      expect(downMs).toBeGreaterThanOrEqual(300);
      const [count] = await sql<{ n: number }[]>`select count(*)::int as n from ${sql(table)}`;
      expect(count?.n).toBe(200);
      const [row] = await sql<{ note: string }[]>`select note from ${sql(table)} where id = 199`;
      expect(row?.note).toBe('row 199');
      await sql`insert into ${sql(table)} ${sql({ id: 200, note: 'after' })}`;
      const quick = await pg!.restart({ downMs: 0, mode });
      console.log(JSON.stringify({ metric: 'chaos-services-restart', server: 'postgres', mode, downMs: quick.downMs }));
      const [after] = await sql<{ n: number }[]>`select count(*)::int as n from ${sql(table)}`;
      expect(after?.n).toBe(201);
    });
  }
});

describe('stop', () => {
  it('closes both ports and removes the private folders', async () => {
    const r = redis!;
    const p = pg!;
    expect(await portOpen(r.port)).toBe(true);
    expect(await portOpen(p.port)).toBe(true);
    await r.stop();
    await p.stop();
    await r.stop(); // idempotent
    expect(await portOpen(r.port)).toBe(false);
    expect(await portOpen(p.port)).toBe(false);
    expect(existsSync(r.dir)).toBe(false);
    expect(existsSync(p.dir)).toBe(false);
    await expect(r.restart()).rejects.toThrow(/stopped/);
  });
});
