// Every transaction settles within its deadline and gives its connection back: a hung transaction is a hung executor
// job (issue 11, defect 13). The pool here has ONE connection, so a later query can only run if the hung one was ended.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, inTransaction, type Sql } from '../../src/store/db.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let db: TestDatabase;
let sql: Sql;
let other: Sql;
beforeAll(async () => {
  db = await createTestDatabase();
  sql = createDb(db.url, { max: 1, applicationName: 'legwork-tx-bound' });
  other = createDb(db.url, { max: 2, applicationName: 'legwork-tx-other' });
  await sql`create table t (n int)`;
});
afterAll(async () => {
  await sql?.end({ timeout: 1 });
  await other?.end({ timeout: 1 });
  await db?.drop();
});

const inTransactionNow = async (): Promise<number> =>
  (
    await other<{ n: number }[]>`select count(*)::int as n from pg_stat_activity
    where application_name = 'legwork-tx-bound' and state like 'idle in transaction%'`
  )[0]!.n;

describe('bounded transactions (withTx)', () => {
  it('a transaction whose work never finishes is rejected at its deadline, rolled back, and its connection is ended', async () => {
    const hung = inTransaction(
      sql,
      async (tx) => {
        await tx`insert into t values (1)`;
        await new Promise(() => {}); // e.g. a broker call that never answers, inside a transaction
      },
      { timeoutMs: 1500, what: 'hung work' },
    );
    await expect(hung).rejects.toMatchObject({ name: 'TransactionTimeoutError', code: 'TX_TIMEOUT' });
    // the only connection of the pool is usable again, the insert was rolled back, nothing idles in a transaction
    expect((await sql<{ n: number }[]>`select count(*)::int as n from t`)[0]!.n).toBe(0);
    expect(await inTransactionNow()).toBe(0);
  }, 30_000);

  it('a statement stuck behind a lock is cancelled at the deadline and the lock waiter is gone', async () => {
    const holder = await other.reserve();
    await holder`select pg_advisory_lock(4242)`;
    try {
      const blocked = inTransaction(
        sql,
        async (tx) => {
          await tx`select pg_advisory_xact_lock(4242)`;
          await tx`insert into t values (2)`;
        },
        { timeoutMs: 1500, what: 'blocked work' },
      );
      await expect(blocked).rejects.toThrow();
      const [waiting] = await holder<
        { n: number }[]
      >`select count(*)::int as n from pg_locks l join pg_stat_activity a using (pid)
        where a.application_name = 'legwork-tx-bound' and not l.granted`;
      expect(waiting!.n).toBe(0);
    } finally {
      await holder`select pg_advisory_unlock(4242)`;
      holder.release();
    }
    await inTransaction(sql, async (tx) => void (await tx`insert into t values (3)`));
    expect((await sql<{ n: number }[]>`select n from t`).map((r) => r.n)).toEqual([3]);
  }, 30_000);
});
