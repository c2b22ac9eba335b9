// Owns the Store port: every record the pipeline reads or writes, as repositories named after what they do, plus bounded
// transactions and the executor's per-group lock. PostgreSQL implements it (src/store/postgres-store.ts); tests may
// use an in-memory one. The pipeline never sees SQL.
import type { BrokerTransaction } from '../domain/account.js';
import type { GroupEventType } from '../domain/group-transitions.js';
import type { GroupIntent } from '../domain/order-group.js';
import type { OrderEvent } from '../domain/order.js';
import type {
  AuditEvent,
  CandidateInsert,
  CandidateRow,
  EventSource,
  FillRecord,
  GroupRow,
  LimitedInsert,
  NewOrder,
  NewTrade,
  OrderRow,
  PositionRow,
  RiskSummary,
  RuleVersion,
  ScanRunRow,
  SettlementAction,
  TradeFields,
  TradeRow,
  TradingState,
  TradingStateValue,
  TransitionFields,
  TransitionOutcome,
} from '../domain/records.js';
import type {
  BalancesSync,
  Environment,
  FailsafeName,
  FailsafeTrip,
  PortfolioPosition,
  PortfolioRow,
  SnapshotInput,
  SnapshotRow,
} from '../domain/portfolio.js';
import type { OutsideFill } from '../domain/outside-close.js';
import type { Promotion } from '../domain/promotion.js';
import type { Settlement } from '../domain/settlement.js';
import type { TradeEventType, TradeStatus } from '../domain/trade-transitions.js';

export interface TradesRepo {
  get(id: string): Promise<TradeRow | undefined>;
  /** Newest first; `limit` defaults to 200. */
  list(options?: { statuses?: TradeStatus[]; limit?: number }): Promise<TradeRow[]>;
  /**
   * One event of the trade state machine as a compare-and-set; false when the trade was in none of its source statuses.
   * `approvalBy` records who approved or rejected; Approve, Reject and ApprovalExpired stamp `approvalAt`.
   */
  move(id: string, event: TradeEventType, fields?: TradeFields): Promise<boolean>;
  /** A kept partial entry becomes a smaller trade (only while pending or opening). */
  setQuantity(id: string, quantity: number): Promise<boolean>;
  /** Corrects the realised P&L of a settled trade whose fees arrived late. */
  correctRealizedPnl(id: string, realizedPnlCents: number): Promise<boolean>;
  /**
   * Inserts a pending trade (`awaiting_approval` when it carries an `approvalDeadline`) unless another active trade holds
   * its underlying (atomic). The trade records the Store's environment (the process's TT_ENV); a Store without one
   * throws.
   */
  insertPendingWithinLimit(trade: NewTrade): Promise<LimitedInsert>;
  riskSummary(ruleSet?: string): Promise<RiskSummary>;
  /** Broken trades' ids, oldest first. */
  brokenIds(): Promise<string[]>;
  /** Open or broken trades the broker settled something of, or a trader closed something of by hand, that hold nothing any more. */
  settledFlatIds(): Promise<string[]>;
}

export interface GroupsRepo {
  get(id: string): Promise<GroupRow | undefined>;
  /** Writes the intent before any broker call; a second insert of the same id returns the stored group. */
  insert(id: string, intent: GroupIntent): Promise<{ group: GroupRow; created: boolean }>;
  /** One event of the group state machine as a compare-and-set; false when the group was in none of its source statuses. */
  move(id: string, event: GroupEventType, fields?: { filledUnits?: number; reason?: string }): Promise<boolean>;
  /** Groups still planned, submitting, working or compensating, oldest first. */
  open(): Promise<GroupRow[]>;
  ofTrade(tradeId: string): Promise<GroupRow[]>;
  owner(id: string): Promise<{ kind: 'entry' | 'exit'; tradeId: string } | undefined>;
  /** Entry groups with orders at the broker, but `exceptGroupId`. */
  workingEntryCount(exceptGroupId: string): Promise<number>;
  /** planned → submitting while fewer than `max` entry groups work, atomically across processes. */
  claimWorkingSlot(group: Pick<GroupRow, 'id' | 'kind'>, max: number): Promise<'claimed' | 'full' | 'lost'>;
  /** Broken groups whose trade is not settled, oldest first. */
  brokenUnsettledIds(): Promise<string[]>;
  /** Orders with an open outcome, events so far, the latest change of the group's orders (or the group's). */
  activity(
    group: Pick<GroupRow, 'id' | 'updatedAt'>,
  ): Promise<{ unsettled: number; events: number; last: Date | null }>;
}

