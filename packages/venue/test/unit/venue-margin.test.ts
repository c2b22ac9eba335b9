import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/types.js';
import { requirementCents, type MarginPosition } from '../../src/core/margin.js';
import { ACCOUNT, cents, dollars, ironCondor, leg, limit, setup, strikesNear } from './venue-support.js';

const opt = (strike: number, right: 'C' | 'P', quantity: number, markCents = 100): MarginPosition => ({
  symbol: `X${right}${strike}`,
  underlying: 'XYZ',
  quantity,
  markCents,
  multiplier: 100,
  option: { right, strike, expirationDate: '2026-12-18' },
});
const margin = { spot: () => 100, marginOrCash: 'Margin' as const };

describe('Reg-T requirement (pure)', () => {
  it('charges a vertical its width', () => {
    expect(requirementCents([opt(95, 'P', -2), opt(90, 'P', 2)], margin)).toBe(5 * 100 * 2 * 100);
  });

  it('charges an iron condor only its wider side', () => {
    const ic = [opt(95, 'P', -1), opt(90, 'P', 1), opt(105, 'C', -1), opt(115, 'C', 1)];
    expect(requirementCents(ic, margin)).toBe(10 * 100 * 100);
  });

  it('charges a naked put max(20% U − OTM, 10% strike) plus the premium (Tastytrade’s example: $1,600)', () => {
    // U 100, short 95 put at 1.00: 20 − 5 = 15 > 9.5, + 1.00 premium = 16 per share
    expect(requirementCents([opt(95, 'P', -1)], margin)).toBe(160_000);
    // far OTM: 10% of the strike wins (20 − 40 < 6)
    expect(requirementCents([opt(60, 'P', -1, 5)], margin)).toBe(600 * 100 + 500);
  });

  it('charges a naked call max(20% U − OTM, 10% U) plus the premium', () => {
    expect(requirementCents([opt(150, 'C', -1, 10)], margin)).toBe(10 * 100 * 100 + 1000);
  });

  it('charges nothing for long options and 50% for stock (100% in a cash account)', () => {
    expect(requirementCents([opt(95, 'P', 3)], margin)).toBe(0);
    const stock: MarginPosition = { symbol: 'XYZ', underlying: 'XYZ', quantity: 100, markCents: 10_000, multiplier: 1 };
    expect(requirementCents([stock], margin)).toBe(500_000);
    expect(requirementCents([stock], { ...margin, marginOrCash: 'Cash' })).toBe(1_000_000);
  });

  it('never charges a very wide spread more than the naked short alone', () => {
    expect(requirementCents([opt(95, 'P', -1), opt(5, 'P', 1)], margin)).toBe(160_000);
  });
});

describe('buying-power-effect of orders', () => {
  const bpe = (r: { ok: boolean; value?: JsonObject }) =>
    (r as { value: JsonObject }).value['buying-power-effect'] as JsonObject;
  const fees = (r: { ok: boolean; value?: JsonObject }) =>
    cents(((r as { value: JsonObject }).value['fee-calculation'] as JsonObject)['total-fees']);

  it('iron condor: (width − credit) × 100 × qty, plus fees', () => {
    const { venue, market } = setup();
    const ic = ironCondor(market, 2);
    const r = venue.placeOrder(ACCOUNT, limit(ic.legs, '1.25', 'Credit'), { dryRun: true });
    expect(r.ok).toBe(true);
    const effect = bpe(r);
    const expected = (ic.width * 100 - 125) * 100 * 2 + fees(r);
    expect(cents(effect['change-in-buying-power'])).toBe(expected);
    expect(effect['change-in-buying-power-effect']).toBe('Debit');
    expect(cents(effect['isolated-order-margin-requirement'])).toBe(ic.width * 100 * 100 * 2);
    expect(cents(effect['change-in-margin-requirement'])).toBe(ic.width * 100 * 100 * 2);
    expect(effect['current-buying-power']).toBe('100000.0');
    expect(cents(effect['new-buying-power'])).toBe(10_000_000 - expected);
    expect(effect['is-spread']).toBe(true);
    // 8 contracts to open: $8 commission, $0.80 clearing, $0.24 regulatory
    expect(fees(r)).toBe(800 + 80 + 24);
  });

  it('naked put: (max(20% U − OTM, 10% strike) + premium) × 100 requirement; BP falls by it less the credit', () => {
    const { venue, market } = setup();
    const spot = market.spot('SPY');
    const strike = strikesNear(market, 'SPY', [spot * 0.9])[0]!;
    const mid = Math.round(market.quote(strike.putSymbol)!.mid * 100);
    const r = venue.placeOrder(ACCOUNT, limit([leg(strike.putSymbol, 'Sell to Open')], dollars(mid), 'Credit'), {
      dryRun: true,
    });
    expect(r.ok).toBe(true);
    const perShare = Math.max(0.2 * spot - (spot - strike.strike), 0.1 * strike.strike);
    const requirement = Math.round(perShare * 100 * 100) + mid * 100;
    const effect = bpe(r);
    expect(cents(effect['isolated-order-margin-requirement'])).toBe(requirement);
    expect(cents(effect['change-in-buying-power'])).toBe(requirement - mid * 100 + fees(r));
    expect(effect['is-spread']).toBe(false);
  });

  it('long option: the debit paid (plus fees); a closing order frees buying power', () => {
    const { venue, market } = setup();
    const sym = strikesNear(market, 'SPY', [market.spot('SPY') * 0.95])[0]!.putSymbol;
    const ask = Math.round(market.quote(sym)!.ask * 100);
    const r = venue.placeOrder(ACCOUNT, limit([leg(sym, 'Buy to Open', 3)], dollars(ask), 'Debit'), { dryRun: false });
    expect(cents(bpe(r)['change-in-buying-power'])).toBe(ask * 100 * 3 + fees(r));
    expect(cents(bpe(r)['isolated-order-margin-requirement'])).toBe(0);
    venue.tick();
    const close = venue.placeOrder(ACCOUNT, limit([leg(sym, 'Sell to Close', 3)], '0.01', 'Credit'), { dryRun: true });
    expect(bpe(close)['change-in-buying-power-effect']).toBe('Credit');
  });

  it('equity: 50% of the cost in a margin account', () => {
    const { venue, market } = setup();
    const ask = Math.round(market.quote('AAPL')!.ask * 100);
    const r = venue.placeOrder(ACCOUNT, limit([leg('AAPL', 'Buy to Open', 10, 'Equity')], dollars(ask), 'Debit'), {
      dryRun: true,
    });
    const mark = Math.round(market.quote('AAPL')!.mid * 100);
    // cash falls by the cost, margin equity regains the (marked) value, half of it is required
    expect(cents(bpe(r)['change-in-buying-power'])).toBe(ask * 10 - mark * 10 + Math.round(mark * 10 * 0.5) + fees(r));
  });
});
