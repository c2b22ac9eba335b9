// Owns the what-if grid: the portfolio's P&L under spot moves × IV changes × days forward, by full Black–Scholes
// repricing of every option (no greek approximation), in total, per trade and for foreign positions. Pure.
// By default every underlying moves by the same percentage (a market-wide move, blind to how each one follows the
// market); with `betaWeighted: true` each moves by pct × its beta (unknown beta: 1). IV changes are relative
// (+10 % turns 0.20 into 0.22). Time runs forward `days` calendar days, each option clipped at its expiry (valued at
// intrinsic from then on). The rate stays flat. P&L is relative to today's model value, so the cell
// (spot 0, vol 0, day 0) is exactly 0.
import { DAY_MS } from '../dates.js';
import { bsKernel, bsParts, yearsToExpiry } from './black-scholes.js';
import { type Unvalued, type ValuedLeg, unitValue, valuedLegs } from './legs.js';
import type { MarketState, RiskPosition } from './types.js';

export interface ScenarioOptions {
  /** Spot moves as fractions (−0.1 = −10 %); default −10 % … +10 % in 1 % steps (21). */
  spot?: readonly number[];
  /** Relative IV changes as fractions; default −30 %, −20 %, −10 %, 0, +10 %, +20 %, +30 % (7). */
  vol?: readonly number[];
  /** Calendar days forward; default 0, 7, 30. */
  days?: readonly number[];
  /** Each underlying moves by spot move × its beta instead of the same percentage. */
  betaWeighted?: boolean;
}

/** A P&L cube in dollars, indexed [day][vol][spot]. */
export type PnlCube = number[][][];

export interface ScenarioGrid {
  spot: number[];
  vol: number[];
  days: number[];
  /** Total P&L, dollars, [day][vol][spot], relative to today's model value. */
  pnl: PnlCube;
  /** The same per Legwork trade id. */
  byTrade: Record<string, PnlCube>;
  /** The same for the foreign positions (tradeId null); all zeros when there are none. */
  foreign: PnlCube;
  /** Today's model value of the valued positions, dollars. */
  value: number;
  unvalued: Unvalued[];
  noIv: string[];
}

export const DEFAULT_SPOT_MOVES: readonly number[] = Array.from({ length: 21 }, (_, i) => (i - 10) / 100);
export const DEFAULT_VOL_CHANGES: readonly number[] = [-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3];
export const DEFAULT_DAYS: readonly number[] = [0, 7, 30];

export function scenarioGrid(
  positions: readonly RiskPosition[],
  market: MarketState,
  options: ScenarioOptions = {},
): ScenarioGrid {
  const spotMoves = [...(options.spot ?? DEFAULT_SPOT_MOVES)];
  const volChanges = [...(options.vol ?? DEFAULT_VOL_CHANGES)];
  const days = [...(options.days ?? DEFAULT_DAYS)];
  for (const d of days) if (!(d >= 0)) throw new RangeError(`scenario days must be >= 0, got ${d}`);
  const { legs: all, unvalued, noIv } = valuedLegs(positions, market);
  const legs = all.filter((l) => l.units !== 0);
  const nS = spotMoves.length;
  const nV = volChanges.length;
  const nD = days.length;
  const cells = nD * nV * nS;

  // The moved spots and their logs, once per underlying (a leg's spot and beta depend only on its underlying).
  const moved = new Map<string, { spots: Float64Array; logs: Float64Array }>();
  for (const leg of legs) {
    if (moved.has(leg.position.underlying)) continue;
    const spots = new Float64Array(nS);
    const logs = new Float64Array(nS);
    const scale = options.betaWeighted ? leg.beta : 1;
    for (let s = 0; s < nS; s++) {
      const factor = 1 + spotMoves[s]! * scale;
      if (!(factor > 0)) throw new RangeError(`a ${spotMoves[s]} move takes ${leg.position.underlying} to ${factor}×`);
      spots[s] = leg.spot * factor;
      logs[s] = Math.log(spots[s]!);
    }
    moved.set(leg.position.underlying, { spots, logs });
  }

  const total = new Float64Array(cells);
  const buckets = new Map<string | null, Float64Array>();
  const rate = market.rate;
  const times = days.map((d) => market.nowMs + d * DAY_MS);
  let value = 0;
  for (const leg of legs) {
    const key = leg.position.tradeId;
    const bucket = buckets.get(key) ?? new Float64Array(cells);
    buckets.set(key, bucket);
    const { spots, logs } = moved.get(leg.position.underlying)!;
    // Today's value through the same parts and kernel as the grid, so an unmoved cell differs from it by exactly 0
    const base = leg.units * unitValue(leg, leg.spot, market.nowMs, 1, rate);
    value += base;
    addLeg(leg, base, spots, logs, times, volChanges, rate, total, bucket);
  }

  const byTrade: Record<string, PnlCube> = {};
  for (const [key, bucket] of buckets) if (key !== null) byTrade[key] = cube(bucket, nD, nV, nS);
  const foreign = buckets.get(null) ?? new Float64Array(cells);
  return {
    spot: spotMoves,
    vol: volChanges,
    days,
    pnl: cube(total, nD, nV, nS),
    byTrade,
    foreign: cube(foreign, nD, nV, nS),
    value,
    unvalued,
    noIv,
  };
}

/** Adds one leg's P&L (its value in each cell minus `base`) to the total and to its bucket, cell by cell. */
function addLeg(
  leg: ValuedLeg,
  base: number,
  spots: Float64Array,
  logs: Float64Array,
  times: readonly number[],
  volChanges: readonly number[],
  rate: number,
  total: Float64Array,
  bucket: Float64Array,
): void {
  const nS = spots.length;
  const nV = volChanges.length;
  const units = leg.units;
  const o = leg.option;
  for (let h = 0; h < times.length; h++) {
    const years = o === null ? 0 : yearsToExpiry(o.expiresAt, times[h]!);
    for (let v = 0; v < nV; v++) {
      let cell = (h * nV + v) * nS;
      if (o === null) {
        for (let s = 0; s < nS; s++, cell++) {
          const pnl = units * spots[s]! - base;
          total[cell] = total[cell]! + pnl;
          bucket[cell] = bucket[cell]! + pnl;
        }
        continue;
      }
      // Per (horizon, vol): the strike's discounting and the drift, so the spot loop is two normal CDFs per cell
      const { shift, volSqrtT, strikePv } = bsParts(o.strike, years, rate, o.vol * (1 + volChanges[v]!));
      for (let s = 0; s < nS; s++, cell++) {
        const pnl = units * bsKernel(o.call, spots[s]!, logs[s]!, shift, volSqrtT, strikePv) - base;
        total[cell] = total[cell]! + pnl;
        bucket[cell] = bucket[cell]! + pnl;
      }
    }
  }
}

function cube(flat: Float64Array, nD: number, nV: number, nS: number): PnlCube {
  return Array.from({ length: nD }, (_, h) =>
    Array.from({ length: nV }, (_, v) => Array.from(flat.subarray((h * nV + v) * nS, (h * nV + v + 1) * nS))),
  );
}
