// Owns the safety invariants a chaos campaign checks once the system has settled: pure functions over what the venue
// holds (its own state, not Legwork's view of it) and what Postgres holds. Each violation says what and where.
export interface VenueFill {
  fillId: string;
  quantity: number;
}
export interface VenueOrderLeg {
  symbol: string;
  action: string;
  quantity: number;
  fills: VenueFill[];
}
export interface VenueOrder {
  id: number;
  status: string;
  externalId: string | null;
  replacesOrderId: number | null;
  underlying: string;
  /** Venue clock (ms) when the venue received it; a replace is received anew. */
  receivedAt: number | null;
  legs: VenueOrderLeg[];
}
export interface VenuePosition {
  symbol: string;
  underlying: string;
  instrumentType: string;
  /** Signed: long +, short −. */
  quantity: number;
}
export interface VenueView {
  orders: VenueOrder[];
  positions: VenuePosition[];
}

export interface StoredGroup {
  id: string;
  tradeId: string;
  kind: string;
  status: string;
  reason: string | null;
  /** When a working group must have ended (its fill deadline plus grace); null if nothing was submitted. */
  deadlineAt: Date | null;
}
export interface StoredOrder {
  id: string;
  groupId: string;
  role: string;
  status: string;
  brokerStatus: string | null;
  brokerOrderId: number | null;
}
export interface StoredFill {
  brokerFillId: string;
  orderId: string;
  symbol: string;
  quantity: number;
}
export interface StoredTrade {
  id: string;
  status: string;
  underlying: string;
  ruleSet: string;
  /** The option symbols of its structure. */
  symbols: string[];
  /** When its first order was submitted (null: never sent), and when it ended (null: not terminal). */
  firstSubmitAt: Date | null;
  closedAt: Date | null;
}
export interface StoreView {
  trades: StoredTrade[];
  groups: StoredGroup[];
  orders: StoredOrder[];
  /** Every broker id any of our orders ever had (replace chains). */
  brokerIds: { brokerOrderId: number; orderId: string }[];
  fills: StoredFill[];
  /** Net quantity per option symbol from our fills (the trade_positions view, summed over trades). */
  positions: { symbol: string; quantity: number }[];
}

export const INVARIANTS = [
  'naked-short', // an open short option not covered by a long of the same right, underlying and expiry
  'duplicate-external-id', // two separate orders (not one replace chain) carry one external identifier
  'orphan-broker-order', // a venue order Legwork has no order/group for
  'group-not-settled', // a group neither terminal nor legitimately working
  'group-broken', // a group whose rollback could not complete (terminal, but a human must act)
  'status-disagrees', // our order's broker status differs from the venue's
  'position-disagrees', // net position per symbol from our fills differs from the venue's
  'fill-missing', // a venue fill not recorded in Postgres
  'fill-unknown', // a fill in Postgres the venue never made (or with another quantity)
  'fill-misattributed', // a venue fill recorded against another order than the one the venue filled
  'trade-stuck', // a non-terminal trade with no live group: pending/opening/closing that nothing will move
  'opening-by-exit', // an opening action in an order of an exit group or a compensation
  'opening-after-halt', // an opening order received by the venue more than 1 s after a halt, before the resume
  'phantom-close', // a trade closed/rejected/rolled back whose legs the venue still holds, owned by no live trade
  'two-structures-per-underlying', // two trades sent to the broker on one underlying at once (maxPerUnderlying 1)
] as const;
export type InvariantName = (typeof INVARIANTS)[number];

export interface Violation {
  invariant: InvariantName;
  detail: string;
}

const TERMINAL_GROUP = new Set(['denied', 'filled', 'rolled_back', 'cancelled', 'broken']);
const TERMINAL_TRADE = new Set(['closed', 'rejected', 'rolled_back']);
const isOpening = (action: string): boolean => action.endsWith('to Open');
const WORKING_VENUE = new Set([
  'Received',
  'Routed',
  'In Flight',
  'Live',
  'Cancel Requested',
  'Replace Requested',
  'Contingent',
]);

/** OCC: root (6, space padded) + yymmdd + C/P + strike×1000 (8 digits). */
function occParts(symbol: string): { root: string; expiry: string; right: 'C' | 'P' } | null {
  const m = /^(.{6})(\d{6})([CP])\d{8}$/.exec(symbol);
  return m ? { root: m[1]!.trim(), expiry: m[2]!, right: m[3] as 'C' | 'P' } : null;
}

