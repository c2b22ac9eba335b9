// Owns the order in which held option legs are closed (a rollback or a legged exit): every short is bought back first,
// and a long is sold only once the shorts it covers (same underlying, expiration and right) are flat. Pure.
import { isOccSymbol, parseOcc } from './instrument.js';

/** A position to close: signed contracts (+ long, − short). */
export interface HeldLeg {
  symbol: string;
  quantity: number;
}

/** One closing order's worth: buy back a short or sell a long. Never an opening action. */
export interface CloseStep {
  symbol: string;
  side: 'buy' | 'sell';
  quantity: number;
}

export interface UnwindPlan {
  /** Ordered waves: a wave is sent only once every earlier wave has filled. */
  waves: CloseStep[][];
  /** Longs held back because they cover shorts that are not part of this plan (still working, or kept). */
  heldBack: CloseStep[];
}

/** Underlying root, expiration and right: the side on which a long covers a short. Non-option symbols are their own side. */
export function sideOf(symbol: string): string {
  if (!isOccSymbol(symbol)) return symbol;
  const c = parseOcc(symbol);
  return `${c.root}|${c.expiration}|${c.right}`;
}

/**
 * The unwind of `legs`. `otherShorts` (per symbol, contracts) are shorts that stay open or may still appear (an
 * opening short leg still working or being cancelled): the longs of their side keep covering them and are held back.
 *
 * Wave 1: every short bought back, plus on each side the longs in excess of that side's shorts (they cover nothing).
 * Wave 2: the longs that cover the shorts of wave 1, released once those are flat.
 */
export function unwindWaves(
  legs: readonly HeldLeg[],
  otherShorts: ReadonlyMap<string, number> = new Map(),
): UnwindPlan {
  const shortsBySide = new Map<string, number>();
  const pendingBySide = new Map<string, number>();
  for (const l of legs)
    if (l.quantity < 0) shortsBySide.set(sideOf(l.symbol), (shortsBySide.get(sideOf(l.symbol)) ?? 0) - l.quantity);
  for (const [symbol, qty] of otherShorts)
    if (qty > 0) pendingBySide.set(sideOf(symbol), (pendingBySide.get(sideOf(symbol)) ?? 0) + qty);

  const first: CloseStep[] = legs
    .filter((l) => l.quantity < 0)
    .map((l) => ({ symbol: l.symbol, side: 'buy', quantity: -l.quantity }));
  const second: CloseStep[] = [];
  const heldBack: CloseStep[] = [];
  // Per side, what the longs must still cover: shorts of this plan (until flat) and shorts outside it (for good)
  const toCover = new Map<string, { plan: number; other: number }>();
  for (const side of new Set([...shortsBySide.keys(), ...pendingBySide.keys()])) {
    toCover.set(side, { plan: shortsBySide.get(side) ?? 0, other: pendingBySide.get(side) ?? 0 });
  }
  for (const l of legs) {
    if (l.quantity <= 0) continue;
    let free = l.quantity;
    const cover = toCover.get(sideOf(l.symbol));
    if (cover) {
      const other = Math.min(free, cover.other);
      cover.other -= other;
      free -= other;
      if (other > 0) heldBack.push({ symbol: l.symbol, side: 'sell', quantity: other });
      const plan = Math.min(free, cover.plan);
      cover.plan -= plan;
      free -= plan;
      if (plan > 0) second.push({ symbol: l.symbol, side: 'sell', quantity: plan });
    }
    if (free > 0) first.push({ symbol: l.symbol, side: 'sell', quantity: free });
  }
  return { waves: [first, second].filter((w) => w.length > 0), heldBack };
}
