// Owns the records Legwork keeps (trades, order groups, orders, fills, positions, audit events, settlements, scan runs,
// the trading state) as plain types: what the pipeline reads and writes through its Store port and src/store persists.
import type { LegAction } from './broker-order.js';
import type { GroupIntent, GroupStatus } from './order-group.js';
import type { OrderStatus } from './order.js';
import type { TradeStatus } from './trade-transitions.js';

// trades
export interface TradeLeg {
  symbol: string;
  streamerSymbol: string;
  action: 'Buy to Open' | 'Sell to Open';
  quantity: number; // per structure
  strike: number;
  right: 'C' | 'P';
  expiration: string;
}

export interface NewTrade {
  id: string;
  ruleSet: string;
  rulesHash: string;
  candidateId: string | null;
  strategy: string;
  underlying: string;
  expiration: string;
  quantity: number;
  legs: TradeLeg[];
  entryGroupId: string;
  riskCents: number;
  expectedCreditCents: number;
  facts: Record<string, unknown>;
  /**
   * Set for a trade that needs a human's approval (`execution.approval: manual`): it is created `awaiting_approval` and
   * expires at this broker time. Absent or null: created `pending`, for the executor at once.
   */
  approvalDeadline?: Date | null;
}

export interface TradeRow extends NewTrade {
  status: TradeStatus;
  approvalDeadline: Date | null;
  /** Who approved or rejected it (`cli:<user>`, `http:<user>`, …); null when nobody decided (auto, or expired). */
  approvalBy: string | null;
  /** When it was approved, rejected or expired (broker time). */
  approvalAt: Date | null;
  entryCreditCents: number | null;
  exitDebitCents: number | null;
  realizedPnlCents: number | null;
  exitReason: string | null;
  createdAt: Date;
  updatedAt: Date;
  openedAt: Date | null;
  closedAt: Date | null;
}

export type LimitedInsert =
  | { trade: TradeRow; created: boolean }
  | { blockedBy: { id: string; status: TradeStatus; ruleSet: string } };

export interface RiskSummary {
  openTrades: number;
  totalRiskCents: number;
  riskByUnderlying: Map<string, number>;
  underlyings: Set<string>;
}

export type TradeFields = Partial<
  Pick<TradeRow, 'entryCreditCents' | 'exitDebitCents' | 'realizedPnlCents' | 'exitReason'> & {
    /** Who approved or rejected (the Approve and Reject events). */
    approvalBy: string;
  }
>;