export interface OrdersRepo {
  /** Persists one broker order's intent before it is sent; idempotent on (group, role, seq). */
  insertPlanned(order: NewOrder): Promise<{ order: OrderRow; created: boolean }>;
  get(id: string): Promise<OrderRow | undefined>;
  ofGroup(groupId: string): Promise<OrderRow[]>;
  /** Our order behind a broker id, including ids it had before a replace. */
  byBrokerId(brokerOrderId: number): Promise<OrderRow | undefined>;
  /** Orders not yet terminal, oldest first. */
  open(): Promise<OrderRow[]>;
  /** One event of the order state machine under a row lock, with its order event (atomic; a dedupe key makes a replay a no-op). */
  transition(
    orderId: string,
    event: OrderEvent,
    source: EventSource,
    fields?: TransitionFields,
    dedupeKey?: string,
  ): Promise<TransitionOutcome>;
  /** The other orders of a trade in one of `statuses`. */
  othersOfTrade(
    tradeId: string,
    exceptOrderId: string,
    statuses: readonly string[],
  ): Promise<Pick<OrderRow, 'id' | 'legs'>[]>;
  /** How often reconciliation recorded the order as not found for `reason`, and when first. */
  absenceChecks(orderId: string, reason: string): Promise<{ n: number; first: Date | null }>;
  /** Records that a broker order id belongs to our order. */
  linkBrokerId(brokerOrderId: number, orderId: string): Promise<void>;
}

export interface FillsRepo {
  /** Records a fill once (the broker's fill id is the key); true when it is new. */
  record(fill: FillRecord): Promise<boolean>;
  /** Units filled across an order's replace chain. */
  unitsOfOrder(order: Pick<OrderRow, 'id' | 'legs' | 'size'>): Promise<number>;
  /** Contracts per symbol (unsigned) under one broker order id / of one order / of one group. */
  ofBrokerOrder(brokerOrderId: number): Promise<Map<string, number>>;
  ofOrder(orderId: string): Promise<Map<string, number>>;
  ofGroup(groupId: string): Promise<Map<string, number>>;
  countOfBrokerOrder(brokerOrderId: number): Promise<number>;
  /** Net contracts per symbol of a group (buys +, sells −), zeros included. */
  netOfGroup(groupId: string): Promise<Map<string, number>>;
  anyOfGroup(groupId: string): Promise<boolean>;
  /** Signed cash of a group's fills (credit +, debit −), cents per share × contracts. */
  cashOfGroup(groupId: string): Promise<number>;
  /** The same, of the group's orders of one role. */
  cashOfGroupRole(groupId: string, role: 'package' | 'compensation'): Promise<number>;
  firstOfGroup(groupId: string): Promise<Date | null>;
  /** Last fill price per symbol of a trade, cents per share. */
  lastPrices(tradeId: string): Promise<Map<string, number>>;
}

export interface PositionsRepo {
  /** What a trade holds per symbol (net fills and settlements) and its cash, by symbol. */
  ofTrade(tradeId: string): Promise<PositionRow[]>;
  ofTrades(tradeIds: readonly string[]): Promise<PositionRow[]>;
  /** Every non-zero position of every trade. */
  held(): Promise<{ tradeId: string; symbol: string; quantity: number }[]>;
}

export interface AuditRepo {
  /** Appends one event; false when its dedupe key was already recorded. */
  append(event: AuditEvent): Promise<boolean>;
}

export interface TradingStateRepo {
  get(): Promise<TradingStateValue>;
  /** Sets the state with a halt/resume audit event (atomic). */
  set(
    state: TradingState,
    by: string,
    reason?: string,
    options?: { flatten?: boolean; audit?: Record<string, unknown> },
  ): Promise<TradingStateValue>;
}

export interface SettlementsRepo {
  record(tradeId: string, settlement: Settlement, action: SettlementAction): Promise<boolean>;
  recordedIds(ids: readonly number[]): Promise<Set<number>>;
  /** Option symbols whose assignment or exercise a trade recorded → that trade. */
  optionOwners(): Promise<Map<string, string>>;
  kindsOf(tradeId: string): Promise<Set<string>>;
  /** Price per unit (cents) of the latest delivery of each symbol of a trade. */
  deliveryPrices(tradeId: string): Promise<Map<string, number>>;
}

/** Closes by hand outside Legwork (fills of broker orders not ours), recorded against the trade they closed. */
export interface OutsideClosesRepo {
  /** Records one closing fill for a trade, once per broker transaction; true when it is new. */
  record(tradeId: string, fill: OutsideFill): Promise<boolean>;
  recordedIds(ids: readonly number[]): Promise<Set<number>>;
  /** The broker orders that closed part of a trade by hand, oldest first. */
  ordersOf(tradeId: string): Promise<number[]>;
}

