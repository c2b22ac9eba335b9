// Owns the contracts of candidate construction: what a strategy gets, what a candidate is, and the facts rules see.
// Types only; pure. Strategies build candidates, rules (src/rules) filter and rank them by their facts.
import type { z } from 'zod';
import type { MarketMetrics, MarketSnapshot, OptionChain } from '../domain/market.js';
import type { OptionRight } from '../domain/instrument.js';
import type { Cents } from '../domain/money.js';

export const STRATEGY_NAMES = [
  'iron-condor',
  'put-credit-spread',
  'call-credit-spread',
  'iron-butterfly',
  'short-strangle',
] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

export interface StrategyInput {
  underlying: string;
  underlyingPrice: number;
  chain: OptionChain;
  /** Quotes and greeks keyed by streamer symbol; legs without data are not used. */
  snapshot: MarketSnapshot;
  metrics: MarketMetrics | null;
  /** Today's date in New York (YYYY-MM-DD), for DTE and days to earnings. */
  today: string;
}

export interface CandidateLeg {
  symbol: string; // OCC
  streamerSymbol: string;
  right: OptionRight;
  strike: number;
  expiration: string;
  action: 'Buy to Open' | 'Sell to Open';
  /** Per structure unit (1 for every leg of the five strategies). */
  ratio: number;
  bid: number;
  ask: number;
  mid: number;
  iv: number | null;
  delta: number | null;
  gamma: number | null;
  theta: number | null;
  vega: number | null;
}

/**
 * The facts every candidate carries, the names rule files use (documented in docs/rules.md).
 * Prices are per share as quoted (credit 1.25); money amounts are dollars per one structure (max_loss 375);
 * ranks, percentiles and probabilities are 0–100 (as traders say "IV rank 30", "POP 70"); ratios are fractions.
 */
export interface CandidateFacts {
  strategy: StrategyName;
  underlying: string;
  underlying_price: number;
  dte: number;
  expiration_type: string; // Weekly | Regular | ...
  credit_mid: number;
  credit_natural: number;
  /** Widest wing in points; null for undefined-risk structures. */
  width: number | null;
  credit_to_width: number | null;
  /** Dollars per structure; null when the loss is undefined (short strangle). */
  max_loss: number | null;
  return_on_risk: number | null;
  pop: number;
  expected_value: number | null;
  net_delta: number;
  net_theta: number;
  net_vega: number;
  short_delta: number; // largest absolute delta among the short legs
  iv_rank: number | null;
  iv_percentile: number | null;
  iv_index: number | null;
  liquidity_rating: number | null;
  /** Widest bid-ask among the legs, per share. */
  max_leg_spread: number;
  /** Natural minus mid of the whole package (what crossing costs), per share. */
  package_spread: number;
  /** Package spread relative to the mid credit (fraction). */
  package_spread_pct: number;
  days_to_earnings: number | null;
  earnings_before_expiration: boolean;
  defined_risk: boolean;
}

export interface Candidate {
  /** Deterministic: strategy, underlying, expiration and strikes ("iron-condor:SPY:2026-12-18:640/645/720/725"). */
  id: string;
  strategy: StrategyName;
  underlying: string;
  expiration: string;
  dte: number;
  legs: CandidateLeg[];
  /** Net mid credit rounded to the chain's tick, in cents (positive = credit). */
  creditMidCents: Cents;
  creditNaturalCents: Cents;
  facts: CandidateFacts;
}

export interface Strategy<P = unknown> {
  name: StrategyName;
  /** False for the short strangle: only built when the rule set explicitly allows undefined risk. */
  definedRisk: boolean;
  /** zod schema of this strategy's `params:` block in a rule file (strict, defaults resolved). */
  paramsSchema: z.ZodType<P>;
  /** Every structure the chain offers for these params (pure; no I/O). */
  build(input: StrategyInput, params: P): Candidate[];
}
