// Owns the inputs of the account-level risk analytics (issue 14): positions as the risk functions see them and the
// market state they are valued in. Pure types; the portfolio sync builds them from broker positions and quotes.

export interface RiskPosition {
  /** OCC option symbol or equity symbol. */
  symbol: string;
  underlying: string;
  kind: 'option' | 'equity';
  right?: 'C' | 'P';
  /** Dollars. */
  strike?: number;
  /** Epoch ms of expiry (16:00 New York on the expiration date). */
  expiresAt?: number;
  /** Signed: + long, − short (contracts or shares). */
  quantity: number;
  /** 100 for equity options, 1 for shares. */
  multiplier: number;
  /** Implied vol, annualised decimal (0.2). Missing: the option is valued at zero vol and named in `noIv`. */
  iv?: number;
  /** The Legwork trade the position belongs to; null = foreign (opened outside Legwork). */
  tradeId: string | null;
}

export interface MarketState {
  /** Spot per underlying (dollars); a position whose underlying has none cannot be valued. */
  spot: Record<string, number>;
  /** Beta of each underlying against `betaSymbol`; null or missing = unknown, taken as 1 and flagged. */
  beta: Record<string, number | null>;
  /** Flat continuously compounded risk-free rate, annualised decimal. */
  rate: number;
  nowMs: number;
  /** The benchmark of beta-weighted delta ('SPY'). */
  betaSymbol: string;
}
