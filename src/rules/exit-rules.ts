// Owns the exit decision for one open trade: the rule set's `exits:` against the legs' marks, greeks, the underlying's
// price, days to expiration and days held; plus the closing price plan. Pure: no I/O.
//
// Order (the first rule that fires wins; every one of them closes the whole position, the order only names the reason):
//   1. stop_loss                       cost to close (mid) ≥ (1 + stopLossMultiple) × entry credit
//   2. underlying_through_short_strike underlying ≤ a short put's strike or ≥ a short call's strike
//   3. short_delta_breach              a short leg's |delta| ≥ shortDeltaBreach
//   4. pin_risk                        a short leg expires today and the session's last hour (close − 1 h, the exit's
//                                      own fill timeout earlier still) has come; off with holdThroughExpiration
//   5. take_profit                     cost to close (mid) ≤ (1 − takeProfitPct/100) × entry credit
//   6. close_at_dte                    days to expiration ≤ closeAtDte
//   7. time_stop                       days held ≥ timeStopDays
// Risk first (1–4), then the planned exits (5–7). A rule whose inputs are missing (no quote, no greeks) cannot fire.
import type { Cents } from '../domain/money.js';
import type { PricingPlan } from '../domain/order-group.js';
import type { RuleSet } from './schema.js';

export const EXIT_REASONS = [
  'stop_loss',
  'underlying_through_short_strike',
  'short_delta_breach',
  'pin_risk',
  'take_profit',
  'close_at_dte',
  'time_stop',
] as const;
export type ExitRuleReason = (typeof EXIT_REASONS)[number];
/** Besides the rules: the kill switch, what an incomplete exit left, what the broker's settlements left. */
export type ExitReason = ExitRuleReason | 'flatten' | 'leftovers' | 'assignment' | 'expiration';

export type ExitRules = RuleSet['exits'];

export interface ExitLegMark {
  symbol: string;
  action: 'Buy to Open' | 'Sell to Open';
  /** Contracts per structure. */
  ratio: number;
  strike: number;
  right: 'C' | 'P';
  /** YYYY-MM-DD, the option's expiration date. */
  expiration: string;
  /** Per share, dollars; null when unknown. */
  bid: number | null;
  ask: number | null;
  delta: number | null;
}

/** Cost to close one structure per share, in cents: debit positive (buying back shorts, selling longs). */
export interface CloseCosts {
  midCents: Cents | null;
  naturalCents: Cents | null;
}

export interface ExitInput {
  exits: ExitRules;
  /** Entry credit per structure per share, cents (credit +). Null when not known yet. */
  entryCreditCents: Cents | null;
  legs: ExitLegMark[];
  underlyingPrice: number | null;
  daysToExpiration: number;
  daysHeld: number;
  /** The broker's clock (epoch ms) and its New York date (YYYY-MM-DD). */
  now: number;
  today: string;
  /** The current session's close at the broker (epoch ms: 13:00 on an early close); null when unknown. */
  sessionCloseAt: number | null;
  /** How long a closing order may work (the rule set's fill timeout): pin risk starts that much before the last hour. */
  exitLeadMs: number;
}

/** The last hour of the expiration day's session is left to nobody: short options are closed before it. */
export const PIN_RISK_LAST_HOUR_MS = 3_600_000;

/** From when, on an expiration day, pin risk closes a trade's short options (epoch ms). */
export const pinRiskFrom = (sessionCloseAt: number, exitLeadMs: number): number =>
  sessionCloseAt - PIN_RISK_LAST_HOUR_MS - exitLeadMs;

export type ExitDecision =
  | { exit: true; reason: ExitRuleReason; detail: string; costs: CloseCosts }
  | { exit: false; costs: CloseCosts /** Rules that could not be evaluated and why. */; unavailable: string[] };

const isShort = (l: ExitLegMark) => l.action === 'Sell to Open';

export function closeCosts(legs: readonly ExitLegMark[]): CloseCosts {
  let mid = 0;
  let natural = 0;
  for (const l of legs) {
    if (l.bid === null || l.ask === null) return { midCents: null, naturalCents: null };
    const m = (l.bid + l.ask) / 2;
    if (isShort(l)) {
      mid += l.ratio * m;
      natural += l.ratio * l.ask;
    } else {
      mid -= l.ratio * m;
      natural -= l.ratio * l.bid;
    }
  }
  return { midCents: Math.round(mid * 100 + 1e-9), naturalCents: Math.round(natural * 100 + 1e-9) };
}

