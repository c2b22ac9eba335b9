// The exit decision, table-driven: each rule fires alone, the documented order breaks ties, missing inputs never fire.
import { describe, expect, it } from 'vitest';
import { priceAtStep } from '../../../src/domain/order-group.js';
import {
  closeCosts,
  decideExit,
  exitPricing,
  type ExitInput,
  type ExitLegMark,
  type ExitRules,
} from '../../../src/rules/exit-rules.js';

const NONE: ExitRules = {
  takeProfitPct: null,
  stopLossMultiple: null,
  closeAtDte: null,
  shortDeltaBreach: null,
  underlyingThroughShortStrike: false,
  timeStopDays: null,
  holdThroughExpiration: false,
};
const EXPIRY = '2026-12-18';
const leg = (
  action: ExitLegMark['action'],
  right: 'C' | 'P',
  strike: number,
  bid: number,
  ask: number,
  delta: number | null,
): ExitLegMark => ({
  symbol: `SPY ${right}${strike}`,
  action,
  ratio: 1,
  strike,
  right,
  expiration: EXPIRY,
  bid,
  ask,
  delta,
});
// A condor sold for $1.00: 90/95 puts, 105/110 calls; marks give a mid cost to close of `cost` dollars (shorts carry it)
const condor = (cost: number, shortDelta = 0.16): ExitLegMark[] => [
  leg('Buy to Open', 'P', 90, 0.05, 0.07, -0.05),
  leg('Sell to Open', 'P', 95, cost / 2 + 0.05, cost / 2 + 0.07, -shortDelta),
  leg('Sell to Open', 'C', 105, cost / 2 + 0.05, cost / 2 + 0.07, shortDelta),
  leg('Buy to Open', 'C', 110, 0.05, 0.07, 0.05),
];
const input = (exits: Partial<ExitRules>, over: Partial<ExitInput> = {}): ExitInput => ({
  exits: { ...NONE, ...exits },
  entryCreditCents: 100,
  legs: condor(1),
  underlyingPrice: 100,
  daysToExpiration: 35,
  daysHeld: 0,
  now: Date.parse('2026-11-13T15:00:00Z'),
  today: '2026-11-13',
  sessionCloseAt: Date.parse('2026-11-13T21:00:00Z'),
  exitLeadMs: 180_000,
  ...over,
});

