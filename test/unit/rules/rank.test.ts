// Ranking: weighted min-max score with per-metric direction, tie-breakers, at most N per underlying, deterministic.
import { describe, expect, it } from 'vitest';
import { rankCandidates, rankForRuleSet, type RankOptions } from '../../../src/rules/rank.js';

const cand = (id: string, underlying: string, facts: Record<string, unknown>) => ({ id, underlying, facts });

const OPTS: RankOptions = {
  metrics: [
    { fact: 'pop', weight: 0.5, prefer: 'high' },
    { fact: 'max_loss', weight: 0.2, prefer: 'low' },
  ],
  normalise: 'minmax',
  tieBreakers: [],
  maxPerUnderlying: 10,
};

describe('rankCandidates', () => {
  it('scores Σ weight × min-max normalised metric, lower-is-better where asked, with a breakdown', () => {
    const cs = [
      cand('a', 'SPY', { pop: 60, max_loss: 300 }),
      cand('b', 'QQQ', { pop: 80, max_loss: 500 }),
      cand('c', 'IWM', { pop: 70, max_loss: 400 }),
    ];
    const { ranked } = rankCandidates(cs, OPTS);
    expect(ranked.map((r) => [r.candidate.id, r.rank, Number(r.score.toFixed(6))])).toEqual([
      ['b', 1, 0.5],
      ['c', 2, 0.35],
      ['a', 3, 0.2],
    ]);
    expect(ranked[2]!.breakdown).toEqual([
      { fact: 'pop', value: 60, normalised: 0, weight: 0.5, prefer: 'high', contribution: 0 },
      { fact: 'max_loss', value: 300, normalised: 1, weight: 0.2, prefer: 'low', contribution: 0.2 },
    ]);
  });

  it('scores a missing or non-numeric metric as the worst of the scan, and equal values as 1', () => {
    const { ranked } = rankCandidates(
      [
        cand('a', 'SPY', { pop: null, max_loss: 100 }),
        cand('b', 'SPY', { pop: 'x', max_loss: 100 }),
        cand('c', 'SPY', { pop: 50, max_loss: 100 }),
      ],
      OPTS,
    );
    expect(ranked.map((r) => r.candidate.id)).toEqual(['c', 'a', 'b']);
    expect(ranked[0]!.breakdown.map((t) => t.normalised)).toEqual([1, 1]);
    expect(ranked[1]!.breakdown[0]).toMatchObject({ value: null, normalised: 0, contribution: 0 });
  });

  it('breaks ties with the tie-breakers in order, then by id', () => {
    const cs = [
      cand('d', 'SPY', { pop: 70, dte: 40, underlying: 'SPY' }),
      cand('c', 'QQQ', { pop: 70, dte: 30, underlying: 'QQQ' }),
      cand('b', 'IWM', { pop: 70, dte: 30, underlying: 'IWM' }),
      cand('a', 'AAA', { pop: 70, dte: null, underlying: 'AAA' }),
    ];
    const opts: RankOptions = { ...OPTS, metrics: [{ fact: 'pop', weight: 1, prefer: 'high' }] };
    const ids = (o: RankOptions) => rankCandidates(cs, o).ranked.map((r) => r.candidate.id);
    expect(ids(opts)).toEqual(['a', 'b', 'c', 'd']); // all tied: by id
    expect(ids({ ...opts, tieBreakers: [{ fact: 'dte', prefer: 'low' }] })).toEqual(['b', 'c', 'd', 'a']); // null last
    expect(ids({ ...opts, tieBreakers: [{ fact: 'dte', prefer: 'high' }] })).toEqual(['d', 'b', 'c', 'a']);
    expect(
      ids({
        ...opts,
        tieBreakers: [
          { fact: 'dte', prefer: 'low' },
          { fact: 'underlying', prefer: 'high' },
        ],
      }),
    ).toEqual(['c', 'b', 'd', 'a']);
  });

  it('keeps at most N per underlying and an overall limit, reporting what it dropped', () => {
    const cs = [
      cand('s1', 'SPY', { pop: 90 }),
      cand('s2', 'SPY', { pop: 85 }),
      cand('s3', 'SPY', { pop: 80 }),
      cand('q1', 'QQQ', { pop: 70 }),
      cand('i1', 'IWM', { pop: 60 }),
    ];
    const opts: RankOptions = {
      ...OPTS,
      metrics: [{ fact: 'pop', weight: 1, prefer: 'high' }],
      maxPerUnderlying: 2,
      limit: 3,
    };
    const { ranked, dropped } = rankCandidates(cs, opts);
    expect(ranked.map((r) => `${r.rank}:${r.candidate.id}`)).toEqual(['1:s1', '2:s2', '3:q1']);
    expect(dropped.map((d) => `${d.candidate.id}:${d.reason}`)).toEqual(['s3:maxPerUnderlying', 'i1:limit']);
  });

  it('is deterministic whatever the input order', () => {
    const cs = Array.from({ length: 200 }, (_, i) =>
      cand(`c${i}`, ['SPY', 'QQQ', 'IWM'][i % 3]!, { pop: (i * 37) % 11, max_loss: (i * 13) % 7 }),
    );
    const once = rankCandidates(cs, { ...OPTS, maxPerUnderlying: 3 }).ranked.map((r) => r.candidate.id);
    const shuffled = [...cs].sort(() => 0.5 - ((cs.length * 7919) % 13) / 13).reverse();
    expect(rankCandidates(shuffled, { ...OPTS, maxPerUnderlying: 3 }).ranked.map((r) => r.candidate.id)).toEqual(once);
    expect(once).toHaveLength(9);
  });

  it('can rank on raw values (normalise: none) and takes its options from a rule set', () => {
    const cs = [cand('a', 'SPY', { credit_mid: 1.5 }), cand('b', 'QQQ', { credit_mid: 2 })];
    const rs = {
      score: {
        normalise: 'none' as const,
        metrics: [{ fact: 'credit_mid', weight: 2, prefer: 'high' as const }],
        tieBreakers: [],
      },
      maxPerUnderlying: 1,
    };
    const { ranked } = rankForRuleSet(rs, cs, 1);
    expect(ranked.map((r) => [r.candidate.id, r.score])).toEqual([['b', 4]]);
  });
});
