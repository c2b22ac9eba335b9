// Owns the ONLY import of postgres (postgres.js): the client, transactions, and SQLSTATE helpers.
import postgres from 'postgres';
import { within } from '../util/within.js';

export type Sql = postgres.Sql;
export type TransactionSql = postgres.TransactionSql;
/** Either the pool or a transaction: repository functions accept both so callers choose the transaction scope. */
export type Queryable = Sql | TransactionSql;
export type JsonValue = postgres.JSONValue;

export interface DbOptions {
  max?: number;
  applicationName?: string;
  /** Silence NOTICE messages (e.g. "relation already exists, skipping"). */
  quiet?: boolean;
}

export function createDb(url: string, options: DbOptions = {}): Sql {
  return postgres(url, {
    max: options.max ?? 10,
    idle_timeout: 30,
    connect_timeout: 10,
    // Reconnect pauses, in seconds: postgres.js's default grows 3^n across the whole pool up to 20 s, so after a few
    // refused attempts during a PostgreSQL restart every query waited 10–20 s for a server long back up. Capped at 2 s.
    backoff: reconnectBackoffSeconds,
    // bigint columns (cents, broker ids) come back as JS numbers: all our values are far below 2^53
    types: { bigint: { to: 20, from: [20], serialize: (v: number) => String(v), parse: (v: string) => Number(v) } },
    transform: { undefined: null },
    connection: { application_name: options.applicationName ?? 'legwork' },
    ...(options.quiet !== false ? { onnotice: () => {} } : {}),
  });
}

/** Pause before reconnecting after `retries` failed attempts (pool-wide): 50 ms doubling, jittered ±25 %, at most 2 s. */
export function reconnectBackoffSeconds(retries: number, random: () => number = Math.random): number {
  return Math.min(2, 0.05 * 2 ** Math.max(0, retries) * (0.75 + random() / 2));
}

export type ReservedSql = postgres.ReservedSql;

/**
 * A dedicated connection, or an error after `ms`. postgres.js 3.4.9 can leave a reserve() (and a query on a reserved
 * connection) waiting forever when PostgreSQL crashes under load: chaos seed 6018, executor jobs held their slots for
 * minutes. A connection that comes too late is released at once.
 */
export function reserveWithin(sql: Sql, ms: number): Promise<ReservedSql> {
  return within(sql.reserve(), ms, 'reserving a PostgreSQL connection', (late) => late.release());
}

const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  '57P03',
]);
/** The server is (still) unreachable or starting up, as opposed to a wrong password or a missing database. */
export const isConnectionError = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && CONNECTION_ERRORS.has(String((error as { code?: unknown }).code));

/**
 * Waits until PostgreSQL answers, for at most `timeoutMs`: a worker started while the database restarts (a crash, a
 * deploy) waits instead of exiting. Other errors (authentication, no such database) are thrown at once.
 */
export async function waitForDatabase(
  sql: Sql,
  timeoutMs: number,
  onWait: (error: Error) => void = () => {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      await sql`select 1`;
      return;
    } catch (error) {
      if (!isConnectionError(error) || Date.now() >= deadline) throw error;
      if (attempt === 0) onWait(error as Error);
      await new Promise((r) => setTimeout(r, Math.min(2000, 200 * 2 ** attempt)));
    }
  }
}

/** Runs `work` in one transaction; rolls back when it throws; settles within a deadline (see withTx in tx.ts). */
export { withTx as inTransaction } from './tx.js';

export const isUniqueViolation = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: string }).code === '23505';

/** Wraps a JS value for a jsonb parameter (never pass pre-stringified JSON: it would be stored as a string). */
export function json(sql: Queryable, value: unknown): postgres.Parameter {
  return sql.json(value as JsonValue);
}
