// Owns the call credit spread (short call vertical): sell a call near the target delta, buy the call `wings` above it.
import { makeCandidate } from './build-candidate.js';
import { verticalParamsSchema, type VerticalParams } from './put-credit-spread.js';
import { buy, expirationLegs, sell, shortsByDelta, wingFor } from './select.js';
import type { Candidate, Strategy, StrategyInput } from './types.js';

export function buildCallCreditSpreads(input: StrategyInput, p: VerticalParams): Candidate[] {
  const out: Candidate[] = [];
  for (const ex of expirationLegs(input, p.dte, p.expirations)) {
    let n = 0;
    for (const short of shortsByDelta(ex.calls, p.shortDelta)) {
      const long = wingFor(ex.calls, short, 'above', p.wings);
      const c = long && makeCandidate(input, ex, 'call-credit-spread', true, [sell(short), buy(long)]);
      if (!c) continue;
      out.push(c);
      if (++n >= p.maxCandidatesPerExpiration) break;
    }
  }
  return out;
}

export const callCreditSpread: Strategy<VerticalParams> = {
  name: 'call-credit-spread',
  definedRisk: true,
  paramsSchema: verticalParamsSchema,
  build: buildCallCreditSpreads,
};
