// Drives the venue's reference-data routes through the unmodified @tastytrade/api SDK, as Legwork will.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type TastytradeClient from '@tastytrade/api';
import type { VenueHandle } from '@legwork/venue';
import { connectQuotes, latestEvent, sdkClient, startTestVenue, statusOf } from '../support/venue.js';

type Json = Record<string, any>;

let sim: VenueHandle;
let client: TastytradeClient;

beforeAll(async () => {
  sim = await startTestVenue();
  client = sdkClient(sim);
});
afterAll(async () => {
  await sim.close();
});

describe('authentication', () => {
  it('issues a Bearer token with a 900 s lifetime through POST /oauth/token', async () => {
    await client.accountsAndCustomersService.getCustomerAccounts();
    expect(client.accessToken.token).toMatch(/^sim-at-/);
    expect(client.accessToken.isValid).toBe(true);
  });

  it('answers 401 unauthorized without a valid bearer token, like Tastytrade', async () => {
    const res = await fetch(`${sim.baseUrl}/customers/me/accounts`, { headers: { authorization: 'Bearer forged' } });
    expect(res.status).toBe(401);
    const body = (await res.json()) as Json;
    expect(body.error.code).toBe('unauthorized');
    expect(body.error.message).toMatch(/^Unauthorized\. Unique customer support identifier: /);
  });

  it('refuses a wrong client secret when one is configured', async () => {
    const strict = await startTestVenue({ auth: { clientSecret: 'right' } });
    try {
      const wrong = sdkClient(strict); // sends "test-secret"
      const failure = await statusOf(wrong.accountsAndCustomersService.getCustomerAccounts());
      expect(failure.status).toBe(401);
    } finally {
      await strict.close();
    }
  });
});

describe('accounts and balances', () => {
  it('lists the customer accounts with authority level', async () => {
    const accounts = (await client.accountsAndCustomersService.getCustomerAccounts()) as Json[];
    expect(accounts.length).toBeGreaterThanOrEqual(1);
    expect(accounts[0]!['authority-level']).toBe('owner');
    expect(accounts[0]!.account['account-number']).toMatch(/^5W[A-Z0-9]{6}$/);
  });

  it('reports balances as decimal strings with net liq equal to cash on a fresh account', async () => {
    const [first] = (await client.accountsAndCustomersService.getCustomerAccounts()) as Json[];
    const number = first!.account['account-number'];
    const balances = (await client.balancesAndPositionsService.getAccountBalanceValues(number)) as Json;
    expect(balances['account-number']).toBe(number);
    expect(balances['cash-balance']).toMatch(/^\d+\.\d+$/);
    expect(Number(balances['net-liquidating-value'])).toBe(Number(balances['cash-balance']));
    expect(await client.balancesAndPositionsService.getPositionsList(number)).toEqual([]);
  });

  it('answers 403 not_permitted for an account the customer does not own', async () => {
    const failure = await statusOf(client.balancesAndPositionsService.getAccountBalanceValues('5WX99999'));
    expect(failure.status).toBe(403);
    expect((failure.body as Json).error.code).toBe('not_permitted');
  });
});

describe('option chains, instruments and metrics', () => {
  it('serves a nested chain with weekly and monthly expirations out past 90 days and valid OCC symbols', async () => {
    const [chain] = (await client.instrumentsService.getNestedOptionChain('SPY')) as Json[];
    expect(chain!['underlying-symbol']).toBe('SPY');
    const expirations = chain!.expirations as Json[];
    const dtes = expirations.map((e) => e['days-to-expiration'] as number);
    expect(Math.max(...dtes)).toBeGreaterThanOrEqual(90);
    expect(new Set(expirations.map((e) => e['expiration-type']))).toEqual(new Set(['Weekly', 'Regular']));
    const strike = (expirations[0]!.strikes as Json[])[0]!;
    expect(strike.call).toMatch(/^SPY {3}\d{6}C\d{8}$/);
    expect(strike['call-streamer-symbol']).toMatch(/^\.SPY\d{6}C\d+(\.\d+)?$/);
  });

  it('serves the flat chain and single equity-option instruments that agree with the nested chain', async () => {
    const flat = (await client.instrumentsService.getOptionChain('QQQ')) as Json[];
    expect(flat.length).toBeGreaterThan(100);
    const one = flat[0]!;
    const single = (await client.instrumentsService.getSingleEquityOption(one.symbol)) as Json;
    expect(single.symbol).toBe(one.symbol);
    expect(single['streamer-symbol']).toBe(one['streamer-symbol']);
    expect(single['strike-price']).toBe(one['strike-price']);
  });

  it('answers market metrics for a comma-separated universe with IV rank as a fraction', async () => {
    const items = (await client.marketMetricsService.getMarketMetrics({ symbols: 'SPY,AAPL,NOPE' })) as Json[];
    expect(items.map((m) => m.symbol).sort()).toEqual(['AAPL', 'SPY']);
    for (const m of items) {
      const rank = Number(m['implied-volatility-index-rank']);
      expect(rank).toBeGreaterThanOrEqual(0);
      expect(rank).toBeLessThanOrEqual(1);
      expect(m['liquidity-rating']).toBeTypeOf('number');
    }
    const aapl = items.find((m) => m.symbol === 'AAPL')!;
    expect(aapl.earnings['expected-report-date']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('reports the market session like /market-time/sessions/current', async () => {
    const items = (await client.httpClient.getData(
      '/market-time/sessions/current',
      {},
      { 'instrument-collections': ['Equity'] },
    )) as Json;
    const session = items.data.data.items[0];
    expect(session.state).toBe('Open');
    expect(session['open-at']).toBe('2026-11-17T14:30:00.000+00:00');
    expect(session['close-at']).toBe('2026-11-17T21:00:00.000+00:00');
  });
});

describe('quotes and greeks over DXLink', () => {
  it('streams Quote, Greeks, Trade and Summary for an equity and an option to the SDK QuoteStreamer', async () => {
    const [chain] = (await client.instrumentsService.getNestedOptionChain('SPY')) as Json[];
    const expiration = (chain!.expirations as Json[]).find((e) => e['days-to-expiration'] >= 25)!;
    const strikes = expiration.strikes as Json[];
    const atm = strikes[Math.floor(strikes.length / 2)]!;
    const option = atm['put-streamer-symbol'] as string;
    const quotes = await connectQuotes(client);
    try {
      client.quoteStreamer.subscribe(['SPY', option]);
      const spyQuote = await latestEvent(quotes.events, 'Quote', 'SPY');
      const expected = sim.market.quote('SPY')!;
      expect(spyQuote.bidPrice).toBeCloseTo(expected.bid, 2);
      expect(spyQuote.askPrice).toBeCloseTo(expected.ask, 2);
      const greeks = await latestEvent(quotes.events, 'Greeks', option);
      expect(greeks.delta as number).toBeLessThan(0);
      expect(greeks.delta as number).toBeGreaterThan(-1);
      expect(greeks.volatility as number).toBeGreaterThan(0.05);
      await latestEvent(quotes.events, 'Trade', 'SPY');
      await latestEvent(quotes.events, 'Summary', option);
      const optionQuote = await latestEvent(quotes.events, 'Quote', option);
      expect(optionQuote.askPrice as number).toBeGreaterThan(optionQuote.bidPrice as number);
    } finally {
      quotes.close();
    }
  });
});