export function decideExit(input: ExitInput): ExitDecision {
  const { exits, entryCreditCents: credit, legs } = input;
  const costs = closeCosts(legs);
  const unavailable: string[] = [];
  const fire = (reason: ExitRuleReason, detail: string): ExitDecision => ({ exit: true, reason, detail, costs });
  const shorts = legs.filter(isShort);
  const priced = costs.midCents !== null && credit !== null && credit > 0;

  if (exits.stopLossMultiple !== null) {
    if (!priced) unavailable.push('stop_loss: no marks or entry credit');
    else if (costs.midCents! >= (1 + exits.stopLossMultiple) * credit!) {
      return fire('stop_loss', `cost to close ${costs.midCents}¢ ≥ ${1 + exits.stopLossMultiple} × credit ${credit}¢`);
    }
  }
  if (exits.underlyingThroughShortStrike) {
    if (input.underlyingPrice === null) unavailable.push('underlying_through_short_strike: no underlying price');
    else {
      const u = input.underlyingPrice;
      const through = shorts.find((l) => (l.right === 'P' ? u <= l.strike : u >= l.strike));
      if (through)
        return fire(
          'underlying_through_short_strike',
          `underlying ${u} through short ${through.right === 'P' ? 'put' : 'call'} strike ${through.strike}`,
        );
    }
  }
  if (exits.shortDeltaBreach !== null) {
    const breach = exits.shortDeltaBreach;
    if (shorts.some((l) => l.delta === null)) unavailable.push('short_delta_breach: no greeks');
    const hit = shorts.find((l) => l.delta !== null && Math.abs(l.delta) >= breach);
    if (hit)
      return fire('short_delta_breach', `short ${hit.symbol} |delta| ${Math.abs(hit.delta!).toFixed(3)} ≥ ${breach}`);
  }
  if (!exits.holdThroughExpiration) {
    const expiring = shorts.find((l) => l.expiration === input.today);
    if (expiring && input.sessionCloseAt === null) unavailable.push('pin_risk: session close unknown');
    else if (expiring && input.now >= pinRiskFrom(input.sessionCloseAt!, input.exitLeadMs)) {
      const from = new Date(pinRiskFrom(input.sessionCloseAt!, input.exitLeadMs)).toISOString();
      return fire(
        'pin_risk',
        `short ${expiring.symbol} expires today (${input.today}): closed before the session's last hour (from ${from})`,
      );
    }
  }
  if (exits.takeProfitPct !== null) {
    if (!priced) unavailable.push('take_profit: no marks or entry credit');
    else if (costs.midCents! <= ((100 - exits.takeProfitPct) / 100) * credit!) {
      return fire(
        'take_profit',
        `cost to close ${costs.midCents}¢ ≤ ${100 - exits.takeProfitPct}% of credit ${credit}¢`,
      );
    }
  }
  if (exits.closeAtDte !== null && input.daysToExpiration <= exits.closeAtDte) {
    return fire('close_at_dte', `${input.daysToExpiration} days to expiration ≤ ${exits.closeAtDte}`);
  }
  if (exits.timeStopDays !== null && input.daysHeld >= exits.timeStopDays) {
    return fire('time_stop', `held ${input.daysHeld} days ≥ ${exits.timeStopDays}`);
  }
  return { exit: false, costs, unavailable };
}

const roundUpToTick = (cents: number, tick: number) => Math.ceil(cents / tick - 1e-9) * tick;
const roundToTick = (cents: number, tick: number) => Math.round(cents / tick) * tick;

/**
 * The closing debit plan (signed: a debit is negative). Start at the mid cost, never pay more than the natural cost plus
 * a slippage allowance (2 ticks or 5% of natural, the larger); at least one tick either way (a zero price is refused).
 * `entry.price: natural` starts at the natural cost instead (the rule set asked to cross the spread).
 */
export function exitPricing(costs: CloseCosts, tickCents: number, entry: RuleSet['entry']): PricingPlan | null {
  if (costs.midCents === null || costs.naturalCents === null) return null;
  const tick = Math.max(1, tickCents);
  const natural = Math.max(costs.naturalCents, costs.midCents);
  const start = Math.max(
    tick,
    entry.price === 'natural' ? roundUpToTick(natural, tick) : roundToTick(costs.midCents, tick),
  );
  const slippage = Math.max(2 * tick, Math.round(Math.abs(natural) * 0.05));
  const floor = Math.max(start, roundUpToTick(natural + slippage, tick));
  // An exit must be able to reach its floor (through natural) within its steps: a stop loss that walks a few ticks
  // from mid and is cancelled, again and again, never closes anything (seen in chaos campaigns)
  const steps = Math.max(0, entry.maxSteps);
  const first = steps === 0 ? floor : start;
  const step = Math.max(
    Math.max(1, entry.stepTicks) * tick,
    steps === 0 ? tick : roundUpToTick(Math.ceil((floor - first) / steps), tick),
  );
  return {
    startCents: -first,
    floorCents: -floor,
    stepCents: step,
    stepEverySeconds: entry.stepEverySeconds,
    maxSteps: entry.maxSteps,
    fillTimeoutSeconds: entry.fillTimeoutSeconds,
  };
}
