// Failsafe decisions: daily loss in dollars or percent of the start of day, drawdown from the peak, broker errors.
import { describe, expect, it } from 'vitest';
import { checkFailsafes, type FailsafeInputs, type FailsafeLimits } from '../../../src/domain/failsafes.js';

const OFF: FailsafeLimits = { dailyLoss: null, drawdownPct: null, brokerErrors: null };
const inputs: FailsafeInputs = {
  netLiqCents: 9_850_000,
  dayStartNetLiqCents: 10_000_000,
  peakNetLiqCents: 11_000_000,
  brokerErrors: 3,
};
const state = (limits: FailsafeLimits, x: FailsafeInputs = inputs) =>
  Object.fromEntries(checkFailsafes(limits, x).map((c) => [c.name, c.state]));

describe('checkFailsafes', () => {
  it('nothing configured: every failsafe off', () => {
    expect(state(OFF)).toEqual({ dailyLoss: 'off', drawdown: 'off', brokerErrors: 'off' });
  });

  it('daily loss in dollars trips at the limit, and carries flatten', () => {
    const limits = { ...OFF, dailyLoss: { kind: 'dollars' as const, cents: 150_000, flatten: true } };
    const [at] = checkFailsafes(limits, inputs); // lost $1,500.00 exactly
    expect(at).toMatchObject({
      name: 'dailyLoss',
      state: 'tripped',
      flatten: true,
      reason: 'lost $1500.00 today of $100000.00 (limit $1500.00)',
    });
    expect(checkFailsafes(limits, { ...inputs, netLiqCents: 9_850_001 })[0]).toMatchObject({
      state: 'ok',
      flatten: false,
    });
  });

  it('daily loss in percent of the start of day; no start of day yet: waiting', () => {
    const limits = { ...OFF, dailyLoss: { kind: 'pct' as const, pct: 2, flatten: false } };
    expect(state(limits)['dailyLoss']).toBe('ok'); // 1.5 % < 2 %
    expect(state(limits, { ...inputs, netLiqCents: 9_800_000 })['dailyLoss']).toBe('tripped');
    expect(state(limits, { ...inputs, dayStartNetLiqCents: null })['dailyLoss']).toBe('waiting');
  });

  it('drawdown from the equity peak (today’s value counts as a peak too)', () => {
    const limits = { ...OFF, drawdownPct: 10 };
    // 11,000,000 → 9,850,000 is 10.45 % down
    expect(checkFailsafes(limits, inputs)[1]).toMatchObject({ state: 'tripped', data: { drawdownPct: 10.45 } });
    expect(state(limits, { ...inputs, peakNetLiqCents: 10_900_000 })['drawdown']).toBe('ok'); // 9.63 %
    expect(state(limits, { ...inputs, peakNetLiqCents: 9_000_000 })['drawdown']).toBe('ok');
    expect(state(limits, { ...inputs, peakNetLiqCents: null })['drawdown']).toBe('waiting');
  });

  it('broker errors at the count trip', () => {
    const limits = { ...OFF, brokerErrors: { count: 3, minutes: 15 } };
    expect(state(limits)['brokerErrors']).toBe('tripped');
    expect(state(limits, { ...inputs, brokerErrors: 2 })['brokerErrors']).toBe('ok');
  });
});
