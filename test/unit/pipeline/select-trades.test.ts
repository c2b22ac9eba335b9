// Trade selection: the kill switch, busy underlyings, sizing, account limits and buying power decide the top trades.
import { describe, expect, it } from 'vitest';
import type { DryRunResult } from '../../../src/domain/account.js';
import { BrokerError } from '../../../src/domain/broker-error.js';
import { selectTrades, type SelectionInput } from '../../../src/pipeline/scan/select-trades.js';
import type { Candidate } from '../../../src/strategies/types.js';

function candidate(id: string, underlying: string, maxLoss: number | null = 400, creditMidCents = 100): Candidate {
  return {
    id,
    strategy: 'put-credit-spread',
    underlying,
    expiration: '2026-12-18',
    dte: 30,
    creditMidCents,
    creditNaturalCents: creditMidCents - 10,
    legs: [
      {
        symbol: `${underlying.padEnd(6)}261218P00100000`,
        streamerSymbol: `.${underlying}261218P100`,
        right: 'P',
        strike: 100,
        expiration: '2026-12-18',
        action: 'Sell to Open',
        ratio: 1,
        bid: 1,
        ask: 1.1,
        mid: 1.05,
        iv: 0.2,
        delta: -0.2,
        gamma: 0,
        theta: 0,
        vega: 0,
      },
      {
        symbol: `${underlying.padEnd(6)}261218P00095000`,
        streamerSymbol: `.${underlying}261218P95`,
        right: 'P',
        strike: 95,
        expiration: '2026-12-18',
        action: 'Buy to Open',
        ratio: 1,
        bid: 0.1,
        ask: 0.15,
        mid: 0.12,
        iv: 0.2,
        delta: -0.1,
        gamma: 0,
        theta: 0,
        vega: 0,
      },
    ],
    facts: { max_loss: maxLoss } as Candidate['facts'],
  };
}

const okDryRun = async (): Promise<DryRunResult> => ({
  buyingPowerChangeCents: -40_000,
  marginRequirementChangeCents: -50_000,
  newBuyingPowerCents: 1_000_000,
  feesCents: 200,
  warnings: [],
});

function input(overrides: Partial<SelectionInput> = {}): SelectionInput {
  return {
    ruleSet: {
      name: 'r',
      sizing: { quantity: 2, maxRiskPerTrade: 1000 },
      risk: {
        maxOpenTrades: 10,
        maxTotalRisk: 100_000,
        maxRiskPerUnderlying: 100_000,
        maxLegsPerGroup: 6,
        maxWorkingGroups: 2,
        maxNewTradesPerScan: 5,
      },
      entry: { price: 'mid', stepTicks: 1, stepEverySeconds: 30, maxSteps: 5, fillTimeoutSeconds: 300 },
    },
    ranked: ['SPY', 'QQQ', 'IWM', 'AAPL', 'MSFT', 'NVDA', 'TSLA'].map((u, i) => ({
      candidate: candidate(`c${i}`, u),
      score: 1 - i / 10,
    })),
    tradingAllowed: { allowed: true },
    busyUnderlyings: new Set(),
    openRisk: { openTrades: 0, totalRiskCents: 0, riskByUnderlying: new Map() },
    ...overrides,
  };
}

