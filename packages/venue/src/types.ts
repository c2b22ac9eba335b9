// Owns the contracts between the local venue's parts (clock, market model, venue core, protocol faces).
// Types only: no logic, no I/O. Every venue module depends on this file, never on each other's internals.

/** Epoch milliseconds on the venue's clock (may differ from the wall clock). */
export type VenueMillis = number;

/** Integer US cents. All venue money (order prices, fills, balances) is kept in cents. */
export type Cents = number;

export type SessionState = 'Open' | 'Closed' | 'Pre-market' | 'Extended';

/** One US equity market session as Tastytrade's /market-time/sessions/current reports it. */
export interface MarketSession {
  state: SessionState;
  /** Regular-session open/close of the current (or next, when closed) trading day. */
  openAt: VenueMillis;
  closeAt: VenueMillis;
  /** Extended hours bounds (pre-market start 04:00 ET, after-hours end 20:00 ET). */
  startAt: VenueMillis;
  closeAtExt: VenueMillis;
  nextOpenAt: VenueMillis;
  /** YYYY-MM-DD of the trading day in New York. */
  tradingDate: string;
}

export type ClockSpec =
  | { mode: 'open' } // wall clock, market always open
  | { mode: 'real' } // wall clock, real US hours and holidays
  | { mode: 'replay'; startAt: VenueMillis; speed: number }; // accelerated from startAt; speed 0 = frozen (test-controlled)

export interface MarketClock {
  readonly spec: ClockSpec;
  now(): VenueMillis;
  /** Moves simulated time forward (all modes: adds an offset). Listeners run synchronously. */
  advance(ms: number): void;
  /** True in `open` mode; otherwise from the US calendar. */
  session(at?: VenueMillis): MarketSession;
  isMarketOpen(at?: VenueMillis): boolean;
  onAdvance(listener: (now: VenueMillis) => void): () => void;
  /** Simulated ms per wall ms: 1 in `open`/`real`, the replay speed otherwise (0 = frozen). */
  readonly speed: number;
  /** How many times `advance` moved the clock (a client's model of the clock re-syncs when this changes). */
  jumps(): number;
}

export type OptionRight = 'C' | 'P';
export type ExpirationType = 'Regular' | 'Weekly' | 'Quarterly' | 'End-Of-Month';

export interface TickSize {
  /** Applies to prices strictly below the threshold; the entry without a threshold is the fallback. */
  threshold?: number;
  value: number;
}

export interface UnderlyingSpec {
  symbol: string;
  description: string;
  spot: number; // initial spot, dollars
  vol: number; // annualised ATM implied vol at 30 days, e.g. 0.18
  dividendYield: number;
  /** 1 (illiquid) .. 5 (very liquid), Tastytrade's liquidity-rating. */
  liquidityRating: number;
  pennyProgram: boolean;
  /** Strike spacing near the money, dollars (e.g. 1 for SPY, 2.5 or 5 for others). */
  strikeStep: number;
  beta: number;
  sector: string;
  industry: string;
  /** Days from the clock's start to the next earnings report; null for ETFs. */
  earningsInDays: number | null;
  earningsTimeOfDay?: 'BTO' | 'AMC';
}

export interface ChainStrike {
  strike: number;
  callSymbol: string; // OCC, e.g. "SPY   261218C00600000"
  putSymbol: string;
  callStreamerSymbol: string; // ".SPY261218C600"
  putStreamerSymbol: string;
}

export interface ChainExpiration {
  expirationDate: string; // YYYY-MM-DD
  expirationType: ExpirationType;
  settlementType: 'PM' | 'AM';
  daysToExpiration: number;
  expiresAt: VenueMillis; // 16:00 New York on expirationDate
  stopsTradingAt: VenueMillis;
  strikes: ChainStrike[];
}

export interface OptionChain {
  underlyingSymbol: string;
  rootSymbol: string;
  sharesPerContract: number;
  tickSizes: TickSize[];
  expirations: ChainExpiration[];
}