/** Per underlying and expiry, short calls must be covered by long calls and short puts by long puts. */
export function nakedShorts(
  positions: VenuePosition[],
  allowUndefinedRisk: ReadonlySet<string> = new Set(),
): Violation[] {
  const book = new Map<string, { long: number; short: number }>();
  for (const p of positions) {
    if (p.instrumentType !== 'Equity Option' || p.quantity === 0) continue;
    const occ = occParts(p.symbol);
    if (!occ) continue;
    const key = `${p.underlying || occ.root} ${occ.expiry} ${occ.right}`;
    const side = book.get(key) ?? { long: 0, short: 0 };
    if (p.quantity > 0) side.long += p.quantity;
    else side.short += -p.quantity;
    book.set(key, side);
  }
  const out: Violation[] = [];
  for (const [key, { long, short }] of book) {
    if (short > long && !allowUndefinedRisk.has(key.split(' ')[0]!)) {
      out.push({ invariant: 'naked-short', detail: `${key}: ${short} short vs ${long} long` });
    }
  }
  return out;
}

/** Orders linked by replaces-order-id form one chain; one external identifier must name at most one chain. */
export function duplicateExternalIds(orders: VenueOrder[]): Violation[] {
  const byId = new Map(orders.map((o) => [o.id, o]));
  const root = (o: VenueOrder): number => {
    let cur = o;
    for (let i = 0; i < 1000 && cur.replacesOrderId !== null; i++) {
      const prev = byId.get(cur.replacesOrderId);
      if (!prev) break;
      cur = prev;
    }
    return cur.id;
  };
  const chains = new Map<string, Set<number>>();
  for (const o of orders) {
    if (!o.externalId) continue;
    const set = chains.get(o.externalId) ?? new Set<number>();
    set.add(root(o));
    chains.set(o.externalId, set);
  }
  return [...chains]
    .filter(([, roots]) => roots.size > 1)
    .map(([ext, roots]) => ({
      invariant: 'duplicate-external-id' as const,
      detail: `external id ${ext} on ${roots.size} separate orders (roots ${[...roots].join(', ')})`,
    }));
}

/** A halt (venue clock, ms) and the resume that ended it (null: still halted at the end). */
export interface HaltWindow {
  haltAt: number;
  resumeAt: number | null;
}
/** How long a halt may take to stop opening orders (the issue: honoured within 1 s). */
export const HALT_GRACE_MS = 1000;

/** Non-terminal trades with no live group: nothing will ever move them (an `open` or `broken` one is managed by exits). */
export function stuckTrades(store: Pick<StoreView, 'trades' | 'groups'>): Violation[] {
  const live = new Set(store.groups.filter((g) => !TERMINAL_GROUP.has(g.status)).map((g) => g.tradeId));
  return store.trades
    .filter((t) => (t.status === 'pending' || t.status === 'opening' || t.status === 'closing') && !live.has(t.id))
    .map((t) => ({
      invariant: 'trade-stuck' as const,
      detail: `trade ${t.id} (${t.underlying}) is ${t.status} with no live group`,
    }));
}

/** Exits and compensations only reduce; after a halt (plus its grace) and until the resume, nothing opens. */
export function openingViolations(
  venue: VenueView,
  store: Pick<StoreView, 'groups' | 'orders' | 'brokerIds'>,
  halts: readonly HaltWindow[] = [],
): Violation[] {
  const out: Violation[] = [];
  const orderOf = new Map(store.brokerIds.map((b) => [b.brokerOrderId, b.orderId]));
  const orders = new Map(store.orders.map((o) => [o.id, o]));
  const groups = new Map(store.groups.map((g) => [g.id, g]));
  for (const o of venue.orders) {
    const opening = o.legs.filter((l) => isOpening(l.action));
    if (opening.length === 0) continue;
    const ours = orders.get(orderOf.get(o.id) ?? o.externalId ?? '');
    const group = ours ? groups.get(ours.groupId) : undefined;
    if (ours && (ours.role === 'compensation' || group?.kind === 'exit')) {
      out.push({
        invariant: 'opening-by-exit',
        detail: `venue order ${o.id} (${opening.map((l) => `${l.action} ${l.symbol}`).join(', ')}) is our ${ours.role} order ${ours.id} of ${group?.kind ?? '?'} group ${ours.groupId}`,
      });
    }
    const during =
      o.receivedAt === null
        ? undefined
        : halts.find(
            (h) => o.receivedAt! > h.haltAt + HALT_GRACE_MS && (h.resumeAt === null || o.receivedAt! < h.resumeAt),
          );
    if (during) {
      out.push({
        invariant: 'opening-after-halt',
        detail: `venue order ${o.id} (${opening[0]!.action} ${opening[0]!.symbol}) received ${o.receivedAt! - during.haltAt} ms after a halt; ours ${ours?.id ?? o.externalId ?? '-'}`,
      });
    }
  }
  return out;
}

