// Owns the strategy registry: name (as in rule files and on the command line) → Strategy with its params schema.
import { callCreditSpread } from './call-credit-spread.js';
import { ironButterfly } from './iron-butterfly.js';
import { ironCondor } from './iron-condor.js';
import { putCreditSpread } from './put-credit-spread.js';
import { shortStrangle } from './short-strangle.js';
import { STRATEGY_NAMES, type Strategy, type StrategyName } from './types.js';

export const STRATEGIES: Record<StrategyName, Strategy> = {
  'iron-condor': ironCondor,
  'put-credit-spread': putCreditSpread,
  'call-credit-spread': callCreditSpread,
  'iron-butterfly': ironButterfly,
  'short-strangle': shortStrangle,
};

export const isStrategyName = (name: string): name is StrategyName =>
  (STRATEGY_NAMES as readonly string[]).includes(name);

/** The strategy of that name, or undefined for a name no strategy has. */
export function getStrategy(name: string): Strategy | undefined {
  return isStrategyName(name) ? STRATEGIES[name] : undefined;
}

export { STRATEGY_NAMES };
export type { Candidate, CandidateFacts, CandidateLeg, Strategy, StrategyInput, StrategyName } from './types.js';
export type { IronCondorParams } from './iron-condor.js';
export type { VerticalParams } from './put-credit-spread.js';
export type { IronButterflyParams } from './iron-butterfly.js';
export type { ShortStrangleParams } from './short-strangle.js';
