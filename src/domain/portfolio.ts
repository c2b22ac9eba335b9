// Owns the account as a whole as plain types (one portfolio per environment and account, its positions attributed to
// trades or foreign, snapshots of equity and greeks, failsafe trips) and the pure attribution of broker positions.
import type { Position } from './account.js';

/** Greeks per the whole position (× quantity × multiplier): delta in shares, theta in $/day, vega in $ per vol point. */
export interface Greeks {
  delta: number;
  /** Delta in SPY shares: Σ delta × spot × beta / SPY spot. */
  betaDelta: number;
  gamma: number;
  theta: number;
  vega: number;
}

export const ZERO_GREEKS: Greeks = { delta: 0, betaDelta: 0, gamma: 0, theta: 0, vega: 0 };

export const addGreeks = (a: Greeks, b: Greeks): Greeks => ({
  delta: a.delta + b.delta,
  betaDelta: a.betaDelta + b.betaDelta,
  gamma: a.gamma + b.gamma,
  theta: a.theta + b.theta,
  vega: a.vega + b.vega,
});

export type Environment = 'sim' | 'sandbox' | 'production';
export const FOREIGN = 'foreign';

export interface PortfolioRow {
  id: number;
  environment: Environment;
  accountNumber: string;
  syncedAt: Date | null;
  netLiqCents: number | null;
  cashCents: number | null;
  buyingPowerCents: number | null;
  maintenanceCents: number | null;
  greeks: Greeks | null;
}

/** One broker position's quantity held by one owner: a trade of ours, or `foreign` (opened outside Legwork). */
export interface PortfolioPosition {
  symbol: string;
  owner: string;
  tradeId: string | null;
  underlying: string;
  instrumentType: string;
  /** Signed: long +, short −. */
  quantity: number;
  multiplier: number;
  markCents: number | null;
  averageOpenPriceCents: number;
  expiresAt: number | null;
  greeks: Greeks | null;
}

export interface BalancesSync {
  syncedAt: number;
  netLiqCents: number;
  cashCents: number;
  buyingPowerCents: number;
  maintenanceCents: number;
  greeks: Greeks | null;
}

export interface SnapshotInput {
  kind: 'close' | 'intraday';
  at: number;
  /** New York date of the session (YYYY-MM-DD). */
  sessionDate: string;
  netLiqCents: number;
  cashCents: number;
  buyingPowerCents: number;
  realizedPnlCents: number;
  unrealizedPnlCents: number;
  greeks: Greeks;
  positions: { symbol: string; owner: string; quantity: number; markCents: number | null; greeks: Greeks | null }[];
}

export interface SnapshotRow extends SnapshotInput {
  id: number;
}

export type FailsafeName = 'dailyLoss' | 'drawdown' | 'brokerErrors';

export interface FailsafeTrip {
  id: number;
  name: FailsafeName;
  trippedAt: Date;
  reason: string;
  data: Record<string, unknown>;
  resetAt: Date | null;
  resetBy: string | null;
}

/**
 * Splits what the broker holds between the trades that hold it (per Legwork's fills and settlements) and foreign. A
 * trade is credited at most what the broker holds on its side (same sign); what no trade explains is foreign. A trade's
 * holding the broker does not show is not a position (reconciliation reports that difference, not the portfolio).
 */
export function attributePositions(
  broker: readonly Position[],
  held: readonly { tradeId: string; symbol: string; quantity: number }[],
): Omit<PortfolioPosition, 'greeks'>[] {
  const out: Omit<PortfolioPosition, 'greeks'>[] = [];
  for (const p of broker) {
    if (p.quantity === 0) continue;
    let left = p.quantity;
    const base = {
      symbol: p.symbol,
      underlying: p.underlyingSymbol,
      instrumentType: p.instrumentType,
      multiplier: p.multiplier,
      markCents: p.markCents ?? p.closePriceCents,
      averageOpenPriceCents: p.averageOpenPriceCents,
      expiresAt: p.expiresAt,
    };
    const owners = held
      .filter((h) => h.symbol === p.symbol && h.quantity !== 0 && Math.sign(h.quantity) === Math.sign(p.quantity))
      .sort((a, b) => a.tradeId.localeCompare(b.tradeId));
    for (const h of owners) {
      if (left === 0) break;
      const take = Math.sign(left) * Math.min(Math.abs(h.quantity), Math.abs(left));
      out.push({ ...base, owner: h.tradeId, tradeId: h.tradeId, quantity: take });
      left -= take;
    }
    if (left !== 0) out.push({ ...base, owner: FOREIGN, tradeId: null, quantity: left });
  }
  return out;
}
