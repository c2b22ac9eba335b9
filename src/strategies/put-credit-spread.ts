// Owns the put credit spread (short put vertical): sell a put near the target delta, buy the put `wings` below it.
import { z } from 'zod';
import { makeCandidate } from './build-candidate.js';
import {
  DEFAULT_DELTA,
  DEFAULT_WINGS,
  buy,
  checkWingDelta,
  commonParams,
  deltaBandSchema,
  expirationLegs,
  sell,
  shortsByDelta,
  wingFor,
  wingsSchema,
} from './select.js';
import type { Candidate, Strategy, StrategyInput } from './types.js';

export const verticalParamsSchema = z
  .object({
    ...commonParams,
    shortDelta: deltaBandSchema.default(DEFAULT_DELTA),
    wings: wingsSchema.default(DEFAULT_WINGS),
  })
  .strict()
  .superRefine((p, ctx) => checkWingDelta(ctx, p.wings, p.shortDelta, 'shortDelta'));
export type VerticalParams = z.infer<typeof verticalParamsSchema>;

export function buildPutCreditSpreads(input: StrategyInput, p: VerticalParams): Candidate[] {
  const out: Candidate[] = [];
  for (const ex of expirationLegs(input, p.dte, p.expirations)) {
    let n = 0;
    for (const short of shortsByDelta(ex.puts, p.shortDelta)) {
      const long = wingFor(ex.puts, short, 'below', p.wings);
      const c = long && makeCandidate(input, ex, 'put-credit-spread', true, [buy(long), sell(short)]);
      if (!c) continue;
      out.push(c);
      if (++n >= p.maxCandidatesPerExpiration) break;
    }
  }
  return out;
}

export const putCreditSpread: Strategy<VerticalParams> = {
  name: 'put-credit-spread',
  definedRisk: true,
  paramsSchema: verticalParamsSchema,
  build: buildPutCreditSpreads,
};
