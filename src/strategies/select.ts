// Owns the shared pieces of candidate construction: param schemas, expirations in a DTE window, usable legs from
// chain + snapshot, short strikes by target delta, and wings by points or by delta. Pure.
import { z } from 'zod';
import { dayNumber } from '../domain/dates.js';
import type { OptionRight } from '../domain/instrument.js';
import type { ChainExpiration, ChainStrike, MarketSnapshot } from '../domain/market.js';
import type { CandidateLeg, StrategyInput } from './types.js';

// ---------------------------------------------------------------------------------------------------------------
// Param schemas shared by the strategies (strict, defaults resolved)

export const DEFAULT_WING_DELTA_TOLERANCE = 0.03;

export const dteSchema = z
  .object({
    min: z.number().int().min(0).max(1000).default(30),
    max: z.number().int().min(0).max(1000).default(60),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.min > d.max) ctx.addIssue({ code: 'custom', message: `min (${d.min}) must not exceed max (${d.max})` });
  });

export const expirationsSchema = z.enum(['any', 'weekly', 'monthly']);
export type ExpirationFilter = z.infer<typeof expirationsSchema>;

/** Absolute delta of a short strike: |delta| must lie within target ± tolerance. */
export const deltaBandSchema = z
  .object({
    target: z.number().gt(0).lt(1).default(0.16),
    tolerance: z.number().min(0).lt(0.5).default(0.05),
  })
  .strict();
export type DeltaBand = z.infer<typeof deltaBandSchema>;

/** Long wings: `points` beyond the short strike, or the strike whose |delta| is nearest `delta` (within tolerance). */
export const wingsSchema = z
  .object({
    points: z.number().positive().max(10_000).optional(),
    delta: z.number().gt(0).lt(0.5).optional(),
    tolerance: z.number().gt(0).lt(0.5).optional(),
  })
  .strict()
  .superRefine((w, ctx) => {
    if ((w.points === undefined) === (w.delta === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of points or delta' });
    }
    if (w.points !== undefined && w.tolerance !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['tolerance'], message: 'tolerance applies only to wings by delta' });
    }
  });
export type Wings = z.infer<typeof wingsSchema>;

/** The fields every strategy accepts. */
export const commonParams = {
  dte: dteSchema.default({ min: 30, max: 60 }),
  expirations: expirationsSchema.default('any'),
  maxCandidatesPerExpiration: z.number().int().min(1).max(50).default(3),
};

export const DEFAULT_DELTA: DeltaBand = { target: 0.16, tolerance: 0.05 };
export const DEFAULT_WINGS: Wings = { points: 5 };