export interface OptionContract {
  symbol: string; // OCC
  streamerSymbol: string;
  underlying: string;
  rootSymbol: string;
  expirationDate: string;
  expiresAt: VenueMillis;
  strike: number;
  right: OptionRight;
  expirationType: ExpirationType;
  settlementType: 'PM' | 'AM';
}

/** A two-sided quote in dollars, already rounded to the instrument's ticks. */
export interface Quote {
  symbol: string; // OCC for options, ticker for equities
  bid: number;
  ask: number;
  bidSize: number;
  askSize: number;
  mid: number;
  last: number;
  time: VenueMillis;
}

export interface Greeks {
  symbol: string;
  price: number; // theoretical value
  volatility: number; // implied vol as a fraction
  delta: number;
  gamma: number;
  theta: number; // per calendar day, dollars per share
  vega: number; // per 1 vol point (0.01), dollars per share
  rho: number;
  time: VenueMillis;
}

export interface DaySummary {
  symbol: string;
  dayOpen: number;
  dayHigh: number;
  dayLow: number;
  prevDayClose: number;
  openInterest: number; // 0 for equities
  dayVolume: number;
  time: VenueMillis;
}

/** One NYSE trading day of an underlying (dollars; the daily Candle the DXLink server sends). */
export interface DailyBar {
  date: string; // New York trading date, YYYY-MM-DD
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** False for today's bar while its session is under way: its close is the latest price. */
  final: boolean;
}

export interface MarketMetrics {
  symbol: string;
  ivIndex: number; // fraction
  ivIndex5DayChange: number;
  ivRank: number; // fraction 0..1
  ivPercentile: number; // fraction 0..1
  iv30: number; // percent, e.g. 26.53
  hv30: number; // percent
  hv60: number;
  hv90: number;
  liquidityRating: number;
  liquidityRank: number;
  liquidityValue: number;
  beta: number;
  corrSpy3Month: number;
  marketCap: number;
  dividendYield: number;
  sector: string;
  industry: string;
  earnings: null | { expectedReportDate: string; timeOfDay?: 'BTO' | 'AMC'; estimated: boolean };
  /** Per expiration: implied vol (fraction). */
  expirationIvs: { expirationDate: string; settlementType: 'PM' | 'AM'; impliedVolatility: number }[];
  updatedAt: VenueMillis;
}

/**
 * The market model as every other venue part sees it. Deterministic for a seed and a sequence of clock
 * operations. Prices move (GBM) as simulated time passes; reads at the same instant return the same values.
 */
export interface MarketModel {
  underlyings(): string[];
  hasUnderlying(symbol: string): boolean;
  spec(symbol: string): UnderlyingSpec | undefined;
  spot(underlying: string): number;
  /** Spot at an instant (outside regular hours in real/replay modes: the last close's price). */
  spotAt(underlying: string, at: VenueMillis): number;
  /** Chain as of now (expirations roll with the clock's date). Undefined for unknown underlyings. */
  chain(underlying: string): OptionChain | undefined;
  /** Parses and validates an OCC symbol against the listed chain; undefined when not listed. */
  contract(occSymbol: string): OptionContract | undefined;
  /** Quote for an equity ticker or an OCC option symbol; undefined when unknown or expired. */
  quote(symbol: string): Quote | undefined;
  greeks(occSymbol: string): Greeks | undefined;
  summary(symbol: string): DaySummary | undefined;
  metrics(underlying: string): MarketMetrics | undefined;
  /**
   * Daily bars of an underlying, oldest first, one per NYSE trading day from `fromDate` (YYYY-MM-DD) through today
   * (today's while its session is under way, not final). Before the day the underlying entered the model the bars are
   * a seeded history, correlated with SPY, that ends in the model's own price; after it, the model's own sessions.
   * Undefined for an unknown underlying.
   */
  dailyBars(underlying: string, fromDate: string): DailyBar[] | undefined;
  /** Maps a dxFeed streamer symbol (".SPY261218C600" or "SPY") to the OCC symbol or ticker. */
  fromStreamerSymbol(streamerSymbol: string): string | undefined;
  /** Control: jump spot and/or vol (vol = new ATM 30-day IV as a fraction). */
  setMarket(underlying: string, change: { spot?: number; vol?: number }): void;
  /** Adds (or replaces) an underlying at runtime. */
  addUnderlying(spec: UnderlyingSpec): void;
  /** Fires after prices changed (clock advanced or a control move); `symbols` are the underlyings that moved. */
  onChange(listener: (underlyings: string[]) => void): () => void;
}

