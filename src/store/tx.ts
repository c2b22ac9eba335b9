// Owns bounded transactions: every `begin` in Legwork goes through withTx, which settles (value or error) within a deadline.
import type { Queryable, Sql, TransactionSql } from './db.js';

/** Transactions in Legwork are a few short statements; 10 s is far above any of them on a healthy server. */
export const DEFAULT_TX_TIMEOUT_MS = 10_000;

export class TransactionTimeoutError extends Error {
  readonly code = 'TX_TIMEOUT';
  constructor(what: string, ms: number, pid: number | null) {
    super(`transaction ${what}: not settled within ${ms} ms${pid === null ? '' : ` (backend ${pid} terminated)`}`);
    this.name = 'TransactionTimeoutError';
  }
}

export interface TxOptions {
  timeoutMs?: number;
  /** Names the transaction in the timeout error (e.g. "claim working slot"). */
  what?: string;
}

/**
 * Runs `fn` in one transaction that settles within `timeoutMs`. postgres.js 3.4.9 can leave `sql.begin` pending for
 * ever after PostgreSQL crashes (a reconnected connection carrying the old one's state: porsager/postgres#1186, #1215),
 * and a hung transaction is a hung executor job. Three bounds:
 * - the server's own: `statement_timeout` (80 % of the deadline, so a statement stuck behind a lock is cancelled
 *   before the client gives up) and `idle_in_transaction_session_timeout` (the deadline), set local to this
 *   transaction: the server ends a session whose client stopped talking, which also closes the client's socket and
 *   frees its pool slot;
 * - the client's: the whole begin races a deadline and rejects with TransactionTimeoutError;
 * - on that deadline the backend is terminated (best effort, bounded), so the connection cannot linger holding locks.
 * A result that arrives after the deadline is dropped; the transaction it belonged to was rolled back by the
 * termination, or committed and is then simply reported late (callers treat a timeout like any connection error).
 */
export async function withTx<T>(sql: Sql, fn: (tx: TransactionSql) => Promise<T>, options: TxOptions = {}): Promise<T> {
  const ms = options.timeoutMs ?? DEFAULT_TX_TIMEOUT_MS;
  const what = options.what ?? 'work';
  let pid: number | null = null;
  let started = '';
  let timedOut = false;
  const work = sql.begin(async (tx) => {
    const [row] = await tx<{ pid: number; started: string }[]>`select pg_backend_pid() as pid, now()::text as started,
      set_config('statement_timeout', ${String(Math.ceil(ms * 0.8))}, true), set_config('idle_in_transaction_session_timeout', ${String(ms)}, true)`;
    pid = row?.pid ?? null;
    started = row?.started ?? '';
    if (timedOut) throw new TransactionTimeoutError(what, ms, pid); // the deadline passed while we waited for begin
    return fn(tx);
  }) as Promise<T>;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(new TransactionTimeoutError(what, ms, pid));
    }, ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } catch (error) {
    if (timedOut) {
      work.catch(() => {}); // settles later or never: nobody waits for it any more
      if (pid !== null) void terminateBackend(sql, pid, started);
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** True inside a transaction (postgres.js gives only a transaction's `sql` a `savepoint`). */
export const isTransaction = (sql: Queryable): sql is TransactionSql =>
  typeof (sql as { savepoint?: unknown }).savepoint === 'function';

/**
 * Runs `fn` atomically: inside the caller's transaction when `sql` already is one (its statements join it; the Store's
 * `tx`), else in a new bounded one (withTx). How repository functions that need a transaction of their own nest.
 */
export function atomically<T>(sql: Queryable, fn: (tx: Queryable) => Promise<T>, options: TxOptions = {}): Promise<T> {
  return isTransaction(sql) ? fn(sql) : withTx(sql, fn, options);
}

/**
 * Ends the backend from another connection if it is still in THIS transaction (same pid and transaction start: a
 * connection that finished late and went back to the pool, or this very connection, is left alone). Bounded: the pool
 * may itself be unusable; the server-side timeouts remain.
 */
async function terminateBackend(sql: Sql, pid: number, started: string): Promise<void> {
  const query = sql`select pg_terminate_backend(pid) from pg_stat_activity
    where pid = ${pid} and xact_start = ${started}::timestamptz and pid <> pg_backend_pid()`.execute();
  // The cancel request itself may fail (the server is restarting): the patched postgres.js returns its promise
  const t = setTimeout(() => void Promise.resolve(query.cancel() as unknown).catch(() => {}), 5_000);
  try {
    await query;
  } catch {
    // unreachable server or cancelled: the server-side timeouts end the session
  } finally {
    clearTimeout(t);
  }
}