describe('decideExit', () => {
  it.each([
    ['take_profit at 50%', { takeProfitPct: 50 }, { legs: condor(0.5) }, 'take_profit'],
    ['take_profit not yet', { takeProfitPct: 50 }, { legs: condor(0.51) }, null],
    ['stop_loss at 2x', { stopLossMultiple: 2 }, { legs: condor(3) }, 'stop_loss'],
    ['stop_loss not yet', { stopLossMultiple: 2 }, { legs: condor(2.99) }, null],
    ['close_at_dte', { closeAtDte: 21 }, { daysToExpiration: 21 }, 'close_at_dte'],
    ['close_at_dte not yet', { closeAtDte: 21 }, { daysToExpiration: 22 }, null],
    ['short delta breach', { shortDeltaBreach: 0.35 }, { legs: condor(1, 0.35) }, 'short_delta_breach'],
    ['short delta fine', { shortDeltaBreach: 0.35 }, { legs: condor(1, 0.34) }, null],
    [
      'underlying through short put',
      { underlyingThroughShortStrike: true },
      { underlyingPrice: 95 },
      'underlying_through_short_strike',
    ],
    [
      'underlying through short call',
      { underlyingThroughShortStrike: true },
      { underlyingPrice: 105.5 },
      'underlying_through_short_strike',
    ],
    ['underlying between shorts', { underlyingThroughShortStrike: true }, { underlyingPrice: 104.99 }, null],
    ['time stop', { timeStopDays: 10 }, { daysHeld: 10 }, 'time_stop'],
    ['time stop not yet', { timeStopDays: 10 }, { daysHeld: 9 }, null],
    ['nothing configured', {}, { legs: condor(5), daysToExpiration: 0, daysHeld: 100, underlyingPrice: 50 }, null],
  ] as const)('%s', (_name, exits, over, expected) => {
    const d = decideExit(input(exits, over as Partial<ExitInput>));
    expect(d.exit ? d.reason : null).toBe(expected);
  });

  it('first rule in the documented order wins', () => {
    const all = {
      takeProfitPct: 50,
      stopLossMultiple: 2,
      closeAtDte: 21,
      shortDeltaBreach: 0.3,
      underlyingThroughShortStrike: true,
      timeStopDays: 1,
    };
    const d = (over: Partial<ExitInput>) => {
      const r = decideExit(input(all, over));
      return r.exit ? r.reason : null;
    };
    expect(d({ legs: condor(3, 0.5), underlyingPrice: 94, daysToExpiration: 5, daysHeld: 5 })).toBe('stop_loss');
    expect(d({ legs: condor(1, 0.5), underlyingPrice: 94, daysToExpiration: 5, daysHeld: 5 })).toBe(
      'underlying_through_short_strike',
    );
    expect(d({ legs: condor(0.4, 0.5), daysToExpiration: 5, daysHeld: 5 })).toBe('short_delta_breach');
    expect(d({ legs: condor(0.4), daysToExpiration: 5, daysHeld: 5 })).toBe('take_profit');
    expect(d({ daysToExpiration: 5, daysHeld: 5 })).toBe('close_at_dte');
    expect(d({ daysHeld: 5 })).toBe('time_stop');
  });

  // Expiration day 2026-12-18 closes at 16:00 New York (21:00Z): pin risk from 15:00 less the exit's 3-minute lead
  const CLOSE = Date.parse('2026-12-18T21:00:00Z');
  const EARLY_CLOSE = Date.parse('2026-12-18T18:00:00Z'); // 13:00 New York
  const expDay = (at: string, close = CLOSE): Partial<ExitInput> => ({
    today: EXPIRY,
    now: Date.parse(at),
    sessionCloseAt: close,
    daysToExpiration: 0,
  });
  it.each([
    ['expiration day, in the last hour less the lead', {}, expDay('2026-12-18T19:57:00Z'), 'pin_risk'],
    ['expiration day, in the last hour', {}, expDay('2026-12-18T20:30:00Z'), 'pin_risk'],
    ['expiration day, before it', {}, expDay('2026-12-18T19:56:59Z'), null],
    ['early close at 13:00: from 11:57', {}, expDay('2026-12-18T16:57:00Z', EARLY_CLOSE), 'pin_risk'],
    ['early close at 13:00: not at 11:56', {}, expDay('2026-12-18T16:56:00Z', EARLY_CLOSE), null],
    ['holdThroughExpiration', { holdThroughExpiration: true }, expDay('2026-12-18T20:30:00Z'), null],
    [
      'the day before',
      {},
      { ...expDay('2026-12-17T20:30:00Z', Date.parse('2026-12-17T21:00:00Z')), today: '2026-12-17' },
      null,
    ],
    [
      'only longs expire today',
      {},
      {
        ...expDay('2026-12-18T20:30:00Z'),
        legs: condor(1).map((l) => (l.action === 'Sell to Open' ? { ...l, expiration: '2027-01-15' } : l)),
      },
      null,
    ],
  ] as const)('pin risk: %s', (_name, exits, over, expected) => {
    const d = decideExit(input(exits, over as Partial<ExitInput>));
    expect(d.exit ? d.reason : null).toBe(expected);
  });

  it('pin risk needs the session close and says so; it comes after the risk rules and before take profit', () => {
    const d = decideExit(input({}, { ...expDay('2026-12-18T20:30:00Z'), sessionCloseAt: null }));
    expect(d.exit).toBe(false);
    if (!d.exit) expect(d.unavailable).toEqual(['pin_risk: session close unknown']);
    const both = (over: Partial<ExitInput>) => {
      const r = decideExit(
        input(
          { takeProfitPct: 50, stopLossMultiple: 2, closeAtDte: 0 },
          { ...expDay('2026-12-18T20:30:00Z'), ...over },
        ),
      );
      return r.exit ? r.reason : null;
    };
    expect(both({ legs: condor(0.4) })).toBe('pin_risk');
    expect(both({ legs: condor(3) })).toBe('stop_loss');
  });

  it('missing marks or credit never fire the price rules, and say so', () => {
    const noQuotes = condor(3).map((l) => ({ ...l, bid: null, ask: null, delta: null }));
    const d = decideExit(input({ stopLossMultiple: 2, takeProfitPct: 50, shortDeltaBreach: 0.3 }, { legs: noQuotes }));
    expect(d.exit).toBe(false);
    if (!d.exit) expect(d.unavailable).toHaveLength(3);
    expect(decideExit(input({ stopLossMultiple: 2 }, { legs: condor(3), entryCreditCents: null })).exit).toBe(false);
    expect(decideExit(input({ underlyingThroughShortStrike: true }, { underlyingPrice: null })).exit).toBe(false);
  });
});