/** A settled trade whose legs the venue still holds, when no live trade owns those symbols: an unmanaged position. */
export function phantomCloses(venue: VenueView, store: Pick<StoreView, 'trades'>): Violation[] {
  const held = new Map(venue.positions.filter((p) => p.quantity !== 0).map((p) => [p.symbol, p.quantity]));
  const owned = new Set(store.trades.filter((t) => !TERMINAL_TRADE.has(t.status)).flatMap((t) => t.symbols));
  return store.trades
    .filter((t) => TERMINAL_TRADE.has(t.status))
    .flatMap((t) => {
      const orphaned = t.symbols.filter((s) => held.has(s) && !owned.has(s));
      return orphaned.length === 0
        ? []
        : [
            {
              invariant: 'phantom-close' as const,
              detail: `trade ${t.id} is ${t.status} but the venue holds ${orphaned.map((s) => `${held.get(s)} ${s}`).join(', ')}`,
            },
          ];
    });
}

/** Trades sent to the broker on one underlying whose lives (first submit → end) overlap: the limit was not atomic. */
export function twoStructures(store: Pick<StoreView, 'trades'>, now: number): Violation[] {
  const out: Violation[] = [];
  const sent = store.trades
    .filter((t) => t.firstSubmitAt !== null)
    .sort((a, b) => a.firstSubmitAt!.getTime() - b.firstSubmitAt!.getTime());
  for (let i = 0; i < sent.length; i++) {
    const a = sent[i]!;
    const aEnd = a.closedAt?.getTime() ?? now;
    for (let j = i + 1; j < sent.length; j++) {
      const b = sent[j]!;
      if (b.underlying !== a.underlying) continue;
      if (b.firstSubmitAt!.getTime() < aEnd) {
        out.push({
          invariant: 'two-structures-per-underlying',
          detail: `${a.underlying}: trade ${b.id} (${b.ruleSet}) sent while trade ${a.id} (${a.ruleSet}, ${a.status}) was live`,
        });
      }
    }
  }
  return out;
}

export interface InvariantOptions {
  allowUndefinedRisk?: ReadonlySet<string>;
  now?: number;
  /** Halts of the campaign, on the venue's clock. */
  halts?: readonly HaltWindow[];
  /** Every rule set allows one structure per underlying (maxPerUnderlying: 1). */
  onePerUnderlying?: boolean;
}

