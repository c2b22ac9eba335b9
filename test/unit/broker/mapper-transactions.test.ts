// Recorded Tastytrade transactions → fees per leg fill in cents (issue 11, defect 11). Non-trade items are skipped.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTransactions } from '../../../src/broker/tastytrade/mapper.js';

const recording = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../fixtures/tastytrade/${name}.json`, import.meta.url), 'utf8'));

describe('parseTransactions', () => {
  it('2023 production payload: the Trade item with its fees (fractional cents rounded), assignments skipped', () => {
    expect(parseTransactions(recording('http_get_accounts_transactions__trade_and_assignment'))).toEqual([
      {
        id: 2455333333,
        brokerOrderId: 272610989,
        symbol: 'RIVN  230623C00015000',
        action: 'Sell to Open',
        quantity: 40,
        priceCents: 47,
        commissionCents: 4000,
        clearingFeesCents: 40,
        regulatoryFeesCents: 4,
        proprietaryFeesCents: 0,
        feeCents: 4044,
        executedAt: '2023-06-12T13:53:08.199+00:00',
      },
    ]);
  });
  it('2026 sandbox payload (bare items): the option buy with $1 commission, $0.10 clearing, $0.02 regulatory; deposits skipped', () => {
    expect(parseTransactions(recording('http_get_accounts_transactions__trade_and_deposits_mcp'))).toEqual([
      expect.objectContaining({
        id: 1735820,
        brokerOrderId: 1033431,
        quantity: 1,
        priceCents: 75,
        commissionCents: 100,
        clearingFeesCents: 10,
        regulatoryFeesCents: 2,
        feeCents: 112,
      }),
    ]);
  });
});
