// Owns an in-memory Store (src/pipeline/store-port.ts) for unit tests of the pipeline: the same state machines
// (domain transition tables), idempotency keys and position arithmetic as the PostgreSQL store, no database.
// `tx` rolls back by restoring a snapshot when its function throws; the group lock is a set of held groups.
import { isTerminal } from '../../src/domain/broker-order.js';
import { GROUP_TRANSITIONS, groupEventSources } from '../../src/domain/group-transitions.js';
import { applyOrderEvent } from '../../src/domain/order-transitions.js';
import { isTerminalOrder } from '../../src/domain/order.js';
import type {
  AuditEvent,
  CandidateRow,
  FillRecord,
  GroupRow,
  OrderRow,
  PositionRow,
  ScanRunRow,
  SettlementAction,
  TradeRow,
  TradingStateValue,
} from '../../src/domain/records.js';
import type {
  Environment,
  FailsafeTrip,
  PortfolioPosition,
  PortfolioRow,
  SnapshotRow,
} from '../../src/domain/portfolio.js';
import type { OutsideFill } from '../../src/domain/outside-close.js';
import type { Promotion } from '../../src/domain/promotion.js';
import type { Settlement } from '../../src/domain/settlement.js';
import { ACTIVE_TRADE_STATUSES, TRADE_TRANSITIONS, tradeEventSources } from '../../src/domain/trade-transitions.js';
import type { Store } from '../../src/pipeline/store-port.js';

interface SettlementRecord {
  id: number;
  tradeId: string;
  kind: string;
  symbol: string;
  action: SettlementAction;
  quantity: number;
  priceCents: number;
  feeCents: number;
  executedAt: Date;
}
interface OrderEventRecord {
  at: Date;
  orderId: string;
  groupId: string;
  type: string;
  from: string;
  to: string;
  source: string;
  dedupeKey: string | null;
  data: Record<string, unknown>;
}

export interface MemoryState {
  trades: TradeRow[];
  groups: GroupRow[];
  orders: OrderRow[];
  orderEvents: OrderEventRecord[];
  brokerIds: Map<number, string>;
  fills: (FillRecord & { recordedAt: number })[];
  audit: (AuditEvent & { id: number; at: Date })[];
  tradingState: TradingStateValue;
  settlements: SettlementRecord[];
  outsideCloses: (OutsideFill & { tradeId: string })[];
  fees: { transactionId: number; tradeId: string; quantity: number; totalCents: number }[];
  ruleVersions: Map<string, { name: string; file: string; content: string }>;
  scanRuns: ScanRunRow[];
  candidates: CandidateRow[];
  portfolios: PortfolioRow[];
  portfolioPositions: Map<number, PortfolioPosition[]>;
  snapshots: (SnapshotRow & { portfolioId: number })[];
  trips: FailsafeTrip[];
  promotions: Promotion[];
}

export const emptyState = (): MemoryState => ({
  trades: [],
  groups: [],
  orders: [],
  orderEvents: [],
  brokerIds: new Map(),
  fills: [],
  audit: [],
  tradingState: { state: 'active' },
  settlements: [],
  outsideCloses: [],
  fees: [],
  ruleVersions: new Map(),
  scanRuns: [],
  candidates: [],
  portfolios: [],
  portfolioPositions: new Map(),
  snapshots: [],
  trips: [],
  promotions: [],
});

const OCC = /^[A-Z0-9 ]{6}[0-9]{6}[CP][0-9]{8}$/;
const signed = (action: string, quantity: number) => (action.startsWith('Buy') ? quantity : -quantity);
const OPEN_ORDER = new Set(['planned', 'submitting', 'unknown', 'working', 'partially_filled', 'pending_cancel']);
const ROLE_ORDER = (a: OrderRow, b: OrderRow) => (a.role < b.role ? -1 : a.role > b.role ? 1 : a.seq - b.seq);
const sumBy = (entries: [string, number][]) => {
  const m = new Map<string, number>();
  for (const [k, v] of entries) m.set(k, (m.get(k) ?? 0) + v);
  return m;
};

