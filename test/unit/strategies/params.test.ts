// Owns the unit tests of the strategy registry and every strategy's params schema (strict, defaults, ranges).
import { describe, expect, it } from 'vitest';
import { STRATEGIES, STRATEGY_NAMES, getStrategy, isStrategyName } from '../../../src/strategies/index.js';

const issues = (name: string, params: unknown): string[] => {
  const r = getStrategy(name)!.paramsSchema.safeParse(params);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('strategy registry', () => {
  it('has the five strategies under their rule-file names', () => {
    expect(Object.keys(STRATEGIES).sort()).toEqual([...STRATEGY_NAMES].sort());
    for (const name of STRATEGY_NAMES) expect(getStrategy(name)!.name).toBe(name);
    expect(getStrategy('short-put-vertical')).toBeUndefined();
    expect(isStrategyName('iron-condor')).toBe(true);
    expect(isStrategyName('toString')).toBe(false);
    expect(STRATEGY_NAMES.filter((n) => !STRATEGIES[n].definedRisk)).toEqual(['short-strangle']);
  });
});

describe('params schemas', () => {
  it('resolve defaults', () => {
    const common = { dte: { min: 30, max: 60 }, expirations: 'any', maxCandidatesPerExpiration: 3 };
    const short = { target: 0.16, tolerance: 0.05 };
    expect(getStrategy('iron-condor')!.paramsSchema.parse({})).toEqual({
      ...common,
      shortDelta: short,
      wings: { points: 5 },
    });
    expect(getStrategy('put-credit-spread')!.paramsSchema.parse({})).toEqual({
      ...common,
      shortDelta: short,
      wings: { points: 5 },
    });
    expect(getStrategy('call-credit-spread')!.paramsSchema.parse({})).toEqual({
      ...common,
      shortDelta: short,
      wings: { points: 5 },
    });
    expect(getStrategy('iron-butterfly')!.paramsSchema.parse({})).toEqual({
      ...common,
      maxCandidatesPerExpiration: 1,
      body: 'atm',
      wings: { points: 5 },
    });
    expect(getStrategy('short-strangle')!.paramsSchema.parse({})).toEqual({ ...common, shortDelta: short });
    expect(
      getStrategy('iron-condor')!.paramsSchema.parse({
        dte: { min: 7 },
        shortDelta: { target: 0.2 },
        wings: { delta: 0.05 },
      }),
    ).toMatchObject({ dte: { min: 7, max: 60 }, shortDelta: { target: 0.2, tolerance: 0.05 }, wings: { delta: 0.05 } });
  });

  it.each(STRATEGY_NAMES)('%s rejects unknown keys, top-level and nested', (name) => {
    expect(issues(name, { dte: { min: 30, max: 45 }, minCredit: 1 })).toEqual(
      ['Unrecognized key: "minCredit"'].map((m) => `: ${m}`),
    );
    expect(issues(name, { dte: { min: 30, maxx: 45 } })).toEqual(['dte: Unrecognized key: "maxx"']);
  });

  it.each(STRATEGY_NAMES)('%s rejects bad ranges', (name) => {
    expect(issues(name, { dte: { min: 50, max: 40 } })).toEqual(['dte: min (50) must not exceed max (40)']);
    expect(issues(name, { dte: { min: -1, max: 40 } })).toHaveLength(1);
    expect(issues(name, { dte: { min: 1.5, max: 40 } })).toHaveLength(1);
    expect(issues(name, { expirations: 'daily' })).toHaveLength(1);
    expect(issues(name, { maxCandidatesPerExpiration: 0 })).toHaveLength(1);
    expect(issues(name, { maxCandidatesPerExpiration: 2.5 })).toHaveLength(1);
  });

  it.each(['iron-condor', 'put-credit-spread', 'call-credit-spread', 'short-strangle'])(
    '%s rejects bad deltas',
    (name) => {
      expect(issues(name, { shortDelta: { target: 0 } })).toEqual([
        'shortDelta.target: Too small: expected number to be >0',
      ]);
      expect(issues(name, { shortDelta: { target: 1 } })).toHaveLength(1);
      expect(issues(name, { shortDelta: { target: 0.2, tolerance: -0.01 } })).toHaveLength(1);
      expect(issues(name, { shortDelta: { target: '0.2' } })).toHaveLength(1);
    },
  );

  it.each(['iron-condor', 'put-credit-spread', 'call-credit-spread', 'iron-butterfly'])(
    '%s rejects bad wings',
    (name) => {
      expect(issues(name, { wings: {} })).toEqual(['wings: give exactly one of points or delta']);
      expect(issues(name, { wings: { points: 5, delta: 0.05 } })).toEqual([
        'wings: give exactly one of points or delta',
      ]);
      expect(issues(name, { wings: { points: 0 } })).toHaveLength(1);
      expect(issues(name, { wings: { delta: 0.5 } })).toContain('wings.delta: Too big: expected number to be <0.5');
      expect(issues(name, { wings: { points: 5, tolerance: 0.01 } })).toEqual([
        'wings.tolerance: tolerance applies only to wings by delta',
      ]);
      expect(issues(name, { wings: { width: 5 } })).toHaveLength(2); // unknown key, and neither points nor delta
    },
  );

  it('rejects delta wings that are not farther out than the short strikes', () => {
    expect(issues('put-credit-spread', { shortDelta: { target: 0.16 }, wings: { delta: 0.2 } })).toEqual([
      'wings.delta: must be smaller than shortDelta.target (0.16)',
    ]);
    expect(issues('iron-condor', { callDelta: { target: 0.1 }, wings: { delta: 0.12 } })).toEqual([
      'wings.delta: must be smaller than callDelta.target (0.1)',
    ]);
    expect(
      issues('iron-condor', { putDelta: { target: 0.3 }, callDelta: { target: 0.3 }, wings: { delta: 0.2 } }),
    ).toEqual([]);
  });

  it('strategy-specific keys: the strangle has no wings, the butterfly no deltas and only an ATM body', () => {
    expect(issues('short-strangle', { wings: { points: 5 } })).toEqual([': Unrecognized key: "wings"']);
    expect(issues('iron-butterfly', { shortDelta: { target: 0.5 } })).toEqual([': Unrecognized key: "shortDelta"']);
    expect(issues('iron-butterfly', { body: 'otm' })).toHaveLength(1);
    expect(issues('put-credit-spread', { putDelta: { target: 0.2 } })).toEqual([': Unrecognized key: "putDelta"']);
  });
});