export function checkInvariants(venue: VenueView, store: StoreView, opts: InvariantOptions = {}): Violation[] {
  const now = opts.now ?? Date.now();
  const out: Violation[] = [
    ...nakedShorts(venue.positions, opts.allowUndefinedRisk),
    ...duplicateExternalIds(venue.orders),
    ...stuckTrades(store),
    ...openingViolations(venue, store, opts.halts),
    ...phantomCloses(venue, store),
    ...(opts.onePerUnderlying ? twoStructures(store, now) : []),
  ];
  const ordersById = new Map(store.orders.map((o) => [o.id, o]));
  const groupsById = new Map(store.groups.map((g) => [g.id, g]));
  const ourBrokerIds = new Map(store.brokerIds.map((b) => [b.brokerOrderId, b.orderId]));
  const venueById = new Map(venue.orders.map((o) => [o.id, o]));

  // Every venue order is one of ours, tied to a group, by broker id and by external identifier
  for (const o of venue.orders) {
    const byBrokerId = ourBrokerIds.get(o.id);
    const ours = ordersById.get(byBrokerId ?? o.externalId ?? '');
    if (!ours || !groupsById.has(ours.groupId)) {
      out.push({
        invariant: 'orphan-broker-order',
        detail: `venue order ${o.id} (${o.status}, ext ${o.externalId ?? '-'}, ${o.underlying}) has no order/group in Postgres`,
      });
    } else if (byBrokerId === undefined) {
      out.push({
        invariant: 'orphan-broker-order',
        detail: `venue order ${o.id} (${o.status}) carries our id ${ours.id} but Postgres never recorded its broker id`,
      });
    }
  }

  // Every group terminal, or working with a live order at the venue and not past its deadline
  for (const g of store.groups) {
    if (g.status === 'broken') {
      out.push({ invariant: 'group-broken', detail: `group ${g.id} (${g.kind}) broken: ${g.reason ?? ''}` });
      continue;
    }
    if (TERMINAL_GROUP.has(g.status)) continue;
    const live = store.orders.some(
      (o) =>
        o.groupId === g.id &&
        o.brokerOrderId !== null &&
        WORKING_VENUE.has(venueById.get(o.brokerOrderId)?.status ?? ''),
    );
    const late = g.deadlineAt !== null && now > g.deadlineAt.getTime();
    if (!(g.status === 'working' && live && !late)) {
      const why = !live
        ? ' with no working order at the venue'
        : late
          ? ` past its deadline (${g.deadlineAt!.toISOString()})`
          : '';
      out.push({ invariant: 'group-not-settled', detail: `group ${g.id} (${g.kind}) is ${g.status}${why}` });
    }
  }

  // Our view of each order's current broker id agrees with the venue
  for (const o of store.orders) {
    if (o.brokerOrderId === null) continue;
    const v = venueById.get(o.brokerOrderId);
    if (!v)
      out.push({
        invariant: 'status-disagrees',
        detail: `order ${o.id}: broker id ${o.brokerOrderId} does not exist at the venue`,
      });
    else if (v.status !== o.brokerStatus)
      out.push({
        invariant: 'status-disagrees',
        detail: `order ${o.id} (broker ${v.id}): ours ${o.status}/${o.brokerStatus ?? '-'}, venue ${v.status}`,
      });
  }

  // Fills: each venue fill recorded exactly once with its quantity, against the order the venue filled, nothing invented
  const venueFills = new Map<string, { quantity: number; orderId: number; symbol: string }>();
  for (const o of venue.orders)
    for (const l of o.legs)
      for (const f of l.fills) venueFills.set(f.fillId, { quantity: f.quantity, orderId: o.id, symbol: l.symbol });
  const storedFills = new Map(store.fills.map((f) => [f.brokerFillId, f]));
  for (const [id, f] of venueFills) {
    const stored = storedFills.get(id);
    if (!stored)
      out.push({
        invariant: 'fill-missing',
        detail: `venue fill ${id} (order ${f.orderId}, ${f.quantity} ${f.symbol}) not in Postgres`,
      });
    else {
      const expected = ourBrokerIds.get(f.orderId) ?? venueById.get(f.orderId)?.externalId;
      if (expected !== undefined && expected !== null && expected !== stored.orderId) {
        out.push({
          invariant: 'fill-misattributed',
          detail: `venue fill ${id} of venue order ${f.orderId} (our ${expected}) recorded against order ${stored.orderId}`,
        });
      }
    }
  }
  for (const f of store.fills) {
    const v = venueFills.get(f.brokerFillId);
    if (!v || v.quantity !== f.quantity || v.symbol !== f.symbol) {
      out.push({
        invariant: 'fill-unknown',
        detail: `fill ${f.brokerFillId} (${f.quantity} ${f.symbol}) ${v ? `is ${v.quantity} ${v.symbol} at the venue` : 'unknown to the venue'}`,
      });
    }
  }

  // Positions: the venue's book equals the sum of our fills
  const ours = new Map(store.positions.filter((p) => p.quantity !== 0).map((p) => [p.symbol, p.quantity]));
  const theirs = new Map(venue.positions.filter((p) => p.quantity !== 0).map((p) => [p.symbol, p.quantity]));
  for (const symbol of new Set([...ours.keys(), ...theirs.keys()])) {
    const a = ours.get(symbol) ?? 0;
    const b = theirs.get(symbol) ?? 0;
    if (a !== b) out.push({ invariant: 'position-disagrees', detail: `${symbol}: Postgres ${a}, venue ${b}` });
  }
  return out;
}