export interface MemoryStore extends Store {
  readonly state: MemoryState;
  /** Groups whose lock is held now. */
  readonly locked: Set<string>;
  /**
   * Lock handles taken and not released yet, held or not. Each stands for a reserved PostgreSQL connection in the real
   * Store (src/store/postgres-store.ts groupLock): one never released is a connection the pool never gets back.
   */
  openLockHandles(): number;
}

/** `now` stamps records (the broker's clock in the pipeline's tests); `environment` is the process's TT_ENV. */
export function createMemoryStore(
  now: () => number = Date.now,
  initial: MemoryState = emptyState(),
  environment: Environment = 'sim',
): MemoryStore {
  const box = { state: initial };
  const locked = new Set<string>();
  let seq = 0;
  const at = () => new Date(now());
  const s = () => box.state;

  const positions = (tradeId: string): PositionRow[] => {
    const moves = [
      ...s().fills.filter((f) => f.tradeId === tradeId),
      ...s().settlements.filter((x) => x.tradeId === tradeId),
      ...s().outsideCloses.filter((x) => x.tradeId === tradeId),
    ];
    const by = new Map<string, PositionRow>();
    for (const m of moves) {
      const p = by.get(m.symbol) ?? { tradeId, symbol: m.symbol, quantity: 0, cashCents: 0 };
      p.quantity += signed(m.action, m.quantity);
      p.cashCents +=
        (m.action.startsWith('Buy') ? -m.priceCents : m.priceCents) * m.quantity * (OCC.test(m.symbol) ? 100 : 1);
      by.set(m.symbol, p);
    }
    return [...by.values()].sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
  };
  const groupOf = (id: string) => s().groups.find((g) => g.id === id);
  const orderOf = (id: string) => s().orders.find((o) => o.id === id);
  const copy = <T>(v: T): T => structuredClone(v);

  let openHandles = 0;
  const store: MemoryStore = {
    get state() {
      return box.state;
    },
    locked,
    trades: {
      get: async (id) => copy(s().trades.find((t) => t.id === id)),
      list: async (o = {}) =>
        copy(
          s()
            .trades.filter((t) => !o.statuses || o.statuses.includes(t.status))
            .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
            .slice(0, o.limit ?? 200),
        ),
      move: async (id, event, fields = {}) => {
        const t = s().trades.find((x) => x.id === id && tradeEventSources(event).includes(x.status));
        if (!t) return false;
        const to = TRADE_TRANSITIONS[event].to;
        t.status = to;
        t.updatedAt = at();
        t.entryCreditCents = fields.entryCreditCents ?? t.entryCreditCents;
        t.exitDebitCents = fields.exitDebitCents ?? t.exitDebitCents;
        t.realizedPnlCents = fields.realizedPnlCents ?? t.realizedPnlCents;
        t.exitReason = fields.exitReason ?? t.exitReason;
        t.approvalBy = fields.approvalBy ?? t.approvalBy;
        if (event === 'Approve' || event === 'Reject' || event === 'ApprovalExpired') t.approvalAt = at();
        if (to === 'open' && t.openedAt === null) t.openedAt = at();
        if (['closed', 'rejected', 'rolled_back'].includes(to) && t.closedAt === null) t.closedAt = at();
        return true;
      },
      setQuantity: async (id, quantity) => {
        const t = s().trades.find((x) => x.id === id && (x.status === 'pending' || x.status === 'opening'));
        if (t) t.quantity = quantity;
        return t !== undefined;
      },
      correctRealizedPnl: async (id, cents) => {
        const t = s().trades.find(
          (x) => x.id === id && (x.status === 'closed' || x.status === 'rolled_back') && x.realizedPnlCents !== cents,
        );
        if (t) t.realizedPnlCents = cents;
        return t !== undefined;
      },
      insertPendingWithinLimit: async (n) => {
        const mine = n.candidateId !== null ? s().trades.find((t) => t.candidateId === n.candidateId) : undefined;
        if (mine) return { trade: copy(mine), created: false };
        const other = s().trades.find(
          (t) => t.underlying === n.underlying && ACTIVE_TRADE_STATUSES.includes(t.status) && t.id !== n.id,
        );
        if (other) return { blockedBy: { id: other.id, status: other.status, ruleSet: other.ruleSet } };
        const trade: TradeRow = {
          ...copy(n),
          status: n.approvalDeadline ? 'awaiting_approval' : 'pending',
          approvalDeadline: n.approvalDeadline ?? null,
          approvalBy: null,
          approvalAt: null,
          entryCreditCents: null,
          exitDebitCents: null,
          realizedPnlCents: null,
          exitReason: null,
          createdAt: at(),
          updatedAt: at(),
          openedAt: null,
          closedAt: null,
        };
        s().trades.push(trade);
        return { trade: copy(trade), created: true };
      },
      riskSummary: async (ruleSet) => {
        const rows = s().trades.filter(
          (t) => ACTIVE_TRADE_STATUSES.includes(t.status) && (!ruleSet || t.ruleSet === ruleSet),
        );
        const riskByUnderlying = sumBy(rows.map((t) => [t.underlying, t.riskCents]));
        return {
          openTrades: rows.length,
          totalRiskCents: rows.reduce((a, t) => a + t.riskCents, 0),
          riskByUnderlying,
          underlyings: new Set(riskByUnderlying.keys()),
        };
      },
      brokenIds: async () =>
        s()
          .trades.filter((t) => t.status === 'broken')
          .map((t) => t.id),
      settledFlatIds: async () =>
        s()
          .trades.filter(
            (t) =>
              (t.status === 'open' || t.status === 'broken') &&
              (s().settlements.some((x) => x.tradeId === t.id) || s().outsideCloses.some((x) => x.tradeId === t.id)) &&
              positions(t.id).every((p) => p.quantity === 0),
          )
          .map((t) => t.id),
    },
    groups: {
      get: async (id) => copy(groupOf(id)),
      insert: async (id, intent) => {
        const existing = groupOf(id);
        if (existing) return { group: copy(existing), created: false };
        const group: GroupRow = {
          id,
          tradeId: intent.tradeId,
          kind: intent.kind,
          mode: intent.mode,
          status: 'planned',
          intent: copy(intent),
          filledUnits: 0,
          reason: null,
          createdAt: at(),
          updatedAt: at(),
        };
        s().groups.push(group);
        return { group: copy(group), created: true };
      },
      move: async (id, event, fields = {}) => {
        const g = s().groups.find((x) => x.id === id && groupEventSources(event).includes(x.status));
        if (!g) return false;
        g.status = GROUP_TRANSITIONS[event].to;
        g.updatedAt = at();
        g.filledUnits = fields.filledUnits ?? g.filledUnits;
        g.reason = fields.reason ?? g.reason;
        return true;
      },
      open: async () =>
        copy(s().groups.filter((g) => ['planned', 'submitting', 'working', 'compensating'].includes(g.status))),
      ofTrade: async (tradeId) => copy(s().groups.filter((g) => g.tradeId === tradeId)),
      owner: async (id) => {
        const g = groupOf(id);
        return g && { kind: g.kind, tradeId: g.tradeId };
      },
      workingEntryCount: async (except) =>
        s().groups.filter(
          (g) => g.kind === 'entry' && ['submitting', 'working', 'compensating'].includes(g.status) && g.id !== except,
        ).length,
      claimWorkingSlot: async (group, max) => {
        if (group.kind === 'entry' && (await store.groups.workingEntryCount(group.id)) >= max) return 'full';
        return (await store.groups.move(group.id, 'SlotClaimed')) ? 'claimed' : 'lost';
      },
      brokenUnsettledIds: async () =>
        s()
          .groups.filter(
            (g) =>
              g.status === 'broken' &&
              !['closed', 'rejected', 'rolled_back'].includes(
                s().trades.find((t) => t.id === g.tradeId)?.status ?? 'closed',
              ),
          )
          .map((g) => g.id),
      activity: async (group) => {
        const orders = s().orders.filter((o) => o.groupId === group.id);
        const last = Math.max(group.updatedAt.getTime(), ...orders.map((o) => o.updatedAt.getTime()));
        return {
          unsettled: orders.filter((o) => o.status === 'submitting' || o.status === 'unknown').length,
          events: s().orderEvents.filter((e) => e.groupId === group.id).length,
          last: new Date(last),
        };
      },
    },
    orders: {
      insertPlanned: async (o) => {
        const existing = s().orders.find((x) => x.groupId === o.groupId && x.role === o.role && x.seq === o.seq);
        if (existing) return { order: copy(existing), created: false };
        const order: OrderRow = {
          ...copy(o),
          status: 'planned',
          brokerStatus: null,
          brokerOrderId: null,
          filledUnits: 0,
          priceSteps: 0,
          rejectReason: null,
          submittedAt: null,
          createdAt: at(),
          updatedAt: at(),
        };
        s().orders.push(order);
        return { order: copy(order), created: true };
      },
      get: async (id) => copy(orderOf(id)),
      ofGroup: async (groupId) =>
        copy(
          s()
            .orders.filter((o) => o.groupId === groupId)
            .sort(ROLE_ORDER),
        ),
      byBrokerId: async (brokerOrderId) => {
        const id = s().brokerIds.get(brokerOrderId);
        return id === undefined ? undefined : copy(orderOf(id));
      },
      open: async () => copy(s().orders.filter((o) => OPEN_ORDER.has(o.status))),
      // The same steps as orders.repo.ts transitionOrder
      transition: async (orderId, event, source, fields = {}, dedupeKey) => {
        const order = orderOf(orderId);
        if (!order) throw new Error(`order ${orderId} not found`);
        if (dedupeKey && s().orderEvents.some((e) => e.dedupeKey === dedupeKey))
          return { ok: true, order: copy(order), changed: false };
        const about = fields.reportFor;
        if (
          about &&
          order.brokerOrderId !== null &&
          about.brokerOrderId !== order.brokerOrderId &&
          about.replacesOrderId !== order.brokerOrderId
        ) {
          event = {
            type: 'BrokerUpdate',
            brokerStatus: 'live',
            filledUnits: fields.filledUnits ?? 0,
            size: order.size,
          };
          fields = { ...(fields.filledUnits !== undefined ? { filledUnits: fields.filledUnits } : {}) };
        }
        const { reportFor: _about, ...recorded } = fields;
        const result = applyOrderEvent(order.status, event);
        if (!result.ok) return { ok: false, order: copy(order), changed: false, error: result.error };
        const filledUnits = Math.max(order.filledUnits, fields.filledUnits ?? 0);
        const stale =
          isTerminalOrder(order.status) &&
          (event.type === 'BrokerUpdate' || event.type === 'Accepted') &&
          !isTerminal(event.brokerStatus);
        const brokerStatus = stale ? null : (fields.brokerStatus ?? null);
        const bump =
          result.changed ||
          filledUnits !== order.filledUnits ||
          event.type !== 'BrokerUpdate' ||
          (fields.brokerOrderId !== undefined && fields.brokerOrderId !== order.brokerOrderId);
        const changed =
          result.changed ||
          filledUnits !== order.filledUnits ||
          (fields.brokerOrderId !== undefined && fields.brokerOrderId !== order.brokerOrderId);
        const from = order.status;
        const stamp = at();
        Object.assign(order, {
          status: result.status,
          updatedAt: bump ? stamp : order.updatedAt,
          brokerOrderId: fields.brokerOrderId ?? order.brokerOrderId,
          brokerStatus: brokerStatus ?? order.brokerStatus,
          filledUnits,
          limitPriceCents: fields.limitPriceCents ?? order.limitPriceCents,
          priceSteps: fields.priceSteps ?? order.priceSteps,
          rejectReason: fields.rejectReason ?? order.rejectReason,
          submittedAt: event.type === 'SubmitStarted' ? stamp : order.submittedAt,
        });
        if (fields.brokerOrderId !== undefined && !s().brokerIds.has(fields.brokerOrderId))
          s().brokerIds.set(fields.brokerOrderId, orderId);
        if (changed || event.type !== 'BrokerUpdate') {
          s().orderEvents.push({
            at: stamp,
            orderId,
            groupId: order.groupId,
            type: event.type,
            from,
            to: result.status,
            source,
            dedupeKey: dedupeKey ?? null,
            data: { ...event, ...recorded },
          });
        }
        return { ok: true, order: copy(order), changed };
      },
      othersOfTrade: async (tradeId, except, statuses) =>
        copy(
          s()
            .orders.filter(
              (o) => o.id !== except && statuses.includes(o.status) && groupOf(o.groupId)?.tradeId === tradeId,
            )
            .map((o) => ({ id: o.id, legs: o.legs })),
        ),
      absenceChecks: async (orderId, reason) => {
        const events = s().orderEvents.filter(
          (e) =>
            e.orderId === orderId &&
            e.type === 'OutcomeUnknown' &&
            e.source === 'reconcile' &&
            e.data['reason'] === reason,
        );
        return { n: events.length, first: events[0]?.at ?? null };
      },
      linkBrokerId: async (brokerOrderId, orderId) => {
        if (!s().brokerIds.has(brokerOrderId)) s().brokerIds.set(brokerOrderId, orderId);
      },
    },
    fills: {
      record: async (f) => {
        if (s().fills.some((x) => x.brokerFillId === f.brokerFillId)) return false;
        s().fills.push({ ...copy(f), recordedAt: seq++ });
        return true;
      },
      unitsOfOrder: async (order) => {
        const filled = sumBy(
          s()
            .fills.filter((f) => f.orderId === order.id)
            .map((f) => [f.symbol, f.quantity]),
        );
        const per = order.legs.map((l) =>
          Math.trunc((filled.get(l.symbol) ?? 0) / Math.trunc(l.quantity / order.size)),
        );
        return per.length === 0 ? 0 : Math.min(...per);
      },
      ofBrokerOrder: async (id) =>
        sumBy(
          s()
            .fills.filter((f) => f.brokerOrderId === id)
            .map((f) => [f.symbol, f.quantity]),
        ),
      ofOrder: async (id) =>
        sumBy(
          s()
            .fills.filter((f) => f.orderId === id)
            .map((f) => [f.symbol, f.quantity]),
        ),
      ofGroup: async (id) =>
        sumBy(
          s()
            .fills.filter((f) => f.groupId === id)
            .map((f) => [f.symbol, f.quantity]),
        ),
      countOfBrokerOrder: async (id) => s().fills.filter((f) => f.brokerOrderId === id).length,
      netOfGroup: async (id) =>
        sumBy(
          s()
            .fills.filter((f) => f.groupId === id)
            .map((f) => [f.symbol, signed(f.action, f.quantity)]),
        ),
      anyOfGroup: async (id) => s().fills.some((f) => f.groupId === id),
      cashOfGroup: async (id) =>
        s()
          .fills.filter((f) => f.groupId === id)
          .reduce((n, f) => n + (f.action.startsWith('Buy') ? -f.priceCents : f.priceCents) * f.quantity, 0),
      cashOfGroupRole: async (id, role) =>
        s()
          .fills.filter((f) => orderOf(f.orderId)?.groupId === id && orderOf(f.orderId)?.role === role)
          .reduce((n, f) => n + (f.action.startsWith('Sell') ? f.priceCents : -f.priceCents) * f.quantity, 0),
      firstOfGroup: async (id) => {
        const times = s()
          .fills.filter((f) => f.groupId === id)
          .map((f) => f.filledAt.getTime());
        return times.length === 0 ? null : new Date(Math.min(...times));
      },
      lastPrices: async (tradeId) => {
        const last = new Map<string, { t: number; r: number; price: number }>();
        for (const f of s().fills.filter((x) => x.tradeId === tradeId)) {
          const l = last.get(f.symbol);
          if (!l || f.filledAt.getTime() > l.t || (f.filledAt.getTime() === l.t && f.recordedAt > l.r))
            last.set(f.symbol, { t: f.filledAt.getTime(), r: f.recordedAt, price: f.priceCents });
        }
        return new Map([...last].map(([k, v]) => [k, v.price]));
      },
    },
    positions: {
      ofTrade: async (tradeId) => positions(tradeId),
      ofTrades: async (ids) => ids.flatMap((id) => positions(id)),
      held: async () =>
        [...new Set(s().trades.map((t) => t.id))]
          .sort()
          .flatMap((id) => positions(id))
          .filter((p) => p.quantity !== 0)
          .map(({ tradeId, symbol, quantity }) => ({ tradeId, symbol, quantity })),
    },
    audit: {
      append: async (event) => {
        if (event.dedupeKey && s().audit.some((e) => e.dedupeKey === event.dedupeKey)) return false;
        s().audit.push({ ...copy(event), id: s().audit.length + 1, at: at() });
        return true;
      },
    },
    tradingState: {
      get: async () => copy(s().tradingState),
      set: async (state, by, reason, options = {}) => {
        const before = s().tradingState;
        const flatten = options.flatten ?? (state === 'active' ? false : before.flatten === true);
        const value: TradingStateValue = {
          state,
          by,
          at: at().toISOString(),
          ...(reason ? { reason } : {}),
          ...(flatten ? { flatten: true } : {}),
        };
        s().tradingState = value;
        await store.audit.append({
          kind: state === 'active' ? 'resume' : 'halt',
          data: { ...value, ...options.audit },
        });
        return copy(value);
      },
    },
    settlements: {
      record: async (tradeId, x: Settlement, action) => {
        if (x.kind === 'other') throw new Error(`settlement ${x.id} (${x.subType}) changes no position of a trade`);
        if (s().settlements.some((r) => r.id === x.id)) return false;
        s().settlements.push({
          id: x.id,
          tradeId,
          kind: x.kind,
          symbol: x.symbol,
          action,
          quantity: x.quantity,
          priceCents: x.priceCents,
          feeCents: x.feeCents,
          executedAt: new Date(x.executedAt),
        });
        return true;
      },
      recordedIds: async (ids) => new Set(ids.filter((id) => s().settlements.some((r) => r.id === id))),
      optionOwners: async () =>
        new Map(
          s()
            .settlements.filter((r) => r.kind === 'assignment' || r.kind === 'exercise')
            .map((r) => [r.symbol, r.tradeId]),
        ),
      kindsOf: async (tradeId) =>
        new Set(
          s()
            .settlements.filter((r) => r.tradeId === tradeId)
            .map((r) => r.kind),
        ),
      deliveryPrices: async (tradeId) =>
        new Map(
          s()
            .settlements.filter((r) => r.tradeId === tradeId && r.kind === 'delivery')
            .map((r) => [r.symbol, r.priceCents]),
        ),
    },
    outsideCloses: {
      record: async (tradeId, f) => {
        if (s().outsideCloses.some((r) => r.transactionId === f.transactionId)) return false;
        s().outsideCloses.push({ ...copy(f), tradeId });
        return true;
      },
      recordedIds: async (ids) => new Set(ids.filter((id) => s().outsideCloses.some((r) => r.transactionId === id))),
      ordersOf: async (tradeId) => [
        ...new Set(
          s()
            .outsideCloses.filter((r) => r.tradeId === tradeId)
            .map((r) => r.brokerOrderId),
        ),
      ],
    },
    fees: {
      record: async (owners, transactions) => {
        let added = 0;
        for (const t of transactions) {
          const owner = owners.get(t.brokerOrderId);
          if (!owner || s().fees.some((f) => f.transactionId === t.id)) continue;
          s().fees.push({ transactionId: t.id, tradeId: owner.tradeId, quantity: t.quantity, totalCents: t.feeCents });
          added += 1;
        }
        return added;
      },
      ofTrades: async (ids) => {
        const all = [
          ...s().fees.map((f) => [f.tradeId, f.totalCents] as [string, number]),
          ...s().settlements.map((r) => [r.tradeId, r.feeCents] as [string, number]),
          ...s().outsideCloses.map((r) => [r.tradeId, r.feeCents] as [string, number]),
        ];
        return sumBy(all.filter(([id]) => ids.includes(id)));
      },
      fillOwners: async (tradeId) =>
        new Map(
          s()
            .fills.filter((f) => f.tradeId === tradeId)
            .map((f) => [f.brokerOrderId, { orderId: f.orderId, tradeId }]),
        ),
      coverage: async (tradeId) => ({
        filled: s()
          .fills.filter((f) => f.tradeId === tradeId)
          .reduce((n, f) => n + f.quantity, 0),
        covered: s()
          .fees.filter((f) => f.tradeId === tradeId)
          .reduce((n, f) => n + f.quantity, 0),
      }),
      tradesMissing: async () => [],
    },
    scans: {
      recordRuleVersion: async (v) => {
        if (!s().ruleVersions.has(v.hash))
          s().ruleVersions.set(v.hash, { name: v.name, file: v.file, content: v.content });
      },
      ruleVersion: async (hash) => {
        const v = s().ruleVersions.get(hash);
        return v && { file: v.file, content: v.content };
      },
      // One run per rule set and slot, as the table's unique key; finish, candidates and ranks are not kept
      start: async (run) => {
        const existing = s().scanRuns.find((r) => r.ruleSet === run.ruleSet && r.slot === run.slot);
        if (existing) return { run: copy(existing), created: false };
        const row: ScanRunRow = {
          ...run,
          status: 'running',
          underlyings: 0,
          candidatesEvaluated: 0,
          accepted: 0,
          error: null,
          startedAt: at(),
          finishedAt: null,
        };
        s().scanRuns.push(row);
        return { run: copy(row), created: true };
      },
      finish: async () => {},
      insertCandidates: async () => 0,
      candidatesOf: async () => [],
      setRanks: async () => {},
    },
    portfolio: {
      ensure: async (environment, accountNumber) => {
        let p = s().portfolios.find((x) => x.environment === environment && x.accountNumber === accountNumber);
        if (!p) {
          p = {
            id: s().portfolios.length + 1,
            environment,
            accountNumber,
            syncedAt: null,
            netLiqCents: null,
            cashCents: null,
            buyingPowerCents: null,
            maintenanceCents: null,
            greeks: null,
          };
          s().portfolios.push(p);
        }
        return copy(p);
      },
      get: async (environment, accountNumber) =>
        copy(s().portfolios.find((x) => x.environment === environment && x.accountNumber === accountNumber)),
      sync: async (portfolioId, b, positions) => {
        const p = s().portfolios.find((x) => x.id === portfolioId);
        if (!p) throw new Error(`no portfolio ${portfolioId}`);
        Object.assign(p, {
          syncedAt: new Date(b.syncedAt),
          netLiqCents: b.netLiqCents,
          cashCents: b.cashCents,
          buyingPowerCents: b.buyingPowerCents,
          maintenanceCents: b.maintenanceCents,
          greeks: b.greeks,
        });
        s().portfolioPositions.set(portfolioId, copy([...positions]));
      },
      positions: async (portfolioId) =>
        copy(s().portfolioPositions.get(portfolioId) ?? []).sort(
          (a, b) =>
            a.underlying.localeCompare(b.underlying) ||
            a.symbol.localeCompare(b.symbol) ||
            a.owner.localeCompare(b.owner),
        ),
      recordSnapshot: async (portfolioId, snap) => {
        const clash = s().snapshots.some(
          (x) =>
            x.portfolioId === portfolioId &&
            ((x.kind === snap.kind && x.at === snap.at) ||
              (snap.kind === 'close' && x.kind === 'close' && x.sessionDate === snap.sessionDate)),
        );
        if (clash) return false;
        s().snapshots.push({ ...copy(snap), id: ++seq, portfolioId });
        return true;
      },
      snapshotsSince: async (portfolioId, sinceMs, kind) =>
        copy(
          s()
            .snapshots.filter((x) => x.portfolioId === portfolioId && x.at >= sinceMs && (!kind || x.kind === kind))
            .sort((a, b) => a.at - b.at || a.id - b.id)
            .map(({ portfolioId: _p, ...rest }) => rest),
        ),
      latestSnapshot: async (portfolioId, kind) => {
        const last = s()
          .snapshots.filter((x) => x.portfolioId === portfolioId && (!kind || x.kind === kind))
          .sort((a, b) => b.at - a.at || b.id - a.id)[0];
        return last ? { at: last.at, sessionDate: last.sessionDate, netLiqCents: last.netLiqCents } : undefined;
      },
      peakNetLiq: async (portfolioId, sinceMs) => {
        const values = s()
          .snapshots.filter((x) => x.portfolioId === portfolioId && x.at >= sinceMs)
          .map((x) => x.netLiqCents);
        return values.length > 0 ? Math.max(...values) : null;
      },
    },
    failsafes: {
      active: async () => copy(s().trips.filter((t) => t.resetAt === null)),
      latest: async () => {
        const by = new Map<string, FailsafeTrip>();
        for (const t of s().trips) by.set(t.name, t);
        return copy([...by.values()]);
      },
      trip: async (name, reason, data) => {
        if (s().trips.some((t) => t.name === name && t.resetAt === null)) return false;
        s().trips.push({ id: ++seq, name, trippedAt: at(), reason, data, resetAt: null, resetBy: null });
        return true;
      },
      reset: async (by) => {
        const active = s().trips.filter((t) => t.resetAt === null);
        for (const t of active) Object.assign(t, { resetAt: at(), resetBy: by });
        return copy(active);
      },
      lastReset: async (name) => {
        const times = s()
          .trips.filter((t) => t.name === name && t.resetAt)
          .map((t) => t.resetAt!.getTime());
        return times.length > 0 ? new Date(Math.max(...times)) : null;
      },
    },
    promotions: {
      get: async (ruleSet, rulesHash) =>
        copy(s().promotions.find((p) => p.ruleSet === ruleSet && p.rulesHash === rulesHash)),
    },
    environment,
    tx: async (fn) => {
      const before = structuredClone(box.state);
      try {
        return await fn(store);
      } catch (error) {
        box.state = before;
        throw error;
      }
    },
    openLockHandles: () => openHandles,
    groupLock: async (groupId) => {
      let held = false;
      let open = true;
      openHandles += 1;
      return {
        tryAcquire: async () => {
          if (locked.has(groupId) && !held) return false;
          locked.add(groupId);
          held = true;
          return true;
        },
        release: async () => {
          if (held) locked.delete(groupId);
          held = false;
          if (open) openHandles -= 1;
          open = false;
        },
      };
    },
  };
  return store;
}