// ---------------------------------------------------------------------------------------------------------------
// Venue core contracts (orders, fills, positions, balances). Wire objects are Tastytrade JSON (kebab-case keys).

export type JsonObject = { [key: string]: unknown };

export type FillBehaviorKind = 'immediate' | 'delayed' | 'never' | 'partial' | 'reject';

export interface FillBehavior {
  behavior: FillBehaviorKind;
  /** delayed: wall-clock-independent delay in simulated ms before the order may fill (default 2000). */
  delayMs?: number;
  /** reject: Tastytrade error code to reject with (default "order_rejected"). */
  code?: string;
  message?: string;
  /** reject: OCC symbol of the one leg that causes the rejection (the whole order is still rejected). */
  leg?: string;
  /** partial: spread units filled now; the rest never fills (default: half, at least 1). */
  quantity?: number;
}

/** Where a fill behaviour applies. First match wins: next-order rules, then symbol, then underlying, then default. */
export interface FillRule extends FillBehavior {
  underlying?: string;
  symbol?: string;
  next?: boolean;
}

export interface WireError {
  code: string;
  message: string;
  /** Preflight sub-errors use code/message; request validation errors use domain/reason (both recorded). */
  errors?: ({ code: string; message: string } | { domain: string; reason: string })[];
}

export type VenueResult<T> = { ok: true; value: T } | { ok: false; httpStatus: number; error: WireError };

export type VenueEvent =
  | { type: 'Order'; data: JsonObject }
  | { type: 'CurrentPosition'; data: JsonObject }
  | { type: 'AccountBalance'; data: JsonObject };

export interface SearchOrdersQuery {
  status?: string[];
  underlyingSymbol?: string;
  perPage?: number;
  pageOffset?: number;
  sort?: 'Asc' | 'Desc';
}

/** The venue core: accounts and the order book. Every method is synchronous and returns wire JSON. */
export interface TransactionsQuery {
  symbol?: string;
  underlyingSymbol?: string;
  /** `transaction-type` (Trade, Receive Deliver); `type` and `types[]` both given: either matches. */
  type?: string;
  types?: string[];
  /** `transaction-sub-type` (`sub-type[]`): Assignment, Expiration, Exercise, Buy to Open, … */
  subTypes?: string[];
  /** New York `transaction-date` bounds, inclusive (YYYY-MM-DD). */
  startDate?: string;
  endDate?: string;
  perPage?: number;
  pageOffset?: number;
  sort?: 'Asc' | 'Desc';
}

export interface AssignmentRequest {
  symbol: string;
  /** Contracts to assign (default: the whole short position). */
  quantity?: number;
  /** Default: the first account holding the symbol short. */
  accountNumber?: string;
}

/** A position opened directly in an account (a trade made elsewhere), for POST /__sim/positions. */
export interface PositionRequest {
  /** Ticker or OCC option symbol. */
  symbol: string;
  /** Signed shares or contracts: positive buys, negative sells (netted with what the account holds). */
  quantity: number;
  /** Per share, cents (default: the mark). */
  priceCents?: number;
  /** Default: the first account. */
  accountNumber?: string;
}

