// Account limits as pure arithmetic: usage of each limit, and an entry checked with the candidate added.
import { describe, expect, it } from 'vitest';
import {
  type AccountExposure,
  type AccountLimits,
  type CandidateExposure,
  checkCandidate,
  limitUsage,
} from '../../../src/domain/account-limits.js';
import { ZERO_GREEKS } from '../../../src/domain/portfolio.js';

const NONE: AccountLimits = {
  allocation: { maxTotalRiskPct: null, maxUnderlyingRiskPct: null, maxRuleSetRiskPct: null },
  greeks: { maxAbsBetaDelta: null, maxAbsVega: null, minTheta: null },
  trades: { maxOpen: null, maxNewPerDay: null },
};
const account = (over: Partial<AccountExposure> = {}): AccountExposure => ({
  netLiqCents: 10_000_000, // $100,000
  trades: [
    { ruleSet: 'ic-spy', underlying: 'SPY', riskCents: 1_500_000 },
    { ruleSet: 'ic-qqq', underlying: 'QQQ', riskCents: 500_000 },
  ],
  foreignRiskCents: new Map([['AAPL', 1_000_000]]),
  greeks: { ...ZERO_GREEKS, betaDelta: -50, vega: -200, theta: 40 },
  newToday: 1,
  ...over,
});
const candidate = (over: Partial<CandidateExposure> = {}): CandidateExposure => ({
  ruleSet: 'ic-iwm',
  underlying: 'IWM',
  riskCents: 800_000,
  greeks: { ...ZERO_GREEKS, betaDelta: -10, vega: -60, theta: 12 },
  ...over,
});

describe('limitUsage', () => {
  it('total, per underlying (foreign included) and per rule set in % of net liq; greeks; trade counts', () => {
    const limits: AccountLimits = {
      allocation: { maxTotalRiskPct: 30, maxUnderlyingRiskPct: 10, maxRuleSetRiskPct: 20 },
      greeks: { maxAbsBetaDelta: 300, maxAbsVega: 500, minTheta: 10 },
      trades: { maxOpen: 20, maxNewPerDay: 10 },
    };
    const usage = limitUsage(limits, account());
    const by = Object.fromEntries(usage.map((u) => [u.name, [u.used, u.limit, u.pct]]));
    // total: 15,000 + 5,000 + 10,000 foreign = $30,000 of $100,000 = 30 % of a 30 % limit
    expect(by['allocation.maxTotalRiskPct']).toEqual([30, 30, 100]);
    expect(by['allocation.maxUnderlyingRiskPct[SPY]']).toEqual([15, 10, 150]);
    expect(by['allocation.maxUnderlyingRiskPct[AAPL]']).toEqual([10, 10, 100]);
    expect(by['allocation.maxUnderlyingRiskPct[QQQ]']).toEqual([5, 10, 50]);
    expect(by['allocation.maxRuleSetRiskPct[ic-spy]']).toEqual([15, 20, 75]);
    expect(by['allocation.maxRuleSetRiskPct[AAPL]']).toBeUndefined(); // foreign belongs to no rule set
    expect(by['greeks.maxAbsBetaDelta']).toEqual([50, 300, 16.67]);
    expect(by['greeks.maxAbsVega']).toEqual([200, 500, 40]);
    expect(by['greeks.minTheta']).toEqual([40, 10, 0]);
    expect(by['trades.maxOpen']).toEqual([2, 20, 10]);
    expect(by['trades.maxNewPerDay']).toEqual([1, 10, 10]);
  });

  it('no limits configured: nothing to report', () => {
    expect(limitUsage(NONE, account())).toEqual([]);
  });
});

describe('checkCandidate', () => {
  it('refuses a trade that takes total risk over the allocation and names the limit', () => {
    const limits = { ...NONE, allocation: { ...NONE.allocation, maxTotalRiskPct: 35 } };
    expect(checkCandidate(limits, account(), candidate({ riskCents: 400_000 })).ok).toBe(true); // 34 %
    const v = checkCandidate(limits, account(), candidate({ riskCents: 600_000 })); // 36 %
    expect(v).toMatchObject({
      ok: false,
      limit: 'allocation.maxTotalRiskPct',
      reason: 'account limit allocation.maxTotalRiskPct: 36 % of net liq with this trade (limit 35 % of net liq)',
    });
  });

  it('per underlying and per rule set count only the candidate’s own', () => {
    const limits = { ...NONE, allocation: { ...NONE.allocation, maxUnderlyingRiskPct: 10, maxRuleSetRiskPct: 20 } };
    // SPY is already over 10 %, but the candidate is on IWM (8 %): allowed
    expect(checkCandidate(limits, account(), candidate()).ok).toBe(true);
    expect(checkCandidate(limits, account(), candidate({ underlying: 'QQQ', riskCents: 600_000 }))).toMatchObject({
      ok: false,
      limit: 'allocation.maxUnderlyingRiskPct[QQQ]',
    });
    expect(checkCandidate(limits, account(), candidate({ ruleSet: 'ic-spy', riskCents: 600_000 }))).toMatchObject({
      ok: false,
      limit: 'allocation.maxRuleSetRiskPct[ic-spy]',
    });
  });

  it('greeks after the trade; a trade that moves an exceeded greek back toward its bound is allowed', () => {
    const limits = { ...NONE, greeks: { maxAbsBetaDelta: 55, maxAbsVega: null, minTheta: null } };
    expect(checkCandidate(limits, account(), candidate())).toMatchObject({
      ok: false,
      limit: 'greeks.maxAbsBetaDelta',
    });
    const over = account({ greeks: { ...ZERO_GREEKS, betaDelta: -80 } });
    expect(checkCandidate(limits, over, candidate({ greeks: { ...ZERO_GREEKS, betaDelta: 10 } })).ok).toBe(true);
    const theta = { ...NONE, greeks: { maxAbsBetaDelta: null, maxAbsVega: null, minTheta: 45 } };
    expect(
      checkCandidate(
        theta,
        account({ greeks: { ...ZERO_GREEKS, theta: 50 } }),
        candidate({ greeks: { ...ZERO_GREEKS, theta: -8 } }),
      ),
    ).toMatchObject({
      ok: false,
      reason: 'account limit greeks.minTheta: theta would be 42 (minimum 45)',
    });
  });

  it('open trades and new trades per day count the candidate', () => {
    expect(
      checkCandidate({ ...NONE, trades: { maxOpen: 2, maxNewPerDay: null } }, account(), candidate()),
    ).toMatchObject({ ok: false, limit: 'trades.maxOpen' });
    expect(checkCandidate({ ...NONE, trades: { maxOpen: null, maxNewPerDay: 2 } }, account(), candidate()).ok).toBe(
      true,
    );
    expect(
      checkCandidate({ ...NONE, trades: { maxOpen: null, maxNewPerDay: 2 } }, account({ newToday: 2 }), candidate()),
    ).toMatchObject({ ok: false, limit: 'trades.maxNewPerDay' });
  });
});
