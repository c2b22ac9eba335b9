// Owns the iron butterfly: sell the put and the call at the strike nearest the underlying price, buy wings around them.
import { z } from 'zod';
import { makeCandidate } from './build-candidate.js';
import { DEFAULT_WINGS, buy, commonParams, expirationLegs, sell, wingFor, wingsSchema } from './select.js';
import type { Candidate, Strategy, StrategyInput } from './types.js';

export const ironButterflyParamsSchema = z
  .object({
    ...commonParams,
    /** Bodies are tried nearest the underlying price first; maxCandidatesPerExpiration of them are kept. */
    maxCandidatesPerExpiration: commonParams.maxCandidatesPerExpiration.unwrap().default(1),
    body: z.literal('atm').default('atm'),
    wings: wingsSchema.default(DEFAULT_WINGS),
  })
  .strict();
export type IronButterflyParams = z.infer<typeof ironButterflyParamsSchema>;

export function buildIronButterflies(input: StrategyInput, p: IronButterflyParams): Candidate[] {
  const out: Candidate[] = [];
  const spot = input.underlyingPrice;
  for (const ex of expirationLegs(input, p.dte, p.expirations)) {
    // Bodies: strikes with a usable put and call, walked outward from the underlying price (ties: lower strike).
    const strikes = ex.puts.strikes;
    let hi = strikes.findIndex((k) => k >= spot);
    if (hi < 0) hi = strikes.length;
    let lo = hi - 1;
    let n = 0;
    while (lo >= 0 || hi < strikes.length) {
      const below = lo >= 0 ? spot - strikes[lo]! : Infinity;
      const above = hi < strikes.length ? strikes[hi]! - spot : Infinity;
      const put = ex.puts.leg(below <= above ? lo-- : hi++);
      const call = put && ex.calls.at(put.strike);
      if (!put || !call) continue;
      const lp = wingFor(ex.puts, put, 'below', p.wings);
      const lc = lp && wingFor(ex.calls, call, 'above', p.wings);
      const c = lp && lc && makeCandidate(input, ex, 'iron-butterfly', true, [buy(lp), sell(put), sell(call), buy(lc)]);
      if (!c) continue;
      out.push(c);
      if (++n >= p.maxCandidatesPerExpiration) break;
    }
  }
  return out;
}

export const ironButterfly: Strategy<IronButterflyParams> = {
  name: 'iron-butterfly',
  definedRisk: true,
  paramsSchema: ironButterflyParamsSchema,
  build: buildIronButterflies,
};
