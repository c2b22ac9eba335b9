// Owns reading the two truths a chaos campaign compares: the venue's own state (its snapshot, not Legwork's adapter)
// and Legwork's PostgreSQL tables, as the plain views chaos/invariants.ts checks.
import { TERMINAL_GROUP_STATUSES } from '../src/domain/order-group.js';
import { TERMINAL_ORDER_STATUSES } from '../src/domain/order.js';
import type { Sql } from '../src/store/db.js';
import type { StoreView, VenueOrder, VenuePosition, VenueView } from './invariants.js';

type Json = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

/** The venue's snapshot (`sim.control.state()` or GET /__sim/state) for one account. */
export function venueView(snapshot: Json, accountNumber: string): VenueView {
  const account = (snapshot['accounts'] as Json[]).find((a) => a['account-number'] === accountNumber);
  if (!account) throw new Error(`venue has no account ${accountNumber}`);
  const orders: VenueOrder[] = (account['orders'] as Json[]).map((o) => ({
    id: num(o['id']),
    status: str(o['status']),
    externalId: typeof o['external-identifier'] === 'string' ? o['external-identifier'] : null,
    replacesOrderId: o['replaces-order-id'] === undefined ? null : num(o['replaces-order-id']),
    underlying: str(o['underlying-symbol']),
    receivedAt: typeof o['received-at'] === 'string' ? Date.parse(o['received-at']) : null,
    legs: (o['legs'] as Json[]).map((l) => ({
      symbol: str(l['symbol']),
      action: str(l['action']),
      quantity: num(l['quantity']),
      fills: (l['fills'] as Json[]).map((f) => ({ fillId: str(f['fill-id']), quantity: num(f['quantity']) })),
    })),
  }));
  const positions: VenuePosition[] = (account['positions'] as Json[]).map((p) => ({
    symbol: str(p['symbol']),
    underlying: str(p['underlying-symbol']),
    instrumentType: str(p['instrument-type']),
    quantity: p['quantity-direction'] === 'Short' ? -num(p['quantity']) : num(p['quantity']),
  }));
  return { orders, positions };
}

export async function storeView(sql: Sql): Promise<StoreView> {
  const [trades, groups, orders, brokerIds, fills, positions] = await Promise.all([
    sql<StoreView['trades']>`select t.id, t.status, t.underlying, t.rule_set as "ruleSet",
        coalesce((select array_agg(l->>'symbol') from jsonb_array_elements(t.legs) l), '{}') as symbols,
        (select min(o.submitted_at) from orders o join order_groups g on g.id = o.group_id where g.trade_id = t.id) as "firstSubmitAt",
        t.closed_at as "closedAt"
      from trades t`,
    // A group's deadline: its first submit plus the fill timeout (per leg when legged) plus a minute for cancels
    sql<StoreView['groups']>`select id, trade_id as "tradeId", kind, status, reason,
        (select min(o.submitted_at) from orders o where o.group_id = g.id)
          + make_interval(secs => (g.intent->'pricing'->>'fillTimeoutSeconds')::int
                                  * case when g.mode = 'legged' then jsonb_array_length(g.intent->'legs') else 1 end + 60) as "deadlineAt"
      from order_groups g`,
    sql<
      StoreView['orders']
    >`select id, group_id as "groupId", role, status, broker_status as "brokerStatus", broker_order_id::int as "brokerOrderId" from orders`,
    sql<
      StoreView['brokerIds']
    >`select broker_order_id::int as "brokerOrderId", order_id as "orderId" from order_broker_ids`,
    sql<
      StoreView['fills']
    >`select broker_fill_id as "brokerFillId", order_id as "orderId", symbol, quantity from fills`,
    sql<StoreView['positions']>`select symbol, sum(quantity)::int as quantity from trade_positions group by symbol`,
  ]);
  return {
    trades: [...trades],
    groups: [...groups],
    orders: [...orders],
    brokerIds: [...brokerIds],
    fills: [...fills],
    positions: [...positions],
  };
}

export interface LiveWork {
  /** Order groups not terminal. */
  groups: number;
  /** Orders sent (or being sent) and not terminal: the broker may still act on them. */
  orders: number;
  /** Trades pending, opening or closing. */
  transitional: number;
  /** Of those, trades with no live group moving them. */
  unattended: number;
}

/** What is still moving in Postgres (the chaos settle and the soak's clock steps wait on it). */
export async function liveWork(sql: Sql): Promise<LiveWork> {
  const terminalGroups = [...TERMINAL_GROUP_STATUSES];
  const settledOrders = [...TERMINAL_ORDER_STATUSES, 'planned'];
  const [row] = await sql<LiveWork[]>`
    select (select count(*) from order_groups where status <> all(${terminalGroups}))::int as groups,
           (select count(*) from orders where status <> all(${settledOrders}))::int as orders,
           (select count(*) from trades where status in ('pending', 'opening', 'closing'))::int as transitional,
           (select count(*) from trades t where t.status in ('pending', 'opening', 'closing')
              and not exists (select 1 from order_groups g where g.trade_id = t.id and g.status <> all(${terminalGroups})))::int as unattended`;
  return row ?? { groups: 1, orders: 1, transitional: 1, unattended: 1 };
}
