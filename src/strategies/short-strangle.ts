// Owns the short strangle (undefined risk): sell an OTM put and an OTM call by delta, no wings.
import { z } from 'zod';
import { makeCandidate } from './build-candidate.js';
import { shortPairs } from './iron-condor.js';
import { DEFAULT_DELTA, commonParams, deltaBandSchema, expirationLegs, sell } from './select.js';
import type { Candidate, Strategy, StrategyInput } from './types.js';

export const shortStrangleParamsSchema = z
  .object({
    ...commonParams,
    /** Both short strikes; `putDelta` / `callDelta` override one side. */
    shortDelta: deltaBandSchema.default(DEFAULT_DELTA),
    putDelta: deltaBandSchema.optional(),
    callDelta: deltaBandSchema.optional(),
  })
  .strict();
export type ShortStrangleParams = z.infer<typeof shortStrangleParamsSchema>;

export function buildShortStrangles(input: StrategyInput, p: ShortStrangleParams): Candidate[] {
  const out: Candidate[] = [];
  for (const ex of expirationLegs(input, p.dte, p.expirations)) {
    let n = 0;
    for (const [sp, sc] of shortPairs(ex.puts, ex.calls, p.putDelta ?? p.shortDelta, p.callDelta ?? p.shortDelta)) {
      const c = makeCandidate(input, ex, 'short-strangle', false, [sell(sp), sell(sc)]);
      if (!c) continue;
      out.push(c);
      if (++n >= p.maxCandidatesPerExpiration) break;
    }
  }
  return out;
}

export const shortStrangle: Strategy<ShortStrangleParams> = {
  name: 'short-strangle',
  definedRisk: false,
  paramsSchema: shortStrangleParamsSchema,
  build: buildShortStrangles,
};