describe('selectTrades', () => {
  it('takes the best five, one per underlying, sized to fit maxRiskPerTrade', async () => {
    const { selected, skipped } = await selectTrades(input(), okDryRun);
    expect(selected.map((s) => s.candidate.underlying)).toEqual(['SPY', 'QQQ', 'IWM', 'AAPL', 'MSFT']);
    expect(selected.every((s) => s.quantity === 2 && s.riskCents === 80_000)).toBe(true);
    expect(selected[0]!.order).toMatchObject({ orderType: 'Limit', limitPriceCents: 100 });
    expect(selected[0]!.order.legs.map((l) => l.quantity)).toEqual([2, 2]);
    expect(skipped).toEqual([]);
  });

  it('selects nothing while trading is halted, saying why for each candidate', async () => {
    const { selected, skipped } = await selectTrades(
      input({ tradingAllowed: { allowed: false, reason: 'trading is halted' } }),
      okDryRun,
    );
    expect(selected).toEqual([]);
    expect(skipped).toHaveLength(7);
    expect(new Set(skipped.map((s) => s.reason))).toEqual(new Set(['trading is halted']));
  });

  it('skips busy underlyings and a second candidate on the same underlying', async () => {
    const ranked = [candidate('a', 'SPY'), candidate('b', 'SPY'), candidate('c', 'QQQ'), candidate('d', 'IWM')].map(
      (c) => ({ candidate: c, score: 1 }),
    );
    const { selected, skipped } = await selectTrades(input({ ranked, busyUnderlyings: new Set(['QQQ']) }), okDryRun);
    expect(selected.map((s) => s.candidate.id)).toEqual(['a', 'd']);
    expect(skipped.map((s) => s.candidateId)).toEqual(['b', 'c']);
  });

  it('enforces maxOpenTrades, maxTotalRisk and maxRiskPerUnderlying with what is already open', async () => {
    const base = input();
    const limited = input({
      ruleSet: {
        ...base.ruleSet,
        risk: { ...base.ruleSet.risk, maxOpenTrades: 3, maxTotalRisk: 2000, maxRiskPerUnderlying: 1000 },
      },
      openRisk: { openTrades: 1, totalRiskCents: 50_000, riskByUnderlying: new Map([['SPY', 50_000]]) },
    });
    const { selected, skipped } = await selectTrades(limited, okDryRun);
    // SPY: 500 + 800 > 1000; QQQ 800 → total 1300; IWM 800 → total 2100 > 2000; AAPL same; open trades then…
    expect(selected.map((s) => s.candidate.underlying)).toEqual(['QQQ']);
    expect(skipped.find((s) => s.underlying === 'SPY')?.reason).toMatch(/maxRiskPerUnderlying/);
    expect(skipped.find((s) => s.underlying === 'IWM')?.reason).toMatch(/maxTotalRisk/);
  });

  it('drops a candidate whose single structure exceeds maxRiskPerTrade, and one below the minimum credit', async () => {
    const base = input();
    const ranked = [candidate('big', 'SPY', 1500), candidate('cheap', 'QQQ', 400, 30), candidate('ok', 'IWM', 400)].map(
      (c) => ({ candidate: c, score: 1 }),
    );
    const { selected, skipped } = await selectTrades(
      input({ ranked, ruleSet: { ...base.ruleSet, entry: { ...base.ruleSet.entry, minCredit: 0.5 } } }),
      okDryRun,
    );
    expect(selected.map((s) => s.candidate.id)).toEqual(['ok']);
    expect(skipped.map((s) => s.reason)).toEqual([
      expect.stringMatching(/maxRiskPerTrade/),
      expect.stringMatching(/minCredit/),
    ]);
  });

  it('skips what the broker preflight refuses or cannot afford, and lets other broker errors through', async () => {
    let call = 0;
    const dryRun = async (): Promise<DryRunResult> => {
      call += 1;
      if (call === 1) throw new BrokerError('rejected', 'margin_check_failed');
      if (call === 2) return { ...(await okDryRun()), newBuyingPowerCents: -1 };
      return okDryRun();
    };
    const { selected, skipped } = await selectTrades(input(), dryRun);
    expect(skipped.map((s) => s.underlying)).toEqual(['SPY', 'QQQ']);
    expect(selected.map((s) => s.candidate.underlying)).toEqual(['IWM', 'AAPL', 'MSFT', 'NVDA', 'TSLA']);
    await expect(
      selectTrades(input(), async () => {
        throw new BrokerError('unknown', 'timeout');
      }),
    ).rejects.toThrow('timeout');
  });
});
