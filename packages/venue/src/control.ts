// Owns the venue's in-process control surface; the /__sim/* routes are a thin HTTP face over it.
import type { FaultRequest, FaultState } from './http/faults.js';
import type { AccountStreamerServer } from './streams/account-streamer.js';
import type {
  AssignmentRequest,
  FillRule,
  JsonObject,
  MarketModel,
  MarketClock,
  PositionRequest,
  Venue,
  VenueResult,
} from './types.js';

/** What the DXLink server must offer to fault injection. */
export interface StreamFaultTarget {
  dropAll(): void;
  silence(ms: number): void;
}

export interface VenueControl {
  /** A rule with underlying/symbol/next applies there; a rule with none of them becomes the default behaviour. */
  setFillBehavior(rule: FillRule): void;
  injectFault(request: FaultRequest): void;
  moveMarket(
    symbol: string,
    change: { spot?: number; vol?: number },
  ): { ok: true; spot: number } | { ok: false; message: string };
  advanceClock(ms: number): number;
  /** The clock as a client models it (GET /__sim/clock): now, speed (0 = frozen), mode and how many jumps so far. */
  readClock(): { now: number; speed: number; mode: string; jumps: number };
  /** Runs one venue cycle now (prices, routing, fills, expiry) instead of waiting for the timer. */
  tick(): void;
  /**
   * Settles now (at the current spot) every option position expiring on or before `through` (default: the clock's
   * New York date): the only way options settle in `open` mode; real/replay modes settle by themselves after the close.
   */
  expire(opts?: { through?: string }): JsonObject[];
  /** Assigns a named short option position at once (`quantity` contracts, default all). */
  assign(request: AssignmentRequest): VenueResult<JsonObject>;
  /** Books a position traded outside the API (a "foreign" one) into an account, with the pushes a fill makes. */
  openPosition(request: PositionRequest): VenueResult<JsonObject>;
  /** Early assignment of short in-the-money options with this probability per check (each close; each tick in `open` mode). */
  setAssignmentProbability(probability: number): void;
  /** No fill rules, immediate fills by default, nothing armed: orders and positions are kept (chaos "settle"). */
  calm(): void;
  /** Back to the initial accounts, no orders or positions, default fill behaviour, no faults. */
  reset(): void;
  state(): JsonObject;
}

export interface ControlDeps {
  clock: MarketClock;
  market: MarketModel & { step(): void };
  venue: Venue;
  faults: FaultState;
  accountStreamer: AccountStreamerServer;
  dxlink: StreamFaultTarget;
}

export function createControl({ clock, market, venue, faults, accountStreamer, dxlink }: ControlDeps): VenueControl {
  const tick = () => {
    market.step();
    venue.tick();
  };
  return {
    setFillBehavior(rule) {
      if (rule.underlying === undefined && rule.symbol === undefined && rule.next === undefined) {
        const { behavior, delayMs, code, message, leg, quantity } = rule;
        venue.setDefaultFillBehavior({ behavior, delayMs, code, message, leg, quantity });
      } else {
        venue.addFillRule(rule);
      }
      venue.tick();
    },
    injectFault(request) {
      // Stream faults act at once; HTTP faults are armed and fire on the next matching requests
      if (request.kind === 'dropStreams') {
        faults.fired.dropStreams += 1;
        accountStreamer.dropAll();
        dxlink.dropAll();
      } else if (request.kind === 'silentStreams') {
        faults.fired.silentStreams += 1;
        accountStreamer.silence(request.ms ?? 10_000);
        dxlink.silence(request.ms ?? 10_000);
      } else if (request.kind === 'duplicatePushes') {
        faults.fired.duplicatePushes += 1;
        accountStreamer.duplicateNext(request.count ?? 1);
      } else if (request.kind === 'fillsLag') {
        faults.fired.fillsLag += 1;
        venue.lagFills({ orders: request.count ?? 1, ms: request.ms ?? 2000 });
      } else if (request.kind === 'reorderPushes') {
        faults.fired.reorderPushes += 1;
        accountStreamer.reorderNext(request.count ?? 1);
      } else {
        faults.arm(request);
      }
    },
    moveMarket(symbol, change) {
      if (!market.hasUnderlying(symbol)) return { ok: false, message: `Unknown underlying ${symbol}` };
      market.setMarket(symbol, change);
      venue.tick();
      return { ok: true, spot: market.spot(symbol) };
    },
    advanceClock(ms) {
      clock.advance(ms);
      tick();
      return clock.now();
    },
    readClock() {
      return { now: clock.now(), speed: clock.speed, mode: clock.spec.mode, jumps: clock.jumps() };
    },
    tick,
    expire(opts) {
      market.step();
      return venue.expireOptions(opts);
    },
    assign(request) {
      market.step();
      return venue.assignOption(request);
    },
    openPosition(request) {
      market.step();
      return venue.openPosition(request);
    },
    setAssignmentProbability(probability) {
      venue.setAssignmentProbability(probability);
      tick();
    },
    calm() {
      venue.clearFillRules();
      venue.setDefaultFillBehavior({ behavior: 'immediate' });
      faults.clear();
      venue.lagFills({ orders: 0, ms: 0 });
      venue.tick();
    },
    reset() {
      venue.reset();
      faults.clear();
    },
    state() {
      return {
        ...venue.snapshot(),
        clock: { now: new Date(clock.now()).toISOString(), mode: clock.spec.mode, session: clock.session().state },
        faults: { pending: faults.pending(), fired: { ...faults.fired } },
      };
    },
  };
}