describe('closing price', () => {
  it('costs: mid and natural to buy back shorts and sell longs', () => {
    expect(closeCosts(condor(1))).toEqual({ midCents: 100, naturalCents: 104 });
  });
  it('plan: a debit starting at mid, floor at natural plus slippage, on the tick; steps from the entry settings', () => {
    const plan = exitPricing({ midCents: 100, naturalCents: 104 }, 1, {
      price: 'mid',
      stepTicks: 2,
      stepEverySeconds: 15,
      maxSteps: 4,
      fillTimeoutSeconds: 120,
    });
    // 4 steps of the rule's 2 ticks would stop at 108, short of the floor: the step grows to 3 so the walk gets there
    expect(plan).toEqual({
      startCents: -100,
      floorCents: -109,
      stepCents: 3,
      stepEverySeconds: 15,
      maxSteps: 4,
      fillTimeoutSeconds: 120,
    });
    expect(priceAtStep(plan!, plan!.maxSteps)).toBe(-109);
    const tick5 = exitPricing({ midCents: 102, naturalCents: 131 }, 5, {
      price: 'mid',
      stepTicks: 1,
      stepEverySeconds: 30,
      maxSteps: 5,
      fillTimeoutSeconds: 300,
    })!;
    expect(Math.abs(tick5.startCents % 5)).toBe(0);
    expect(Math.abs(tick5.floorCents % 5)).toBe(0);
    expect(tick5.floorCents).toBeLessThanOrEqual(-131 - 10);
    // Worthless structure: still a positive debit of one tick (a zero price is refused)
    expect(
      exitPricing({ midCents: 0, naturalCents: 1 }, 1, {
        price: 'mid',
        stepTicks: 1,
        stepEverySeconds: 30,
        maxSteps: 5,
        fillTimeoutSeconds: 300,
      })!.startCents,
    ).toBe(-1);
    expect(
      exitPricing({ midCents: null, naturalCents: null }, 1, {
        price: 'mid',
        stepTicks: 1,
        stepEverySeconds: 30,
        maxSteps: 5,
        fillTimeoutSeconds: 300,
      }),
    ).toBeNull();
  });
  it('entry.price natural starts at the natural cost; with no steps allowed an exit starts at its floor', () => {
    const plan = exitPricing({ midCents: 100, naturalCents: 104 }, 1, {
      price: 'natural',
      stepTicks: 1,
      stepEverySeconds: 30,
      maxSteps: 2,
      fillTimeoutSeconds: 300,
    })!;
    expect([plan.startCents, plan.floorCents, priceAtStep(plan, 2)]).toEqual([-104, -109, -109]);
    const once = exitPricing({ midCents: 100, naturalCents: 104 }, 1, {
      price: 'mid',
      stepTicks: 1,
      stepEverySeconds: 30,
      maxSteps: 0,
      fillTimeoutSeconds: 300,
    })!;
    expect([once.startCents, once.floorCents]).toEqual([-109, -109]);
  });
  it.each([1, 2, 3, 5, 8])('the walk reaches the floor within maxSteps = %i on a 5-cent tick', (maxSteps) => {
    const plan = exitPricing({ midCents: 240, naturalCents: 410 }, 5, {
      price: 'mid',
      stepTicks: 1,
      stepEverySeconds: 30,
      maxSteps,
      fillTimeoutSeconds: 300,
    })!;
    expect(priceAtStep(plan, maxSteps)).toBe(plan.floorCents);
    expect(plan.stepCents % 5).toBe(0);
  });
});
