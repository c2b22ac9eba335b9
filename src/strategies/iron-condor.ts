// Owns the iron condor (a put credit spread below, a call credit spread above; shorts by delta, wings by points or
// delta) and the ordering of (put, call) short pairs it shares with the short strangle.
import { z } from 'zod';
import { makeCandidate } from './build-candidate.js';
import {
  DEFAULT_DELTA,
  DEFAULT_WINGS,
  EPS,
  buy,
  checkWingDelta,
  commonParams,
  deltaBandSchema,
  expirationLegs,
  sell,
  shortsByDelta,
  wingFor,
  wingsSchema,
  type DeltaBand,
  type QuotedLeg,
  type Side,
} from './select.js';
import type { Candidate, Strategy, StrategyInput } from './types.js';

export const ironCondorParamsSchema = z
  .object({
    ...commonParams,
    /** Both short strikes; `putDelta` / `callDelta` override one side. */
    shortDelta: deltaBandSchema.default(DEFAULT_DELTA),
    putDelta: deltaBandSchema.optional(),
    callDelta: deltaBandSchema.optional(),
    wings: wingsSchema.default(DEFAULT_WINGS),
  })
  .strict()
  .superRefine((p, ctx) => {
    checkWingDelta(ctx, p.wings, p.putDelta ?? p.shortDelta, p.putDelta ? 'putDelta' : 'shortDelta');
    if (p.callDelta) checkWingDelta(ctx, p.wings, p.callDelta, 'callDelta');
  });
export type IronCondorParams = z.infer<typeof ironCondorParamsSchema>;

export function buildIronCondors(input: StrategyInput, p: IronCondorParams): Candidate[] {
  const out: Candidate[] = [];
  for (const ex of expirationLegs(input, p.dte, p.expirations)) {
    let n = 0;
    for (const [sp, sc] of shortPairs(ex.puts, ex.calls, p.putDelta ?? p.shortDelta, p.callDelta ?? p.shortDelta)) {
      const lp = wingFor(ex.puts, sp, 'below', p.wings);
      const lc = lp && wingFor(ex.calls, sc, 'above', p.wings);
      const c = lp && lc && makeCandidate(input, ex, 'iron-condor', true, [buy(lp), sell(sp), sell(sc), buy(lc)]);
      if (!c) continue;
      out.push(c);
      if (++n >= p.maxCandidatesPerExpiration) break;
    }
  }
  return out;
}

export const ironCondor: Strategy<IronCondorParams> = {
  name: 'iron-condor',
  definedRisk: true,
  paramsSchema: ironCondorParamsSchema,
  build: buildIronCondors,
};

/**
 * Pairs (put, call) of short candidates, put strike strictly below call strike, in order of the summed distance of
 * their |delta| to the targets (ties: lower put strike, then lower call strike). Lazy: a best-first walk over the
 * two sorted lists, so taking the first few pairs costs little however wide the bands are.
 */
export function* shortPairs(
  puts: Side,
  calls: Side,
  putBand: DeltaBand,
  callBand: DeltaBand,
): Generator<[QuotedLeg, QuotedLeg]> {
  const ps = shortsByDelta(puts, putBand);
  const cs = shortsByDelta(calls, callBand);
  if (ps.length === 0 || cs.length === 0) return;
  const dp = ps.map((l) => Math.abs(Math.abs(l.delta) - putBand.target));
  const dc = cs.map((l) => Math.abs(Math.abs(l.delta) - callBand.target));
  // Min-heap of [i, j] by (dp[i] + dc[j], put strike, call strike); row i advances along j.
  const heap: [number, number][] = ps.map((_, i) => [i, 0]);
  const less = (a: [number, number], b: [number, number]): boolean => {
    const d = dp[a[0]]! + dc[a[1]]! - (dp[b[0]]! + dc[b[1]]!);
    if (Math.abs(d) > EPS) return d < 0;
    return (ps[a[0]]!.strike - ps[b[0]]!.strike || cs[a[1]]!.strike - cs[b[1]]!.strike) < 0;
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
  while (heap.length > 0) {
    const top = heap[0]!;
    const p = ps[top[0]]!;
    const c = cs[top[1]]!;
    if (top[1] + 1 < cs.length) heap[0] = [top[0], top[1] + 1];
    else {
      const last = heap.pop()!;
      if (heap.length > 0) heap[0] = last;
    }
    if (heap.length > 0) down(0);
    if (p.strike < c.strike) yield [p, c];
  }
}
