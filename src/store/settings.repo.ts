// Owns the kill switch: the persisted trading state (active | halted | reducing) and who changed it, with an audit event.
import { appendAudit } from './audit.repo.js';
import { storeNow } from './store-clock.js';
import type { Queryable } from './db.js';
import { atomically } from './tx.js';
import type { TradingState, TradingStateValue } from '../domain/records.js';
export type { TradingState, TradingStateValue } from '../domain/records.js';
export { allowsEntries } from '../domain/records.js';

export async function getTradingState(sql: Queryable): Promise<TradingStateValue> {
  const [row] = await sql<{ value: TradingStateValue }[]>`select value from settings where key = 'trading_state'`;
  return row?.value ?? { state: 'active' };
}

/**
 * Sets the state and records a halt/resume audit event in the same transaction. The flatten request stands until the
 * state goes back to `active`, unless `options.flatten` says otherwise.
 */
export async function setTradingState(
  sql: Queryable,
  state: TradingState,
  by: string,
  reason?: string,
  options: {
    flatten?: boolean /** Extra data for the halt/resume audit event (not stored in the state). */;
    audit?: Record<string, unknown>;
  } = {},
): Promise<TradingStateValue> {
  return (await atomically(sql, async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext('legwork:trading-state'))`;
    const before = await getTradingState(tx);
    const flatten = options.flatten ?? (state === 'active' ? false : before.flatten === true);
    const value: TradingStateValue = {
      state,
      by,
      at: storeNow().toISOString(),
      ...(reason ? { reason } : {}),
      ...(flatten ? { flatten: true } : {}),
    };
    await tx`
      insert into settings (key, value, updated_at) values ('trading_state', ${tx.json(value as never)}, ${storeNow()})
      on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at`;
    await appendAudit(tx, { kind: state === 'active' ? 'resume' : 'halt', data: { ...value, ...options.audit } });
    return value;
  })) as TradingStateValue;
}

/** A setting other than the trading state (e.g. the chat feed's place in the audit log), or undefined. */
export async function getSetting<T>(sql: Queryable, key: string): Promise<T | undefined> {
  const [row] = await sql<{ value: T }[]>`select value from settings where key = ${key}`;
  return row?.value;
}

export async function putSetting(sql: Queryable, key: string, value: unknown): Promise<void> {
  await sql`
    insert into settings (key, value, updated_at) values (${key}, ${sql.json(value as never)}, ${storeNow()})
    on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at`;
}
