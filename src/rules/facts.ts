// Owns the catalogue of candidate facts rule files may name: type, unit and which direction is better. Pure.
import type { CandidateFacts } from '../strategies/types.js';

export type FactName = keyof CandidateFacts;
export type FactType = 'number' | 'string' | 'boolean';

export interface FactInfo {
  type: FactType;
  /** The fact may be null (unknown or undefined for this structure). */
  nullable: boolean;
  unit: string;
  /** Default scoring direction when a metric has no `prefer:`; undefined for non-numeric facts. */
  better?: 'high' | 'low';
  description: string;
}

const n = (unit: string, better: 'high' | 'low', description: string, nullable = false): FactInfo => ({
  type: 'number',
  nullable,
  unit,
  better,
  description,
});

/** Every fact of CandidateFacts (the `satisfies` keeps this table and the interface in step). */
export const FACTS = {
  strategy: {
    type: 'string',
    nullable: false,
    unit: 'name',
    description: 'strategy of the candidate (iron-condor, …)',
  },
  underlying: { type: 'string', nullable: false, unit: 'symbol', description: 'underlying symbol (SPY)' },
  underlying_price: n('$ per share', 'high', 'last underlying price'),
  dte: n('calendar days', 'low', 'days to expiration'),
  expiration_type: {
    type: 'string',
    nullable: false,
    unit: 'name',
    description: 'Weekly, Regular, Quarterly, End-Of-Month',
  },
  credit_mid: n('$ per share', 'high', 'net credit at the mid of every leg'),
  credit_natural: n('$ per share', 'high', 'net credit crossing every spread (sell at bid, buy at ask)'),
  width: n('points', 'low', 'widest wing; null for undefined-risk structures', true),
  credit_to_width: n('fraction', 'high', 'credit_mid / width (0.33 = a third of the width)', true),
  max_loss: n('$ per structure', 'low', 'worst loss at expiration; null when undefined (short strangle)', true),
  return_on_risk: n('fraction', 'high', 'credit / max loss per structure', true),
  pop: n('percent 0–100', 'high', 'probability of profit at expiration'),
  expected_value: n('$ per structure', 'high', 'expected P/L at expiration', true),
  net_delta: n('delta per share', 'low', 'signed net delta of the structure'),
  net_theta: n('$ per share per day', 'high', 'net theta (positive = earns time decay)'),
  net_vega: n('$ per share per vol point', 'low', 'net vega (negative = short volatility)'),
  short_delta: n('absolute delta 0–1', 'low', 'largest absolute delta among the short legs'),
  iv_rank: n('percent 0–100', 'high', 'IV rank of the underlying', true),
  iv_percentile: n('percent 0–100', 'high', 'IV percentile of the underlying', true),
  iv_index: n('percent', 'high', 'implied volatility index of the underlying (18 = 18 %)', true),
  liquidity_rating: n('rating 0–5', 'high', "Tastytrade's liquidity rating", true),
  max_leg_spread: n('$ per share', 'low', 'widest bid-ask spread among the legs'),
  package_spread: n('$ per share', 'low', 'natural minus mid of the whole package (cost of crossing)'),
  package_spread_pct: n('fraction', 'low', 'package_spread / credit_mid'),
  days_to_earnings: n('calendar days', 'high', 'days to the next earnings report; null when unknown', true),
  earnings_before_expiration: {
    type: 'boolean',
    nullable: false,
    unit: 'flag',
    description: 'an earnings report falls before expiration',
  },
  defined_risk: {
    type: 'boolean',
    nullable: false,
    unit: 'flag',
    description: 'the loss is capped (every strategy but the short strangle)',
  },
} as const satisfies Record<FactName, FactInfo>;

export const FACT_NAMES = Object.keys(FACTS) as FactName[];

export const isFactName = (name: string): name is FactName => Object.hasOwn(FACTS, name);

export const factInfo = (name: string): FactInfo | undefined => (isFactName(name) ? FACTS[name] : undefined);
