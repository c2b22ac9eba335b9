// Owns the account risk report as the HTTP layer reads it (the JSON of GET /api/risk, the account gauges of /metrics):
// money in dollars, greeks of the whole position. The report itself is computed elsewhere; this is its shape only.
import type { FailsafeName, Greeks } from '../domain/portfolio.js';

export type FailsafeState = 'off' | 'waiting' | 'ok' | 'tripped';

export interface RiskReport {
  /** Epoch ms, broker time. */
  at: number;
  netLiq: number;
  greeks: Greeks;
  /** One-day value at risk in dollars over `days` days of history. */
  var: { hist95: number; hist99: number; param95: number; param99: number; days: number };
  limits: { name: string; used: number; limit: number; pct: number }[];
  failsafes: { name: FailsafeName; state: FailsafeState; reason: string }[];
  scenarios: {
    /** Spot moves as fractions (-0.1 … 0.1). */
    spot: number[];
    /** Relative implied-volatility changes. */
    vol: number[];
    days: number[];
    /** P&L in dollars on day 0: [vol][spot]. */
    pnl: number[][];
    /** [day][vol][spot]. */
    pnlByDay: number[][][];
  };
  positions: {
    symbol: string;
    underlying: string;
    /** A trade id or 'foreign'. */
    owner: string;
    tradeId: string | null;
    quantity: number;
    greeks: Greeks | null;
  }[];
  correlation: { symbols: string[]; matrix: number[][] };
  drawdown: { maxDrawdown: number; maxDrawdownPct: number } | null;
  accountRulesHash: string | null;
  notes: string[];
}

/** Where /metrics reads the report; null when there is none (no portfolio yet). */
export type RiskSource = () => Promise<RiskReport | null>;