export interface FeesRepo {
  record(
    owners: ReadonlyMap<number, { orderId: string; tradeId: string }>,
    transactions: readonly BrokerTransaction[],
  ): Promise<number>;
  ofTrades(tradeIds: readonly string[]): Promise<Map<string, number>>;
  /** Broker order ids of a trade's fills → our order ids. */
  fillOwners(tradeId: string): Promise<Map<number, { orderId: string; tradeId: string }>>;
  coverage(tradeId: string): Promise<{ filled: number; covered: number }>;
  /** Settled trades whose recorded fees cover less than their fills. */
  tradesMissing(days?: number): Promise<{ id: string; underlying: string }[]>;
}

export interface ScansRepo {
  recordRuleVersion(version: RuleVersion): Promise<void>;
  ruleVersion(hash: string): Promise<{ file: string; content: string } | undefined>;
  start(run: {
    id: string;
    ruleSet: string;
    rulesHash: string;
    slot: string;
  }): Promise<{ run: ScanRunRow; created: boolean }>;
  finish(
    id: string,
    result: {
      status: 'completed' | 'failed';
      underlyings: number;
      candidatesEvaluated: number;
      accepted: number;
      error?: string;
    },
  ): Promise<void>;
  insertCandidates(scanRunId: string, rows: CandidateInsert[]): Promise<number>;
  candidatesOf(scanRunId: string): Promise<CandidateRow[]>;
  setRanks(
    scanRunId: string,
    ranks: { candidateKey: string; rank: number; score: number; selected: boolean }[],
  ): Promise<void>;
}

export interface PortfolioRepo {
  /** The account's portfolio, created on first use (one per environment and account, whoever asks first). */
  ensure(environment: Environment, accountNumber: string): Promise<PortfolioRow>;
  get(environment: Environment, accountNumber: string): Promise<PortfolioRow | undefined>;
  /** Replaces balances and positions with one sync's (atomic). */
  sync(portfolioId: number, balances: BalancesSync, positions: readonly PortfolioPosition[]): Promise<void>;
  positions(portfolioId: number): Promise<PortfolioPosition[]>;
  /** False when that session's close (or a point at that instant) is already recorded. */
  recordSnapshot(portfolioId: number, snapshot: SnapshotInput): Promise<boolean>;
  /** Oldest first. */
  snapshotsSince(portfolioId: number, sinceMs: number, kind?: 'close' | 'intraday'): Promise<SnapshotRow[]>;
  latestSnapshot(
    portfolioId: number,
    kind?: 'close' | 'intraday',
  ): Promise<{ at: number; sessionDate: string; netLiqCents: number } | undefined>;
  /** The highest net liquidating value of the snapshots since `sinceMs`, or null. */
  peakNetLiq(portfolioId: number, sinceMs: number): Promise<number | null>;
}

export interface FailsafesRepo {
  active(): Promise<FailsafeTrip[]>;
  /** The latest trip of each failsafe, active or reset. */
  latest(): Promise<FailsafeTrip[]>;
  /** False when the failsafe is already tripped. */
  trip(name: FailsafeName, reason: string, data: Record<string, unknown>): Promise<boolean>;
  /** Resets every active trip (`legwork resume`). */
  reset(by: string): Promise<FailsafeTrip[]>;
  lastReset(name: FailsafeName): Promise<Date | null>;
}

export interface PromotionsRepo {
  /** The promotion of exactly this rule set and content hash, if someone promoted it (`legwork promote`). */
  get(ruleSet: string, rulesHash: string): Promise<Promotion | undefined>;
}

/** A lock held by one session (a dedicated connection): released by `release`, or when the process dies. */
export interface SessionLock {
  /** Tries once; false while another session holds it. */
  tryAcquire(): Promise<boolean>;
  /** Drops the lock if held and gives the session back; bounded, never throws. */
  release(): Promise<void>;
}

export interface Store {
  trades: TradesRepo;
  groups: GroupsRepo;
  orders: OrdersRepo;
  fills: FillsRepo;
  positions: PositionsRepo;
  audit: AuditRepo;
  tradingState: TradingStateRepo;
  settlements: SettlementsRepo;
  outsideCloses: OutsideClosesRepo;
  fees: FeesRepo;
  scans: ScansRepo;
  portfolio: PortfolioRepo;
  failsafes: FailsafesRepo;
  promotions: PromotionsRepo;
  /**
   * The environment this Store's process trades in (TT_ENV): what new trades record. Unset for a Store opened only to
   * read (a report): it refuses to insert a trade.
   */
  readonly environment: Environment | undefined;
  /**
   * Runs `fn` in one transaction that settles (value or error) within a deadline; `fn` gets a Store bound to it.
   * Atomic operations of the transaction's store (transition, claimWorkingSlot, …) join it.
   */
  tx<T>(fn: (store: Store) => Promise<T>): Promise<T>;
  /** The executor's lock of one group (one run at a time, across processes); not inside `tx`. */
  groupLock(groupId: string): Promise<SessionLock>;
}
