// Owns the contracts between Legwork's pipeline and the outside world (broker, market data, the clock, where trade
// proposals are announced). Interfaces only.
import type { Balances, BrokerTransaction, DryRunResult, MarketSessionInfo, Position } from '../domain/account.js';
import type { BrokerOrder, OrderRequest } from '../domain/broker-order.js';
import type { TradeRow } from '../domain/records.js';
import type { Settlement } from '../domain/settlement.js';
import type { DailyClose, MarketMetrics, MarketSnapshot, OptionChain } from '../domain/market.js';

/**
 * Orders, positions and balances of one account. Every method throws BrokerError (src/domain/broker-error.ts)
 * on failure, classified so that a submit whose outcome is unknown is never retried blindly.
 */
export interface SendOptions {
  /**
   * Runs once the request may leave (after the request budget admitted it), immediately before it is sent; a
   * BrokerError('rejected') it throws means nothing was sent. How a halt set while an order waited to go stops it.
   */
  beforeSend?: () => Promise<void>;
}

export interface Broker {
  readonly accountNumber: string;
  /** Preflight without placing. A refused order throws BrokerError('rejected') with the broker's sub-errors. */
  dryRun(order: OrderRequest): Promise<DryRunResult>;
  /** Places the order once. Never retried internally: a timeout or 5xx throws BrokerError('unknown'). */
  submit(order: OrderRequest & { externalId: string }, options?: SendOptions): Promise<BrokerOrder>;
  cancel(brokerOrderId: number): Promise<BrokerOrder>;
  /** Cancel/replace with a new price: returns the NEW order (new broker id, `replacesOrderId` = the old one). */
  replace(
    brokerOrderId: number,
    change: { limitPriceCents: number; timeInForce?: 'Day' | 'GTC' },
    options?: SendOptions,
  ): Promise<BrokerOrder>;
  getOrder(brokerOrderId: number): Promise<BrokerOrder>;
  /** Orders created or updated today in any status, plus working GTC orders. */
  liveOrders(): Promise<BrokerOrder[]>;
  /** Orders carrying our id as `external-identifier` (today's and recent ones). */
  findByExternalId(externalId: string): Promise<BrokerOrder[]>;
  positions(): Promise<Position[]>;
  balances(): Promise<Balances>;
  /** Trade transactions (leg fills with their fees), newest first, one page; `underlyingSymbol` narrows them. */
  transactions(query?: {
    underlyingSymbol?: string;
    perPage?: number;
    pageOffset?: number;
  }): Promise<BrokerTransaction[]>;
  /**
   * Receive Deliver transactions (expirations, assignments, exercises, share deliveries), newest first, one page;
   * `underlyingSymbol` narrows them.
   */
  settlements(query?: { underlyingSymbol?: string; perPage?: number; pageOffset?: number }): Promise<Settlement[]>;
  marketSession(): Promise<MarketSessionInfo>;
}

/** `sequence` is the streamer's `ws-sequence` when it sent one: the true order of pushes within one connection. */
export type AccountEvent =
  | { kind: 'order'; order: BrokerOrder; receivedAt: number; sequence?: number }
  | { kind: 'position'; position: Position; receivedAt: number; sequence?: number }
  | { kind: 'balance'; balances: Balances; receivedAt: number; sequence?: number }
  /** Connection changes; after `resynced` every working order has been re-read over REST. */
  | {
      kind: 'connection';
      state: 'connected' | 'disconnected' | 'silent' | 'resynced';
      detail?: string;
      receivedAt: number;
    };

/** Typed account events with reconnect, silence detection and REST catch-up after each reconnect. */
export interface AccountEvents {
  start(): Promise<void>;
  stop(): Promise<void>;
  onEvent(listener: (event: AccountEvent) => void): () => void;
  readonly connected: boolean;
}

export interface MarketData {
  /** Metrics for many symbols in batched calls; symbols the broker does not know are absent. */
  metrics(symbols: string[]): Promise<Map<string, MarketMetrics>>;
  /** Nested option chain, cached for a TTL. */
  chain(underlying: string): Promise<OptionChain>;
  /**
   * Quotes (and greeks for options) of many streamer symbols: subscribe, wait until every symbol has data or
   * the deadline passes, unsubscribe. Symbols without data by then are listed in `missing`.
   */
  snapshot(streamerSymbols: string[], options?: { timeoutMs?: number; greeks?: boolean }): Promise<MarketSnapshot>;
  /**
   * Daily closes of underlyings for historical risk (VaR, correlation): per symbol the last `days` trading days with a
   * close before today's New York date (today's session is still forming), oldest first, dated YYYY-MM-DD in New York.
   * Fewer when the broker has less history; a symbol it has none for is absent. Cached per symbol per New York date.
   */
  dailyCloses(symbols: string[], days: number): Promise<Map<string, DailyClose[]>>;
  close(): Promise<void>;
}

/**
 * The broker's time, the one clock every decision reads (days to expiration, time stops, fill and leg deadlines,
 * price-walk steps, reconciliation windows, quote ages, schedules). Wall time for Tastytrade; the venue's clock under
 * TT_ENV=sim, which may be replayed faster, frozen, or jump forward. Network timeouts stay on wall time.
 */
export interface Clock {
  /** Broker time, epoch ms. Never goes backwards by less than a second (model jitter); a venue reset may. */
  now(): number;
  /**
   * Waits `ms` of broker time: ms / speed of wall time, ending early when broker time jumps past the end, never under
   * a frozen clock until it is advanced. Rejects with ShutdownError as soon as `signal` is aborted.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Broker ms per wall ms: 1 for wall time, the replay speed of the venue, 0 when frozen. */
  speed(): number;
  /** `wall`: this machine's clock (Tastytrade, or LEGWORK_CLOCK=wall); `venue`: the sim venue's clock. */
  readonly source: 'wall' | 'venue';
  /** Stops background syncing. */
  close(): void;
}

/** How a proposed trade's wait for approval ended, as told to the ApprovalNotifier. */
export type ApprovalOutcome =
  /** Approved by `by` (`cli:<user>`, `http:<user>`, `discord:<user>`): it is pending now and queued for the executor. */
  | { kind: 'approved'; by: string; reason?: string }
  /** Rejected by `by`: it ends `rejected`, its exit reason names who and why. */
  | { kind: 'rejected'; by: string; reason?: string }
  /** Nobody decided before its deadline: it ends `rejected` ("approval expired"). */
  | { kind: 'expired' }
  /**
   * Approved, then refused when its entry was planned on fresh quotes (the market moved: its credit fell below the
   * rule's floor). It ends `rejected` with `reason`. A later denial by the pre-trade gate (halted, buying power, …) is not
   * told here: it is the trade's exit reason, like any entry's.
   */
  | { kind: 'refused'; by: string; reason: string };

/**
 * Where trades of rule sets with `execution.approval: manual` are proposed to a human, and where the outcome is told
 * (the Discord bot implements it; the default does nothing). Approvals come back through `decideApproval`
 * (src/pipeline/approval.ts), whatever the channel. Calls are best effort: a failure is logged and never fails the
 * scan, the decision or the sweep. `proposed` may come more than once for one trade (a retried scan): key the message
 * by `trade.id`. The trade's `approvalDeadline` says until when it may be approved (broker time).
 */
export interface ApprovalNotifier {
  proposed(trade: TradeRow): Promise<void>;
  resolved(trade: TradeRow, outcome: ApprovalOutcome): Promise<void>;
}