export interface Venue {
  accountNumbers(): string[];
  /** Items for GET /customers/me/accounts: `{account:{...}, "authority-level":"owner"}`. */
  accountsWire(): JsonObject[];
  /** GET /customers/me/accounts/:n: the account object itself (no `authority-level` wrapper). */
  accountWire(accountNumber: string): JsonObject | undefined;
  /** GET /accounts/:n/trading-status. */
  tradingStatusWire(accountNumber: string): JsonObject | undefined;
  /** GET /customers/me: the one simulated customer behind every account. */
  customerWire(): JsonObject;
  /** POST /sessions/validate: the user the access token belongs to. */
  userWire(): JsonObject;
  balancesWire(accountNumber: string): JsonObject | undefined;
  positionsWire(accountNumber: string): JsonObject[];
  /** POST /accounts/:n/orders[/dry-run]. Success value = `{order, buying-power-effect, fee-calculation, warnings}`. */
  placeOrder(accountNumber: string, body: unknown, opts: { dryRun: boolean }): VenueResult<JsonObject>;
  /** PUT /accounts/:n/orders/:id. Success value = the new order (new id, replaces-order-id). */
  replaceOrder(accountNumber: string, orderId: number, body: unknown): VenueResult<JsonObject>;
  /** DELETE /accounts/:n/orders/:id. Success value = the order. 422 cannot_update_order when terminal. */
  cancelOrder(accountNumber: string, orderId: number): VenueResult<JsonObject>;
  getOrder(accountNumber: string, orderId: number): VenueResult<JsonObject>;
  liveOrders(accountNumber: string): JsonObject[];
  searchOrders(accountNumber: string, query: SearchOrdersQuery): { items: JsonObject[]; pagination: JsonObject };
  /** GET /accounts/:n/transactions: one Trade transaction per leg fill with its fees, newest first. */
  transactions(accountNumber: string, query: TransactionsQuery): { items: JsonObject[]; pagination: JsonObject };
  /**
   * Advances order lifecycles to the clock's now: routing, delayed fills, marketability, Day expiry; outside `open`
   * mode also settles options whose expiration close has passed and runs the early-assignment check at each close.
   */
  tick(): void;
  /**
   * Settles now, at the current spot, every option position expiring on or before `through` (default: the clock's
   * New York date), and expires working orders on those options. Any mode; `open` mode settles only this way.
   */
  expireOptions(opts?: { through?: string }): JsonObject[];
  /** Assigns (part of) a short option position at once, at its strike, whatever its moneyness. */
  assignOption(request: AssignmentRequest): VenueResult<JsonObject>;
  /**
   * A position traded outside this API (a "foreign" one, e.g. in another app), booked straight into the account: the
   * position nets like a fill at the price, cash moves by price × quantity × multiplier; no order, fill, transaction or
   * fee. Publishes CurrentPosition and AccountBalance like a fill. Success value = the position (quantity 0 if closed).
   */
  openPosition(request: PositionRequest): VenueResult<JsonObject>;
  /**
   * Early assignment: each short in-the-money option position is assigned whole with this probability at each check
   * (each regular close passed in real/replay modes; each tick in `open` mode). 0 switches it off.
   */
  setAssignmentProbability(probability: number): void;
  addFillRule(rule: FillRule): void;
  clearFillRules(): void;
  setDefaultFillBehavior(behavior: FillBehavior): void;
  /**
   * Fault: the next `orders` orders to fill are reported Filled (remaining quantity 0) with only their first leg's
   * fills; the other legs' fills appear `ms` later (wall time, with a fresh Order push), as Tastytrade may do.
   */
  lagFills(spec: { orders: number; ms: number }): void;
  /** Every change is published per account, in order. */
  onEvent(listener: (accountNumber: string, event: VenueEvent) => void): () => void;
  /** Whole venue state for GET /__sim/state. */
  snapshot(): JsonObject;
  reset(): void;
}