/** Adds an issue when a delta wing is not farther out than the short strike's target. */
export function checkWingDelta(ctx: z.RefinementCtx, wings: Wings, band: DeltaBand, path: string): void {
  if (wings.delta !== undefined && wings.delta >= band.target) {
    ctx.addIssue({
      code: 'custom',
      path: ['wings', 'delta'],
      message: `must be smaller than ${path}.target (${band.target})`,
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Legs

/** A leg the chain and the snapshot can trade: two-sided quote, delta and implied vol present. */
export type QuotedLeg = Omit<CandidateLeg, 'action' | 'ratio' | 'delta' | 'iv'> & { delta: number; iv: number };

const fin = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);
const num = (x: number | null | undefined): number | null => (fin(x) ? x : null);
export const strikeKey = (strike: number): number => Math.round(strike * 1000);

/**
 * The legs of one right in one expiration that have greeks (delta and IV), ascending strike. Only greeks are read up
 * front; the quote is checked when a strategy asks for the leg: `leg(i)` is null unless the quote is two-sided
 * (bid > 0, ask ≥ bid). So a leg without greeks is never seen and a leg without a usable quote is never used.
 */
export class Side {
  readonly strikes: number[] = [];
  readonly deltas: number[] = [];
  private readonly rows: ChainStrike[] = [];
  private readonly legs: (QuotedLeg | null | undefined)[] = [];
  constructor(
    readonly right: OptionRight,
    readonly expiration: string,
    private readonly snapshot: MarketSnapshot,
  ) {}

  /** Adds the strike when its greeks are complete (strikes must come in ascending order). */
  add(s: ChainStrike): void {
    const g = this.snapshot.greeks.get(this.right === 'P' ? s.putStreamerSymbol : s.callStreamerSymbol);
    if (!g || !fin(g.delta) || !fin(g.iv) || !(g.iv > 0)) return;
    this.strikes.push(s.strike);
    this.deltas.push(g.delta);
    this.rows.push(s);
  }

  get length(): number {
    return this.strikes.length;
  }

  /** The leg at index i, or null when its quote is missing or not two-sided. */
  leg(i: number): QuotedLeg | null {
    const built = this.legs[i];
    if (built !== undefined) return built;
    const s = this.rows[i]!;
    const put = this.right === 'P';
    const streamerSymbol = put ? s.putStreamerSymbol : s.callStreamerSymbol;
    const q = this.snapshot.quotes.get(streamerSymbol);
    const g = this.snapshot.greeks.get(streamerSymbol)!;
    let leg: QuotedLeg | null = null;
    if (q && fin(q.bid) && fin(q.ask) && q.bid > 0 && q.ask >= q.bid) {
      leg = {
        symbol: put ? s.putSymbol : s.callSymbol,
        streamerSymbol,
        right: this.right,
        strike: s.strike,
        expiration: this.expiration,
        bid: q.bid,
        ask: q.ask,
        mid: (q.bid + q.ask) / 2,
        iv: g.iv!,
        delta: g.delta!,
        gamma: num(g.gamma),
        theta: num(g.theta),
        vega: num(g.vega),
      };
    }
    this.legs[i] = leg;
    return leg;
  }

  /** Index of the leg at exactly this strike (binary search), or -1. */
  indexOf(strike: number): number {
    const key = strikeKey(strike);
    let lo = 0;
    let hi = this.strikes.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const k = strikeKey(this.strikes[mid]!);
      if (k === key) return mid;
      if (k < key) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  at(strike: number): QuotedLeg | null {
    const i = this.indexOf(strike);
    return i < 0 ? null : this.leg(i);
  }
}

export interface ExpirationLegs {
  expiration: ChainExpiration;
  dte: number;
  readonly puts: Side;
  readonly calls: Side;
}

/** True when the expiration type passes the filter: monthly = Regular (third Friday), weekly = every other type. */
export function matchesExpirationType(type: string, filter: ExpirationFilter): boolean {
  if (filter === 'any') return true;
  const regular = type.toLowerCase() === 'regular';
  return filter === 'monthly' ? regular : !regular;
}

/**
 * Expirations whose DTE (from input.today) lies in [min, max] and whose type passes the filter. Each right's usable
 * legs are read on first access, so a put spread never looks at calls.
 */
export function expirationLegs(
  input: StrategyInput,
  dte: { min: number; max: number },
  filter: ExpirationFilter,
): ExpirationLegs[] {
  const out: ExpirationLegs[] = [];
  const today = dayNumber(input.today);
  for (const expiration of input.chain.expirations) {
    const days = dayNumber(expiration.expiration) - today;
    if (!(days >= dte.min && days <= dte.max) || !matchesExpirationType(expiration.expirationType, filter)) continue;
    let strikes = expiration.strikes;
    if (strikes.some((s, i) => i > 0 && s.strike <= strikes[i - 1]!.strike)) {
      strikes = [...new Map(strikes.map((s) => [strikeKey(s.strike), s])).values()].sort((a, b) => a.strike - b.strike);
    }
    const side = (right: OptionRight): Side => {
      const legs = new Side(right, expiration.expiration, input.snapshot);
      for (const s of strikes) legs.add(s);
      return legs;
    };
    let puts: Side | undefined;
    let calls: Side | undefined;
    out.push({
      expiration,
      dte: days,
      get puts() {
        puts ??= side('P');
        return puts;
      },
      get calls() {
        calls ??= side('C');
        return calls;
      },
    });
  }
  return out;
}

export const EPS = 1e-9;

/** Legs with |delta| within target ± tolerance, nearest to the target first (ties: lower strike first). */
export function shortsByDelta(side: Side, band: DeltaBand): QuotedLeg[] {
  const hits: { i: number; d: number }[] = [];
  for (let i = 0; i < side.length; i++) {
    const d = Math.abs(Math.abs(side.deltas[i]!) - band.target);
    if (d <= band.tolerance + EPS) hits.push({ i, d });
  }
  hits.sort((a, b) => a.d - b.d || a.i - b.i);
  const legs: QuotedLeg[] = [];
  for (const h of hits) {
    const leg = side.leg(h.i);
    if (leg) legs.push(leg);
  }
  return legs;
}

/**
 * The long wing protecting `short`, on the far side (`below` for puts, `above` for calls):
 * by points, the leg exactly `points` away (none when that strike is not listed or not usable);
 * by delta, the leg strictly beyond the short whose |delta| is nearest `wings.delta`, within the tolerance
 * (ties: the one nearer the short).
 */
export function wingFor(side: Side, short: QuotedLeg, dir: 'below' | 'above', wings: Wings): QuotedLeg | null {
  const sign = dir === 'below' ? -1 : 1;
  if (wings.points !== undefined) return side.at(short.strike + sign * wings.points);
  const target = wings.delta ?? 0;
  const tolerance = (wings.tolerance ?? DEFAULT_WING_DELTA_TOLERANCE) + EPS;
  let best = -1;
  let bestDist = Infinity;
  for (let i = 0; i < side.length; i++) {
    const j = sign < 0 ? side.length - 1 - i : i; // walk outward from the short
    if (sign * (side.strikes[j]! - short.strike) <= 0) continue;
    const d = Math.abs(Math.abs(side.deltas[j]!) - target);
    if (d <= tolerance && d < bestDist - EPS && side.leg(j)) {
      best = j;
      bestDist = d;
    }
  }
  return best < 0 ? null : side.leg(best);
}

const open = (l: QuotedLeg, action: CandidateLeg['action']): CandidateLeg => ({
  symbol: l.symbol,
  streamerSymbol: l.streamerSymbol,
  right: l.right,
  strike: l.strike,
  expiration: l.expiration,
  action,
  ratio: 1,
  bid: l.bid,
  ask: l.ask,
  mid: l.mid,
  iv: l.iv,
  delta: l.delta,
  gamma: l.gamma,
  theta: l.theta,
  vega: l.vega,
});
export const sell = (l: QuotedLeg): CandidateLeg => open(l, 'Sell to Open');
export const buy = (l: QuotedLeg): CandidateLeg => open(l, 'Buy to Open');
