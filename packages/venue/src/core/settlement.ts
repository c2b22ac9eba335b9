// Owns the pure settlement decision of an option position (OCC rules): when an expiration settles, whether a contract
// is in the money by at least $0.01 at the underlying's price, and what exercise or assignment delivers. No I/O.
import { nyTime, tradingHours } from '../calendar.js';
import type { OptionRight, VenueMillis } from '../types.js';

/** Tastytrade's `transaction-sub-type` of the option's removal. */
export type SettlementOutcome = 'Expiration' | 'Assignment' | 'Exercise';

export interface SettlingOption {
  right: OptionRight;
  /** Strike in dollars (may have fractions: 2.5, 12.75). */
  strike: number;
  /** Signed contracts: positive long, negative short. */
  quantity: number;
  /** Shares per contract (100). */
  multiplier: number;
}

export interface SettlementDecision {
  outcome: SettlementOutcome;
  /** Signed shares delivered to the account: positive received (bought at the strike), negative delivered (sold). */
  shares: number;
  strikeCents: number;
}

/** The session close of an expiration date on the NYSE calendar (13:00 New York on early-close days). */
export function settlementTime(expirationDate: string): VenueMillis {
  return tradingHours(expirationDate)?.closeAt ?? nyTime(expirationDate, '16:00');
}

export const strikeCentsOf = (strike: number): number => Math.round(strike * 100);

/** In-the-money amount in cents per share at `underlyingCents` (≤ 0 when at or out of the money). */
export function intrinsicCents(right: OptionRight, strikeCents: number, underlyingCents: number): number {
  return right === 'C' ? underlyingCents - strikeCents : strikeCents - underlyingCents;
}

/**
 * Shares an exercise (long) or assignment (short) of `quantity` contracts delivers: a call buys the shares for its
 * holder and sells them for its writer; a put the other way round.
 */
export function deliveredShares(right: OptionRight, quantity: number, multiplier: number): number {
  const holderBuys = right === 'C' ? 1 : -1;
  return holderBuys * quantity * multiplier;
}

/**
 * Expiration at the close: in the money by ≥ $0.01 at `underlyingCents` → exercised (long) or assigned (short) at the
 * strike; otherwise (out of, or at, the money) it expires worthless.
 */
export function settleAtExpiration(option: SettlingOption, underlyingCents: number): SettlementDecision {
  const strikeCents = strikeCentsOf(option.strike);
  if (option.quantity === 0 || intrinsicCents(option.right, strikeCents, underlyingCents) < 1) {
    return { outcome: 'Expiration', shares: 0, strikeCents };
  }
  return {
    outcome: option.quantity > 0 ? 'Exercise' : 'Assignment',
    shares: deliveredShares(option.right, option.quantity, option.multiplier),
    strikeCents,
  };
}

/** Early assignment of `contracts` (≤ the short quantity) of a short option, whatever its moneyness. */
export function assignEarly(option: SettlingOption, contracts: number): SettlementDecision {
  if (option.quantity >= 0) throw new Error('assignEarly: only a short option position can be assigned');
  if (!Number.isInteger(contracts) || contracts <= 0 || contracts > -option.quantity) {
    throw new Error(`assignEarly: contracts must be an integer in 1..${-option.quantity}, got ${contracts}`);
  }
  return {
    outcome: 'Assignment',
    shares: deliveredShares(option.right, -contracts, option.multiplier),
    strikeCents: strikeCentsOf(option.strike),
  };
}

/** A short option in the money by ≥ $0.01: a candidate for early assignment. */
export function isShortInTheMoney(option: SettlingOption, underlyingCents: number): boolean {
  return option.quantity < 0 && intrinsicCents(option.right, strikeCentsOf(option.strike), underlyingCents) >= 1;
}
