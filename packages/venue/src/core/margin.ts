// Owns the venue's simple Reg-T margin model: the maintenance requirement (integer cents) of a set of positions.
//
// Buying power is cash-based, like the recorded Tastytrade balances (derivative BP = margin equity − requirement,
// margin equity = cash + long stock − short stock; options have no loan value):
//   long option             requirement 0 → BP falls by the debit paid
//   vertical / iron condor  requirement = width × 100 × qty (one side only for an iron condor) → BP falls by width − credit
//   naked short option      requirement = (max(20% U − OTM, 10% U [call] | 10% strike [put]) + mark) × 100 × qty
//                           (cash account: a short put is cash-secured, strike × 100)
//   equity                  50% of market value (cash account: 100%)

export interface MarginPosition {
  symbol: string;
  underlying: string;
  /** Signed: positive long, negative short (contracts or shares). */
  quantity: number;
  option?: { right: 'C' | 'P'; strike: number; expirationDate: string };
  /** Per share/contract unit price (before the multiplier). */
  markCents: number;
  multiplier: number;
}

export interface MarginContext {
  /** Spot of an underlying, dollars. */
  spot(underlying: string): number;
  marginOrCash: 'Margin' | 'Cash';
}

interface Lot {
  strike: number;
  qty: number;
  markCents: number;
  multiplier: number;
}

/** Per-contract requirement of a naked short option, cents. */
export function nakedShortCents(
  right: 'C' | 'P',
  strike: number,
  spot: number,
  lot: Pick<Lot, 'markCents' | 'multiplier'>,
  marginOrCash: 'Margin' | 'Cash',
): number {
  if (marginOrCash === 'Cash') {
    // Cash accounts: puts are cash-secured; calls need the shares' value (no naked calls without margin)
    return Math.round((right === 'P' ? strike : spot) * lot.multiplier * 100);
  }
  const otm = right === 'C' ? Math.max(0, strike - spot) : Math.max(0, spot - strike);
  const floor = right === 'C' ? 0.1 * spot : 0.1 * strike;
  const perShare = Math.max(0.2 * spot - otm, floor);
  return Math.round(perShare * lot.multiplier * 100) + lot.markCents * lot.multiplier;
}

interface Spread {
  qty: number;
  riskCents: number; // per unit
}

/** Greedy vertical matching within one expiration and right: each short takes the most protective longs first. */
function matchVerticals(
  right: 'C' | 'P',
  shorts: Lot[],
  longs: Lot[],
  nakedCents: (lot: Lot) => number,
): { spreads: Spread[]; naked: number } {
  const protective = [...longs].sort((a, b) => (right === 'P' ? b.strike - a.strike : a.strike - b.strike));
  const ordered = [...shorts].sort((a, b) => (right === 'P' ? b.strike - a.strike : a.strike - b.strike));
  const spreads: Spread[] = [];
  let naked = 0;
  for (const short of ordered) {
    let left = short.qty;
    for (const long of protective) {
      if (left === 0) break;
      if (long.qty === 0) continue;
      const take = Math.min(left, long.qty);
      const width = right === 'P' ? short.strike - long.strike : long.strike - short.strike;
      const risk = Math.round(Math.max(0, width) * short.multiplier * 100);
      // A very wide "spread" is never charged more than the naked short alone
      spreads.push({ qty: take, riskCents: Math.min(risk, nakedCents(short)) });
      long.qty -= take;
      left -= take;
    }
    naked += left * nakedCents(short);
  }
  return { spreads, naked };
}

/** Iron condors: a put spread and a call spread of one expiration cannot both lose; charge the larger side per unit. */
function pairSides(puts: Spread[], calls: Spread[]): number {
  const p = [...puts].sort((a, b) => b.riskCents - a.riskCents).map((s) => ({ ...s }));
  const c = [...calls].sort((a, b) => b.riskCents - a.riskCents).map((s) => ({ ...s }));
  let total = 0;
  let i = 0;
  let j = 0;
  while (i < p.length && j < c.length) {
    const a = p[i]!;
    const b = c[j]!;
    const take = Math.min(a.qty, b.qty);
    total += take * Math.max(a.riskCents, b.riskCents);
    a.qty -= take;
    b.qty -= take;
    if (a.qty === 0) i++;
    if (b.qty === 0) j++;
  }
  for (; i < p.length; i++) total += p[i]!.qty * p[i]!.riskCents;
  for (; j < c.length; j++) total += c[j]!.qty * c[j]!.riskCents;
  return total;
}

/** Maintenance requirement of all positions, integer cents. */
export function requirementCents(positions: MarginPosition[], ctx: MarginContext): number {
  let total = 0;
  const byExpiration = new Map<
    string,
    { C: { shorts: Lot[]; longs: Lot[] }; P: { shorts: Lot[]; longs: Lot[] }; underlying: string }
  >();
  for (const pos of positions) {
    if (pos.quantity === 0) continue;
    if (!pos.option) {
      const value = Math.abs(pos.quantity) * pos.markCents * pos.multiplier;
      const rate = pos.quantity > 0 ? (ctx.marginOrCash === 'Cash' ? 1 : 0.5) : ctx.marginOrCash === 'Cash' ? 1.5 : 0.5;
      total += Math.round(value * rate);
      continue;
    }
    const key = `${pos.underlying}|${pos.option.expirationDate}`;
    let group = byExpiration.get(key);
    if (!group) {
      group = { C: { shorts: [], longs: [] }, P: { shorts: [], longs: [] }, underlying: pos.underlying };
      byExpiration.set(key, group);
    }
    const lot: Lot = {
      strike: pos.option.strike,
      qty: Math.abs(pos.quantity),
      markCents: pos.markCents,
      multiplier: pos.multiplier,
    };
    (pos.quantity > 0 ? group[pos.option.right].longs : group[pos.option.right].shorts).push(lot);
  }
  for (const group of byExpiration.values()) {
    const spot = ctx.spot(group.underlying);
    const puts = matchVerticals('P', group.P.shorts, group.P.longs, (lot) =>
      nakedShortCents('P', lot.strike, spot, lot, ctx.marginOrCash),
    );
    const calls = matchVerticals('C', group.C.shorts, group.C.longs, (lot) =>
      nakedShortCents('C', lot.strike, spot, lot, ctx.marginOrCash),
    );
    total += puts.naked + calls.naked + pairSides(puts.spreads, calls.spreads);
  }
  return total;
}
