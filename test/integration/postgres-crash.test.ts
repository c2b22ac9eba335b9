// PostgreSQL crashing under load must not crash or hang a Legwork process: postgres.js 3.4.9 either threw an
// uncatchable TypeError (nextWrite on a closed socket) or, with the upstream guard alone, left queries and reserve()
// pending forever. With patches/postgres+3.4.9.patch and the bounded reserve, every call settles (value or error).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivatePostgres, type PrivatePostgres } from '../../chaos/services.js';
import { createDb, inTransaction, reserveWithin, waitForDatabase, type Sql } from '../../src/store/db.js';
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
          else if (kind === 'transaction')
            await inTransaction(sql, async (tx) => void (await tx`insert into t values (${id})`));
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

  it('a reserved connection that dies under its holder: the holder’s next query fails, its release leaves the pool whole', async () => {
    const one = createDb(pg.url, { max: 1 });
    try {
      await one`select 1`;
      const r = await reserveWithin(one, 3000);
      await pg.restart({ downMs: 300 });
      await expect(within(r`select ${1}::int as one`.execute(), 5000, 'the holder query')).rejects.toMatchObject({
        code: 'CONNECTION_CLOSED',
      });
      r.release();
      // postgres.js 3.4.9 put the dead connection back in its open queue on release: every later query failed
      const [row] = await within(one<{ two: number }[]>`select ${2}::int as two`.execute(), 10_000, 'a query after');
      expect(row?.two).toBe(2);
    } finally {
      await one.end({ timeout: 1 }).catch(() => {});
    }
  }, 60_000);

  it('a transaction whose connection dies: its later statements fail, never run elsewhere; the pool serves on', async () => {
    const one = createDb(pg.url, { max: 1 });
    try {
      await one`select 1`;
      const later: string[] = [];
      let body: Promise<void> | undefined;
      const outcome = one
        .begin((tx) => {
          body = (async () => {
            await tx`insert into t values (${-1})`;
            await pg.restart({ downMs: 300 });
            // The transaction failed the moment its connection closed; the rest of its body still runs
            for (const n of [-2, -3])
              await tx`insert into t values (${n})`.then(
                () => void later.push(`${n} ran`),
                (e: unknown) => void later.push(`${n} ${(e as { code?: string }).code}`),
              );
          })();
          return body;
        })
        .then(
          () => 'committed',
          (e: unknown) => String((e as { code?: string }).code),
        );
      expect(await within(outcome, 10_000, 'the transaction')).toBe('CONNECTION_CLOSED');
      await within(body!, 10_000, 'the rest of the transaction body');
      expect(later).toEqual(['-2 CONNECTION_CLOSED', '-3 CONNECTION_CLOSED']);
      // postgres.js 3.4.9 ran them on the dead connection and parked it in its full queue: the next query waited forever
      const rows = await within(one<{ n: number }[]>`select n from t where n < 0`.execute(), 10_000, 'a query after');
      expect(rows.map((r) => r.n)).toEqual([]);
    } finally {
      await one.end({ timeout: 1 }).catch(() => {});
    }
  }, 60_000);

  it('waitForDatabase waits out a restart instead of failing; a wrong database name fails at once', async () => {
    const restarting = pg.restart({ downMs: 1500 });
    await new Promise((r) => setTimeout(r, 100));
    const waits: string[] = [];
    const started = Date.now();
    const fresh = createDb(pg.url, { max: 1 }); // a worker starting while the server is down
    await waitForDatabase(fresh, 30_000, (e) => waits.push(String((e as { code?: string }).code)));
    await restarting;
    expect(Date.now() - started).toBeGreaterThan(1000);
    expect(waits).toEqual(['ECONNREFUSED']);
    await fresh.end({ timeout: 1 });
    const url = new URL(pg.url);
    url.pathname = '/no_such_database';
    const wrong = createDb(url.toString(), { max: 1 });
    const t0 = Date.now();
    await expect(waitForDatabase(wrong, 30_000)).rejects.toMatchObject({ code: '3D000' });
    expect(Date.now() - t0).toBeLessThan(5000);
    await wrong.end({ timeout: 1 });
  }, 60_000);

  it('cancelling a query while the server is down rejects a promise the caller holds, never an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const other = createDb(pg.url, { max: 1 });
    try {
      const sleeping = other`select pg_sleep(30)`.execute();
      const settled = sleeping.then(
        () => 'resolved',
        (e: unknown) => String((e as { code?: string }).code ?? e),
      );
      await new Promise((r) => setTimeout(r, 300)); // the query is active at the server
      const restarting = pg.restart({ downMs: 1500 });
      await new Promise((r) => setTimeout(r, 200)); // down: the cancel request cannot connect
      // postgres.js 3.4.9 dropped the cancel request's promise (`return a && (b(this), c = null)`); patched, it is ours
      // (the cancel request may wait for the server, then fail or succeed: whichever, the caller handles it)
      const cancelling = sleeping.cancel() as unknown as Promise<unknown> | null;
      expect(typeof cancelling?.then).toBe('function');
      void cancelling!.catch(() => {});
      await restarting;
      expect(await settled).toBe('CONNECTION_CLOSED'); // the query's connection died with the server
      await new Promise((r) => setTimeout(r, 3000)); // the cancel request's connection attempts run their course
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await other.end({ timeout: 1 }).catch(() => {});
    }
  }, 60_000);
});