// groups
export interface GroupRow {
  id: string;
  tradeId: string;
  kind: 'entry' | 'exit';
  mode: 'combo' | 'legged';
  status: GroupStatus;
  intent: GroupIntent;
  filledUnits: number;
  reason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

// orders
export type OrderRole = 'package' | 'leg' | 'compensation';

export type EventSource = 'local' | 'http' | 'stream' | 'poll' | 'reconcile';

export interface OrderLegRow {
  symbol: string;
  instrumentType: 'Equity Option' | 'Equity';
  action: LegAction;
  quantity: number;
}

export interface OrderRow {
  id: string;
  groupId: string;
  role: OrderRole;
  seq: number;
  status: OrderStatus;
  brokerStatus: string | null;
  brokerOrderId: number | null;
  legs: OrderLegRow[];
  size: number;
  limitPriceCents: number | null;
  filledUnits: number;
  priceSteps: number;
  rejectReason: string | null;
  submittedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewOrder {
  id: string;
  groupId: string;
  role: OrderRole;
  seq: number;
  legs: OrderLegRow[];
  size: number;
  limitPriceCents: number | null;
}

export interface TransitionOutcome {
  ok: boolean;
  order: OrderRow;
  changed: boolean;
  error?: string;
}

export interface TransitionFields {
  brokerOrderId?: number;
  brokerStatus?: string;
  filledUnits?: number;
  limitPriceCents?: number;
  priceSteps?: number;
  rejectReason?: string;
  /**
   * The broker order a report is about. Checked under the row lock: if the order has moved to another broker id
   * since the caller read it (a replace committed in between), the report is stale: its fills count, its status not.
   */
  reportFor?: { brokerOrderId: number; replacesOrderId?: number };
}

export interface FillRecord {
  brokerFillId: string;
  orderId: string;
  groupId: string;
  tradeId: string;
  brokerOrderId: number;
  symbol: string;
  action: LegAction;
  quantity: number;
  priceCents: number;
  filledAt: Date;
}

export interface PositionRow {
  tradeId: string;
  symbol: string;
  quantity: number;
  cashCents: number;
}

// settings
/** active: entries and exits; halted: no new entries, exits still managed; reducing: only closing orders (after a broken group). */
export type TradingState = 'active' | 'halted' | 'reducing';

export interface TradingStateValue {
  state: TradingState;
  reason?: string;
  by?: string;
  at?: string;
  /**
   * A standing flatten request (`halt --flatten`): every exit cycle closes whatever Legwork still holds until nothing
   * is held. Kept across halted/reducing changes; cleared only by `resume`.
   */
  flatten?: boolean;
}

export const allowsEntries = (s: TradingStateValue): boolean => s.state === 'active';

// audit
export type AuditKind =
  | 'scan_completed'
  | 'trade_selected'
  | 'trade_skipped'
  | 'order_planned'
  | 'order_sent'
  | 'order_unknown'
  | 'order_refused'
  | 'order_reconciled'
  | 'price_step'
  | 'fill'
  | 'rollback'
  | 'exit_triggered'
  | 'halt'
  | 'resume'
  | 'alert'
  | 'rules_refused'
  | 'trade_repaired'
  | 'exit_deferred'
  | 'flatten'
  | 'position_explained'
  | 'settlement_recorded'
  /** Fills of a broker order not ours that closed part of a trade by hand, recorded against it. */
  | 'outside_close_recorded'
  | 'account_limits_checked'
  | 'promotion'
  | 'rule_set_unpromoted'
  | 'trade_proposed'
  | 'trade_approved'
  | 'trade_rejected'
  | 'approval_expired'
  /** A chat command (Discord): user, channel, command, outcome (ok, invalid, forbidden, declined, error). */
  | 'chat_command'
  /** A chat message or interaction from a user or channel not on the lists: not answered. */
  | 'chat_refused';

export interface AuditEvent {
  kind: AuditKind;
  tradeId?: string | null;
  groupId?: string | null;
  orderId?: string | null;
  /** When set, a second append with the same key is ignored (idempotent replays). */
  dedupeKey?: string;
  data?: Record<string, unknown>;
}

export interface AuditRow {
  id: number;
  at: Date;
  kind: AuditKind;
  tradeId: string | null;
  groupId: string | null;
  orderId: string | null;
  data: Record<string, unknown>;
}

// settlements
export type SettlementAction = 'Buy to Open' | 'Sell to Open' | 'Buy to Close' | 'Sell to Close';

// scans
export interface RuleVersion {
  hash: string;
  name: string;
  file: string;
  content: string;
}

export interface ScanRunRow {
  id: string;
  ruleSet: string;
  rulesHash: string;
  slot: string;
  status: 'running' | 'completed' | 'failed';
  underlyings: number;
  candidatesEvaluated: number;
  accepted: number;
  error: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

export interface CandidateInsert {
  id: string;
  candidateKey: string;
  ruleSet: string;
  rulesHash: string;
  strategy: string;
  underlying: string;
  expiration: string;
  dte: number;
  creditMidCents: number;
  creditNaturalCents: number;
  facts: Record<string, unknown>;
  legs: unknown[];
  trace: unknown;
}

export interface CandidateRow extends Omit<CandidateInsert, 'trace'> {
  scanRunId: string;
  rank: number | null;
  score: number | null;
  selected: boolean;
  trace: unknown;
  createdAt: Date;
}
