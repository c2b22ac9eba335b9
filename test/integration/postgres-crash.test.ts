// PostgreSQL crashing under load must not crash or hang a Legwork process: postgres.js 3.4.9 either threw an
// uncatchable TypeError (nextWrite on a closed socket) or, with the upstream guard alone, left queries and reserve()
// pending forever. With patches/postgres+3.4.9.patch and the bounded reserve, every call settles (value or error).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivatePostgres, type PrivatePostgres } from '../../chaos/services.js';
import { createDb, inTransaction, reserveWithin, type Sql } from '../../src/store/db.js';
import { within } from '../../src/util/within.js';

let pg: PrivatePostgres;
let sql: Sql;
beforeAll(async () => {
  pg = await startPrivatePostgres();
  sql = createDb(pg.url, { max: 5 });
  await sql`create table t (n int)`;
}, 60_000);
afterAll(async () => {
  await sql?.end({ timeout: 1 }).catch(() => {});
  await pg?.stop();
});

describe('PostgreSQL crashes under load', () => {
  it('queries, transactions and reserved connections all settle; the pool works again afterwards', async () => {
    const pending = new Map<number, { since: number; kind: string }>();
    const counts = { ok: 0, failed: 0 };
    let n = 0;
    const stopAt = Date.now() + 9_000;
    const worker = async () => {
      while (Date.now() < stopAt) {
        const id = n++;
        const kind = ['query', 'transaction', 'reserved'][id % 3]!;
        pending.set(id, { since: Date.now(), kind });
        try {
          if (kind === 'query') await sql`select pg_sleep(0.005), ${id}::int`;
          else if (kind === 'transaction') await inTransaction(sql, async (tx) => void (await tx`insert into t values (${id})`));
          else {
            const r = await reserveWithin(sql, 3000);
            try {
              await within(r`select pg_sleep(0.01)`.execute(), 3000, 'reserved query');
            } finally {
              r.release();
            }
          }
          counts.ok += 1;
        } catch {
          counts.failed += 1;
          await new Promise((r) => setTimeout(r, 20));
        }
        pending.delete(id);
      }
    };
    const workers = Array.from({ length: 12 }, worker);
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 1200));
      await pg.restart({ downMs: 200 + i * 100 });
    }
    await Promise.race([Promise.all(workers), new Promise((r) => setTimeout(r, 20_000))]);
    expect([...pending.values()]).toEqual([]);
    expect(counts.ok).toBeGreaterThan(100);
    expect(counts.failed).toBeGreaterThan(0); // the crashes were felt
    expect((await sql<{ one: number }[]>`select 1 as one`)[0]?.one).toBe(1);
  }, 60_000);
});
