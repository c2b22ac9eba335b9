// Owns the proof that the adapter's parsers read every real Tastytrade recording they are meant to read: each fixture
// file is assigned to its parser (with mapped values asserted) or listed in NOT_READ with the reason; nothing else.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { filledUnits } from '../../../src/domain/broker-order.js';
import * as m from '../../../src/broker/tastytrade/mapper.js';
import { WireFormatError } from '../../../src/broker/tastytrade/wire.js';

const DIR = fileURLToPath(new URL('../../fixtures/tastytrade/', import.meta.url));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const load = (file: string): Json => JSON.parse(readFileSync(DIR + file, 'utf8'));

/** What the SDK's extractResponseData returns for a body: data.items, else data; publisher-unwrapped files as they are. */
const sdk = (body: Json): Json => (body?.data !== undefined ? (body.data.items ?? body.data) : (body?.items ?? body));
const iso = (text: string) => Date.parse(text);

/** Parses a streamer recording the way account-stream.ts does: message → notification → AccountEvent. */
function streamEvent(body: Json) {
  const message = m.parseStreamerMessage(body);
  if (message.kind !== 'notification') throw new Error('expected a notification');
  return { message, event: m.notificationToEvent(message.type, message.data, 42) };
}
function streamOrder(body: Json) {
  const { message, event } = streamEvent(body);
  if (event?.kind !== 'order') throw new Error(`expected an order event, got ${event?.kind}`);
  expect(event.receivedAt).toBe(42);
  return { message, order: event.order };
}

/** COMPACT FEED_DATA → the event objects the SDK's DXLink feed hands to listeners (eventType injected). */
function dxEvents(body: Json, fields: string[]): Record<string, unknown>[] {
  const [eventType, values] = body.data as [string, unknown[]];
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < values.length; i += fields.length) {
    out.push({ eventType, ...Object.fromEntries(fields.map((f, j) => [f, values[i + j]])) });
  }
  return out;
}

function expectWireError(run: () => unknown, ...fragments: string[]) {
  let caught: unknown;
  try {
    run();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(WireFormatError);
  for (const f of fragments) expect((caught as Error).message).toContain(f);
}

const errorBody =
  (file: string, code: string, message: string | RegExp, details: unknown[] = []) =>
  () => {
    const e = m.parseErrorBody(load(file));
    expect(e?.code).toBe(code);
    expect(e?.message).toMatch(message);
    expect(e?.details).toEqual(details);
  };

/** Files the adapter reads, each with the parser that reads it and what it must yield. */
const READ: Record<string, { parser: string; check: (body: Json) => void }> = {
  // ---- error bodies → parseErrorBody
  'error_cannot_reconfirm_order__reconfirm.json': {
    parser: 'parseErrorBody',
    check: errorBody(
      'error_cannot_reconfirm_order__reconfirm.json',
      'cannot_reconfirm_order',
      'The order could not be reconfirmed.',
    ),
  },
  'error_invalid_credentials__login_2.json': {
    parser: 'parseErrorBody',
    check: errorBody('error_invalid_credentials__login_2.json', 'invalid_credentials', /^Invalid login.*76c0d379/),
  },
  'error_invalid_credentials__login_tasty_go.json': {
    parser: 'parseErrorBody',
    check: errorBody('error_invalid_credentials__login_tasty_go.json', 'invalid_credentials', /test-id$/),
  },
  'error_invalid_credentials__session_login.json': {
    parser: 'parseErrorBody',
    check: errorBody('error_invalid_credentials__session_login.json', 'invalid_credentials', /^Invalid login/),
  },
  'error_invalid_session__session_user_not_present.json': {
    parser: 'parseErrorBody',
    check: errorBody(
      'error_invalid_session__session_user_not_present.json',
      'invalid_session',
      /^Session user not present/,
    ),
  },
  'error_not_permitted__user.json': {
    parser: 'parseErrorBody',
    check: errorBody('error_not_permitted__user.json', 'not_permitted', 'User not permitted access'),
  },
  'error_unauthorized__generic.json': {
    parser: 'parseErrorBody',
    check: errorBody('error_unauthorized__generic.json', 'unauthorized', /^Unauthorized/),
  },
  'error_preflight_check_failure__gtc_market_order.json': {
    parser: 'parseErrorBody',
    check: errorBody(
      'error_preflight_check_failure__gtc_market_order.json',
      'preflight_check_failure',
      'One or more preflight checks failed',
      [{ code: 'gtc_market_orders_not_supported', message: 'GTC/GTD Market orders are not supported.' }],
    ),
  },
  'error_preflight_check_failure__margin_check_failed_with_data.json': {
    parser: 'parseErrorBody',
    check: (body) => {
      errorBody(
        'error_preflight_check_failure__margin_check_failed_with_data.json',
        'preflight_check_failure',
        'One or more preflight checks failed',
        [
          {
            code: 'margin_check_failed',
            message: 'Account does not have sufficient buying power available for this order.',
          },
        ],
      )();
      // The `data` next to the error never passes for a successful dry-run, whole or unwrapped
      expectWireError(() => m.parseDryRun(body), 'dry-run response', '$.error', 'preflight_check_failure');
      expectWireError(() => m.parseDryRun(sdk(body)), '$.fee-calculation');
    },
  },
  'error_validation_error__missing_account_numbers.json': {
    parser: 'parseErrorBody',
    check: errorBody(
      'error_validation_error__missing_account_numbers.json',
      'validation_error',
      'Request validation failed',
      [{ domain: 'account-numbers', message: 'is missing' }],
    ),
  },
  'error_validation_error__two_domains.json': {
    parser: 'parseErrorBody',
    check: (body) => {
      const e = m.parseErrorBody(body);
      expect(e?.details.map((d) => d.domain)).toEqual(['current-password', 'reset-password-token']);
      expect(e?.details[0]?.message).toBe('are missing, exactly one parameter must be provided');
    },
  },

  // ---- single orders → parseOrder
  'http_delete_accounts_orders_id__cancelled.json': {
    parser: 'parseOrder',
    check: (body) => {
      const o = m.parseOrder(sdk(body));
      expect(o).toMatchObject({
        brokerOrderId: 68677,
        status: 'cancelled',
        rawStatus: 'Cancelled',
        limitPriceCents: -18699,
        cancellable: false,
      });
      expect(o.terminalAt).toBe(iso('2023-06-14T01:02:24.794Z'));
      expect(o.updatedAt).toBe(1686704544800);
    },
  },
  'http_get_accounts_orders__item_rejected_equity.json': {
    parser: 'parseOrder',
    check: (body) =>
      expect(m.parseOrder(body)).toMatchObject({
        status: 'rejected',
        rejectReason: 'Session offline',
        limitPriceCents: -5000,
        accountNumber: '5XX00000',
      }),
  },
  'http_get_accounts_orders__item_rejected_equity_option.json': {
    parser: 'parseOrder',
    check: (body) => {
      const o = m.parseOrder(body);
      expect(o).toMatchObject({
        status: 'rejected',
        rejectReason: 'Session offline',
        limitPriceCents: -50,
        underlyingSymbol: 'AAPL',
      });
      expect(o.legs[0]).toMatchObject({
        instrumentType: 'Equity Option',
        symbol: 'AAPL  260529C00310000',
        action: 'Buy to Open',
      });
    },
  },
  'http_get_accounts_orders_id__contingent_with_rules.json': {
    parser: 'parseOrder',
    check: (body) =>
      expect(m.parseOrder(sdk(body))).toMatchObject({
        brokerOrderId: 68675,
        status: 'contingent',
        limitPriceCents: -12455,
        editable: true,
      }),
  },
  'http_put_accounts_orders_id__replace_response.json': {
    parser: 'parseOrder',
    check: (body) =>
      expect(m.parseOrder(sdk(body))).toMatchObject({
        brokerOrderId: 68680,
        status: 'contingent',
        limitPriceCents: -18545,
      }),
  },
  'http_patch_accounts_orders_id__edit_response.json': {
    parser: 'parseOrder',
    check: (body) => expect(m.parseOrder(sdk(body))).toMatchObject({ brokerOrderId: 68681, limitPriceCents: -18745 }),
  },
  'http_patch_accounts_orders_id__replace_contingent_response.json': {
    parser: 'parseOrder',
    check: (body) =>
      expect(m.parseOrder(sdk(body))).toMatchObject({
        brokerOrderId: 507440943,
        replacesOrderId: 507440771,
        status: 'contingent',
        limitPriceCents: -1060,
        source: 'QuantConnect',
      }),
  },

  // ---- order lists → parseOrders
  'http_get_accounts_orders__live_limit_gtc_older.json': {
    parser: 'parseOrders',
    check: (body) => {
      const [o] = m.parseOrders(sdk(body));
      expect(o).toMatchObject({
        brokerOrderId: 270727,
        status: 'live',
        timeInForce: 'GTC',
        size: 10,
        limitPriceCents: -19000,
      });
      expect(o?.legs[0]).toMatchObject({ quantity: 10, remainingQuantity: 10, fills: [] });
    },
  },
  'http_get_accounts_orders__live_stop_limit_paginated.json': {
    parser: 'parseOrders',
    check: (body) =>
      expect(m.parseOrders(sdk(body))[0]).toMatchObject({
        orderType: 'Stop Limit',
        status: 'live',
        limitPriceCents: -400,
        source: 'QuantConnect',
      }),
  },
  'http_get_accounts_orders__open_live_per_page_200.json': {
    parser: 'parseOrders',
    check: (body) =>
      expect(m.parseOrders(sdk(body))[0]).toMatchObject({
        brokerOrderId: 507440771,
        source: 'WB2;0.175.0',
        timeInForce: 'Day',
        status: 'live',
      }),
  },
  'http_get_accounts_orders__pagination_per_page_2.json': {
    parser: 'parseOrders',
    check: (body) => {
      const orders = m.parseOrders(sdk(body));
      expect(orders.map((o) => [o.brokerOrderId, o.status])).toEqual([
        [68681, 'contingent'],
        [68680, 'cancelled'],
      ]);
    },
  },
  'http_get_accounts_orders__received_gtd.json': {
    parser: 'parseOrders',
    check: (body) =>
      expect(m.parseOrders(sdk(body))[0]).toMatchObject({
        status: 'received',
        timeInForce: 'GTD',
        limitPriceCents: -400,
      }),
  },
  'http_get_accounts_orders_live__cancelled_oco_and_replaced_mcp.json': {
    parser: 'parseOrders',
    check: (body) => {
      const orders = m.parseOrders(sdk(body));
      expect(orders).toHaveLength(6);
      expect(orders.every((o) => o.status === 'cancelled')).toBe(true);
      const byId = new Map(orders.map((o) => [o.brokerOrderId, o]));
      expect(byId.get(1075263)).toMatchObject({ orderType: 'Stop', limitPriceCents: null });
      expect(byId.get(1075262)?.limitPriceCents).toBe(9_999_900); // 99999.0 Credit
      expect(byId.get(1075264)?.replacesOrderId).toBe(1075261);
      expect(byId.get(1075261)?.replacingOrderId).toBe(1075264);
    },
  },
  'http_get_accounts_orders_live__contingent_with_rules.json': {
    parser: 'parseOrders',
    check: (body) =>
      expect(m.parseOrders(sdk(body))[0]?.legs[0]).toMatchObject({
        action: 'Buy to Close',
        instrumentType: 'Equity Option',
      }),
  },
  'http_get_customers_me_orders_live__filled_with_fill.json': {
    parser: 'parseOrders',
    check: (body) => {
      const [o] = m.parseOrders(sdk(body));
      expect(o).toMatchObject({ status: 'filled', limitPriceCents: -1, updatedAt: 1687529524255 });
      expect(o?.legs[0]?.fills).toEqual([
        {
          fillId: '3_OPT850090305',
          quantity: 1,
          priceCents: 1,
          filledAt: iso('2023-06-23T14:12:04.214Z'),
          venue: 'CITADEL_OPTIONS_A',
        },
      ]);
      expect(filledUnits(o!)).toBe(1);
    },
  },

  // ---- place responses → parsePlaceResponse; dry-runs → parseDryRun
  'http_post_accounts_orders__market_routed_response.json': {
    parser: 'parsePlaceResponse',
    check: (body) => {
      const { order, effect } = m.parsePlaceResponse(sdk(body));
      expect(order).toMatchObject({
        brokerOrderId: 270561,
        status: 'routed',
        orderType: 'Market',
        limitPriceCents: null,
      });
      // 1.001 Debit, 1.0 Debit, 999999.999 Credit, 0.001 Debit (under a cent)
      expect(effect).toEqual({
        buyingPowerChangeCents: -100,
        marginRequirementChangeCents: -100,
        newBuyingPowerCents: 100_000_000,
        feesCents: 0,
        warnings: [],
      });
    },
  },
  'http_post_accounts_orders__equity_option_with_condition_rules.json': {
    parser: 'parsePlaceResponse',
    check: (body) => {
      const { order, effect } = m.parsePlaceResponse(sdk(body));
      expect(order).toMatchObject({ brokerOrderId: 272985726, status: 'contingent', limitPriceCents: -4 });
      expect(effect).toEqual({
        buyingPowerChangeCents: -413,
        marginRequirementChangeCents: 0,
        newBuyingPowerCents: 23_749,
        feesCents: 13,
        warnings: [
          { code: 'tif_next_valid_sesssion', message: 'Your order will begin working during next valid session.' },
        ],
      });
    },
  },
  'http_post_accounts_orders_dry-run__gtc_limit_credit.json': {
    parser: 'parseDryRun',
    check: (body) => {
      expect(m.parseDryRun(sdk(body))).toEqual({
        buyingPowerChangeCents: 12_454,
        marginRequirementChangeCents: 12_397,
        newBuyingPowerCents: 36_616,
        feesCents: 1,
        warnings: [],
      });
      expectWireError(() => m.parsePlaceResponse(sdk(body)), 'place-order response', '$.order.id');
    },
  },
  'http_post_accounts_orders_dry-run__market_contingent.json': {
    parser: 'parseDryRun',
    check: (body) =>
      expect(m.parseDryRun(sdk(body))).toEqual({
        buyingPowerChangeCents: -18_308,
        marginRequirementChangeCents: -18_308,
        newBuyingPowerCents: 5_854,
        feesCents: 0,
        warnings: [],
      }),
  },
  'http_post_accounts_orders_id_dry-run__edit_dry_run.json': {
    parser: 'parseDryRun',
    check: (body) => {
      const r = m.parseDryRun(sdk(body)); // its order has `value-effect: ""`
      expect(r).toMatchObject({ buyingPowerChangeCents: -9_273, newBuyingPowerCents: 90_727 });
      expect(r.warnings.map((w) => w.code)).toEqual(['tif_next_valid_sesssion']);
    },
  },
  'http_post_accounts_complex-orders_dry-run__oco_mcp.json': {
    parser: 'parseDryRun',
    check: (body) => {
      const r = m.parseDryRun(sdk(body)); // only the effect blocks; the complex order itself is not read
      expect(r).toMatchObject({ buyingPowerChangeCents: -100, marginRequirementChangeCents: -100, feesCents: 0 });
      expect(r.warnings.map((w) => w.code)).toEqual(['closing_with_no_position', 'tif.next_valid_session']);
    },
  },

  // ---- account
  'http_get_accounts_positions__equity_int_and_string_multiplier.json': {
    parser: 'parsePositions',
    check: (body) => {
      const [a, b] = m.parsePositions(sdk(body));
      expect([a?.multiplier, b?.multiplier]).toEqual([1, 1]); // 1 and "1.0"
      expect(a).toMatchObject({
        symbol: 'AAPL',
        quantity: 1,
        averageOpenPriceCents: 100,
        closePriceCents: 0,
        markCents: null,
        expiresAt: null,
      });
      expect(b).toMatchObject({
        symbol: 'TQQQ',
        quantity: 742,
        averageOpenPriceCents: 5273,
        closePriceCents: 4939,
        updatedAt: iso('2026-01-23T10:30:26.593Z'),
      });
    },
  },
  'http_get_accounts_positions__short_equity_option.json': {
    parser: 'parsePositions',
    check: (body) =>
      expect(m.parsePositions(sdk(body))[0]).toEqual({
        accountNumber: '5YZ55555',
        symbol: 'RIVN  230609P00014000',
        instrumentType: 'Equity Option',
        underlyingSymbol: 'RIVN',
        quantity: -40,
        multiplier: 100,
        averageOpenPriceCents: 79,
        closePriceCents: 41,
        markCents: null,
        expiresAt: iso('2023-06-09T20:00:00Z'),
        updatedAt: iso('2023-05-24T17:17:58.632Z'),
      }),
  },
  'http_get_accounts_balances__ira_2023.json': {
    parser: 'parseBalances',
    check: (body) =>
      expect(m.parseBalances(sdk(body))).toEqual({
        accountNumber: '5YZ55555',
        cashCents: 5_160_076,
        netLiquidatingValueCents: 54_355_768,
        derivativeBuyingPowerCents: 2_007_876,
        equityBuyingPowerCents: 2_007_876,
        maintenanceRequirementCents: 43_227_923,
        updatedAt: iso('2023-06-08T16:30:18.889Z'),
      }),
  },
  'http_get_accounts_balances__production_data_only.json': {
    parser: 'parseBalances',
    check: (body) =>
      expect(m.parseBalances(body)).toMatchObject({
        accountNumber: '5WZ00001',
        netLiquidatingValueCents: 4_140_916,
        derivativeBuyingPowerCents: 1_327_816,
      }),
  },
  'http_get_accounts_balances__sandbox_zero.json': {
    parser: 'parseBalances',
    check: (body) =>
      expect(m.parseBalances(sdk(body))).toMatchObject({
        accountNumber: '5WZ81257',
        cashCents: 0,
        netLiquidatingValueCents: 0,
        updatedAt: iso('2025-05-13T17:09:41.714Z'),
      }),
  },
  'http_get_customers_me_accounts__three_accounts.json': {
    parser: 'parseAccounts',
    check: (body) =>
      expect(m.parseAccounts(sdk(body))).toEqual([
        { accountNumber: '5YZ55555', nickname: 'Roth IRA', marginOrCash: 'Cash', isClosed: false },
        { accountNumber: '5WW55555', nickname: 'Margin acct', marginOrCash: 'Margin', isClosed: false },
        { accountNumber: '5WZ55555', nickname: 'Individual', marginOrCash: 'Cash', isClosed: false },
      ]),
  },

  // ---- market
  'http_get_api-quote-tokens__api_realtime.json': {
    parser: 'parseQuoteToken',
    check: (body) =>
      expect(m.parseQuoteToken(sdk(body))).toEqual({
        token: 'example-token-here',
        dxlinkUrl: 'wss://tasty-openapi-ws.dxfeed.com/realtime',
        level: 'api',
      }),
  },
  'http_get_api-quote-tokens__demo_delayed.json': {
    parser: 'parseQuoteToken',
    check: (body) =>
      expect(m.parseQuoteToken(sdk(body))).toMatchObject({
        dxlinkUrl: 'wss://tasty-demo-ws.dxfeed.com/delayed',
        level: 'demo',
      }),
  },
  'http_get_market-metrics__aapl_mcp.json': {
    parser: 'parseMarketMetrics',
    check: (body) => {
      const [a] = m.parseMarketMetrics(sdk(body));
      expect(a).toMatchObject({
        symbol: 'AAPL',
        ivIndex: 0.261833862,
        ivRank: 0.427330631,
        ivPercentile: 0.330776021,
        iv30: 26.53,
        hv30: 33.89,
        liquidityRating: 4,
        beta: 1.080855512,
        earningsDate: '2026-07-30',
        updatedAt: iso('2026-08-24T17:50:41.478Z'),
      });
      expect(a?.expirationIvs).toHaveLength(23);
      expect(a?.expirationIvs[0]).toEqual({ expiration: '2026-08-24', iv: 0.374500134 });
    },
  },
  'http_get_market-metrics__aapl_tsla_2023.json': {
    parser: 'parseMarketMetrics',
    check: (body) => {
      const metrics = m.parseMarketMetrics(sdk(body));
      expect(metrics.map((x) => [x.symbol, x.ivRank])).toEqual([
        ['AAPL', 0.02231313],
        ['TSLA', 0.12821369],
      ]);
    },
  },
  'http_get_option-chains_nested__aapl_2023.json': {
    parser: 'parseNestedChain',
    check: (body) => {
      const chain = m.parseNestedChain(sdk(body), 'AAPL');
      expect(chain).toMatchObject({ underlying: 'AAPL', root: 'AAPL', sharesPerContract: 100 });
      // "value" before "threshold" in this recording; the fallback tick has no threshold
      expect(chain.tickSizes).toEqual([
        { threshold: 3, valueCents: 1 },
        { threshold: null, valueCents: 5 },
      ]);
      expect(chain.expirations).toEqual([
        {
          expiration: '2023-06-16',
          daysToExpiration: 4,
          expirationType: 'Regular',
          settlementType: 'PM',
          strikes: [
            {
              strike: 60,
              callSymbol: 'AAPL  230616C00060000',
              callStreamerSymbol: '.AAPL230616C60',
              putSymbol: 'AAPL  230616P00060000',
              putStreamerSymbol: '.AAPL230616P60',
            },
            {
              strike: 65,
              callSymbol: 'AAPL  230616C00065000',
              callStreamerSymbol: '.AAPL230616C65',
              putSymbol: 'AAPL  230616P00065000',
              putStreamerSymbol: '.AAPL230616P65',
            },
          ],
        },
      ]);
    },
  },
  'http_get_option-chains_nested__aapl_mcp.json': {
    parser: 'parseNestedChain',
    check: (body) => {
      const chain = m.parseNestedChain(sdk(body), 'AAPL');
      expect(chain.expirations.map((e) => [e.expiration, e.expirationType, e.strikes.length])).toEqual([
        ['2026-06-12', 'Weekly', 4],
        ['2026-06-15', 'Weekly', 4],
        ['2026-06-17', 'Weekly', 4],
        ['2026-06-18', 'Regular', 4],
      ]);
      expect(chain.expirations[3]?.strikes[0]).toMatchObject({ strike: 5, callStreamerSymbol: '.AAPL260618C5' });
    },
  },
  'ws_dxlink_feed_data__quote_compact.json': {
    parser: 'parseQuoteEvent',
    check: (body) => {
      const quotes = dxEvents(body, ['eventSymbol', 'bidPrice', 'askPrice', 'bidSize', 'askSize']).map((e) =>
        m.parseQuoteEvent(e, 7),
      );
      expect(quotes).toEqual([
        { streamerSymbol: 'NVDA', bid: 131.66, ask: 131.67, bidSize: 760, askSize: 307, receivedAt: 7 },
        { streamerSymbol: 'PLTR', bid: 124.05, ask: 124.07, bidSize: 275, askSize: 326, receivedAt: 7 },
      ]);
    },
  },

  'ws_dxlink_feed_data__candle_compact.json': {
    parser: 'parseCandleEvent',
    check: (body) => {
      const fields = ['eventFlags', 'eventSymbol', 'time', 'open', 'high', 'low', 'close', 'volume', 'impVolatility'];
      const candles = dxEvents(body, fields).map((e) => m.parseCandleEvent(e));
      // A daily snapshot, newest first: SNAPSHOT_BEGIN, a plain candle, then the REMOVE|SNAPSHOT_END marker
      expect(candles).toEqual([
        { candleSymbol: 'AAPL{=d}', flags: 4, time: 1750032000000, date: '2025-06-16', close: 198.42 },
        { candleSymbol: 'AAPL{=d}', flags: 0, time: 1749772800000, date: '2025-06-13', close: 196.45 },
        { candleSymbol: 'AAPL{=d}', flags: 10, time: 926208000000, date: '1999-05-09', close: null },
      ]);
      expect(m.parseCandleEvent({ eventType: 'Quote', eventSymbol: 'AAPL' })).toBeNull();
    },
  },

  // ---- account streamer → parseStreamerMessage (+ notificationToEvent)
  'ws_account_connect__ok.json': {
    parser: 'parseStreamerMessage',
    check: (body) =>
      expect(m.parseStreamerMessage(body)).toEqual({
        kind: 'ack',
        action: 'connect',
        status: 'ok',
        requestId: 1,
        sessionId: 'c8531fa0',
        value: ['5WX06827'],
      }),
  },
  'ws_account_connect__ok_masked_account.json': {
    parser: 'parseStreamerMessage',
    check: (body) =>
      expect(m.parseStreamerMessage(body)).toMatchObject({ kind: 'ack', status: 'ok', value: ['***9822'] }),
  },
  'ws_account_connect__error_failed.json': {
    parser: 'parseStreamerMessage',
    check: (body) =>
      expect(m.parseStreamerMessage(body)).toEqual({
        kind: 'ack',
        action: 'connect',
        status: 'error',
        sessionId: '423f58ac',
        message: 'failed',
      }),
  },
  'ws_account_connect__error_bearer_prefix.json': {
    parser: 'parseStreamerMessage',
    check: (body) =>
      expect(m.parseStreamerMessage(body)).toMatchObject({
        kind: 'ack',
        action: 'connect',
        status: 'error',
        message: 'failed',
      }),
  },
  'ws_account_heartbeat__ok.json': {
    parser: 'parseStreamerMessage',
    check: (body) =>
      expect(m.parseStreamerMessage(body)).toEqual({
        kind: 'ack',
        action: 'heartbeat',
        status: 'ok',
        requestId: 3,
        sessionId: '13ec76b6',
      }),
  },
  'ws_account_heartbeat__ok_production.json': {
    parser: 'parseStreamerMessage',
    check: (body) =>
      expect(m.parseStreamerMessage(body)).toMatchObject({ kind: 'ack', action: 'heartbeat', requestId: 10 }),
  },
  'ws_account_balance__production.json': {
    parser: 'parseStreamerMessage',
    check: (body) => {
      const { message, event } = streamEvent(body);
      expect(message).toMatchObject({ type: 'AccountBalance', sequence: 1, timestamp: 1772754109941 });
      expect(event).toMatchObject({
        kind: 'balance',
        balances: {
          accountNumber: '5WZ00001',
          netLiquidatingValueCents: 4_141_916,
          maintenanceRequirementCents: 3_190_000,
        },
      });
    },
  },
  'ws_account_order__routed_production.json': {
    parser: 'parseStreamerMessage',
    check: (body) => {
      const { message, order } = streamOrder(body);
      expect(message).toMatchObject({ sequence: 1, timestamp: 1789652023555 });
      expect(order).toMatchObject({
        brokerOrderId: 507112736,
        status: 'routed',
        limitPriceCents: -1100,
        timeInForce: 'GTC',
      });
    },
  },
  'ws_account_order__live_with_fill_production.json': {
    parser: 'parseStreamerMessage',
    check: (body) => {
      const { order } = streamOrder(body);
      expect(order.status).toBe('live'); // still Live although the leg carries the fill
      expect(order.legs[0]?.remainingQuantity).toBe(0);
      expect(order.legs[0]?.fills).toEqual([
        {
          fillId: '3686196307888014350',
          quantity: 1,
          priceCents: 1067,
          priceDecimal: '10.665',
          filledAt: iso('2026-09-17T13:33:43.567Z'),
          venue: 'HUDSON_RIVER_TRADING_A',
        },
      ]);
    },
  },
  'ws_account_order__filled_production.json': {
    parser: 'parseStreamerMessage',
    check: (body) => {
      const { message, order } = streamOrder(body);
      expect(message).toMatchObject({ sequence: 5 });
      expect(order).toMatchObject({ status: 'filled', terminalAt: iso('2026-09-17T13:33:43.757Z') });
      expect(filledUnits(order)).toBe(1);
    },
  },
  'ws_account_order__routed_web_app_source.json': {
    parser: 'parseStreamerMessage',
    check: (body) =>
      expect(streamOrder(body).order).toMatchObject({
        status: 'routed',
        source: 'WB2;0.174.2',
        timeInForce: 'Day',
        limitPriceCents: -1051,
      }),
  },
  'ws_account_order__filled_web_app_source.json': {
    parser: 'parseStreamerMessage',
    check: (body) =>
      expect(streamOrder(body).order.legs[0]?.fills[0]).toMatchObject({
        priceCents: 1051,
        priceDecimal: '10.505',
        venue: 'SUSQUEHANNA_EQUITIES_B',
      }),
  },
  'ws_account_order__cancelled_replaced.json': {
    parser: 'parseStreamerMessage',
    check: (body) =>
      expect(streamOrder(body).order).toMatchObject({
        status: 'cancelled',
        replacingOrderId: 507440943,
        editable: false,
      }),
  },
  'ws_account_order__routed_replacement.json': {
    parser: 'parseStreamerMessage',
    check: (body) =>
      expect(streamOrder(body).order).toMatchObject({
        brokerOrderId: 507440943,
        status: 'routed',
        replacesOrderId: 507440771,
      }),
  },
  'ws_account_order__live_replacement.json': {
    parser: 'parseStreamerMessage',
    check: (body) =>
      expect(streamOrder(body)).toMatchObject({
        message: { sequence: 6 },
        order: { status: 'live', replacesOrderId: 507440771 },
      }),
  },
  'ws_account_order__filled_market_sandbox.json': {
    parser: 'parseStreamerMessage',
    check: (body) => {
      const { message, order } = streamOrder(body);
      expect(message.sequence).toBeUndefined();
      expect(order).toMatchObject({ orderType: 'Market', status: 'filled', limitPriceCents: null });
      expect(order.legs[0]?.fills[0]).toMatchObject({
        fillId: '2_TW::TEST_A1::20250528.135-TEST_FILL',
        priceCents: 100,
        venue: 'TEST_A',
      });
    },
  },
  'ws_account_order__received_multi_leg_production.json': {
    parser: 'parseStreamerMessage',
    check: (body) => {
      const { message, order } = streamOrder(body);
      expect(message.sequence).toBe(0);
      expect(order).toMatchObject({ status: 'received', limitPriceCents: 210, size: 1 });
      expect(order.legs.map((l) => l.action)).toEqual(['Buy to Open', 'Sell to Open']);
    },
  },
  'ws_account_order__cancelled_multi_leg_data_only.json': {
    parser: 'parseStreamerMessage',
    check: (body) => {
      const message = m.parseStreamerMessage(body);
      expect(message).toMatchObject({ kind: 'notification', type: 'Order' }); // inferred: the publisher kept only `data`
      const event = m.notificationToEvent('Order', body, 1);
      expect(event).toMatchObject({ kind: 'order', order: { status: 'cancelled', limitPriceCents: 210 } });
    },
  },
};

/** Files the adapter never reads, with the reason. */
const NOT_READ: Record<string, string> = {
  'http_post_sessions__login_response.json':
    'legacy username/password session login; Legwork uses OAuth through the SDK',
  'http_get_accounts_balance-snapshots__one_item.json': 'balance snapshots (history); the adapter reads /balances',
  'http_get_accounts_net-liq-history__three_points.json': 'net-liq history is not used',
  'http_get_accounts_position-limit__ira.json': 'position limits are not read',
  'http_get_accounts_trading-status__ira.json': 'trading status is not read',
  'http_get_accounts_transactions__trade_and_assignment.json': 'transactions are not read (fills come from orders)',
  'http_get_accounts_transactions__trade_and_deposits_mcp.json': 'transactions are not read (fills come from orders)',
  'http_get_accounts_margin-requirements_effective__aapl_2023.json':
    'margin requirements: buying-power effects come from dry-runs',
  'http_get_accounts_margin-requirements_effective__aapl_mcp.json':
    'margin requirements: buying-power effects come from dry-runs',
  'http_get_margin_accounts_requirements__ira_groups.json':
    'margin requirements: buying-power effects come from dry-runs',
  'http_get_margin-requirements-public-configuration__2023.json': 'public margin configuration is not read',
  'http_get_margin-requirements-public-configuration__mcp.json': 'public margin configuration is not read',
  'http_get_futures-option-chains__es_flat_2023.json': 'futures option chains: Legwork trades equity options only',
  'http_get_futures-option-chains__es_flat_mcp.json': 'futures option chains: Legwork trades equity options only',
  'http_get_futures-option-chains__gc_single_item.json': 'futures option chains: Legwork trades equity options only',
  'http_get_futures-option-chains_nested__es_2023.json': 'futures option chains: Legwork trades equity options only',
  'http_get_futures-option-chains_nested__es_mcp.json': 'futures option chains: Legwork trades equity options only',
  'http_get_instruments_futures__rbm5.json': 'futures instruments: Legwork trades equity options only',
  'http_get_instruments_equities__aapl.json':
    'instrument lookups: symbols, ticks and contract size come from the nested chain',
  'http_get_instruments_equity-options__aapl_call.json':
    'instrument lookups: symbols, ticks and contract size come from the nested chain',
  'http_get_option-chains__aapl_flat_2023.json': 'flat option chain; the adapter reads the nested chain',
  'http_get_option-chains__aapl_flat_mcp.json': 'flat option chain; the adapter reads the nested chain',
  'http_get_option-chains_compact__aapl_2023.json': 'compact option chain; the adapter reads the nested chain',
  'http_get_symbols_search__aapl.json': 'symbol search is not used',
  'http_get_market-data_by-type__mixed_mcp.json': 'REST market-data snapshots; quotes and greeks come over DXLink',
  'http_get_market-data_by-type__spy_equity_options.json':
    'REST market-data snapshots; quotes and greeks come over DXLink',
  'ws_dxlink_setup__server_reply_docs.json': 'DXLink protocol message, handled inside the SDK (@dxfeed/dxlink-api)',
  'ws_dxlink_auth_state__authorized.json': 'DXLink protocol message, handled inside the SDK (@dxfeed/dxlink-api)',
  'ws_dxlink_auth_state__unauthorized.json': 'DXLink protocol message, handled inside the SDK (@dxfeed/dxlink-api)',
  'ws_dxlink_channel_opened__feed_auto_docs.json':
    'DXLink protocol message, handled inside the SDK (@dxfeed/dxlink-api)',
  'ws_dxlink_feed_config__compact_docs.json': 'DXLink protocol message, handled inside the SDK (@dxfeed/dxlink-api)',
  'ws_dxlink_error__bad_action.json': 'DXLink protocol message, handled inside the SDK (@dxfeed/dxlink-api)',
  'ws_dxlink_feed_data__candle_compact_crypto_5m.json': '5-minute candles: Legwork reads daily candles only',
  'ws_dxlink_feed_data__summary_compact.json': 'Summary events: Legwork subscribes to Quote and Greeks only',
  'ws_dxlink_feed_data__trade_compact.json': 'Trade events: Legwork subscribes to Quote and Greeks only',
  'ws_dxlink_feed_data__trade_compact_with_event_type_docs.json':
    'Trade events: Legwork subscribes to Quote and Greeks only',
};

const files = readdirSync(DIR)
  .filter((f) => f !== 'SOURCES.md')
  .sort();
const unassigned = (names: string[]) => names.filter((f) => !(f in READ) && !(f in NOT_READ));

describe('Tastytrade recordings', () => {
  it('every fixture file is either read by a parser or listed in NOT_READ, and no entry is stale', () => {
    expect(
      unassigned(files),
      'new fixture: assign it to its parser in READ, or list it in NOT_READ with the reason',
    ).toEqual([]);
    expect(Object.keys(READ).filter((f) => f in NOT_READ)).toEqual([]);
    expect([...Object.keys(READ), ...Object.keys(NOT_READ)].filter((f) => !files.includes(f))).toEqual([]);
    expect(Object.values(NOT_READ).every((reason) => reason.length > 10)).toBe(true);
  });

  it('a fixture that is neither read nor listed is reported', () => {
    expect(unassigned([...files, 'ws_account_order__new_recording.json'])).toEqual([
      'ws_account_order__new_recording.json',
    ]);
  });

  it.each(files.filter((f) => f in READ))('%s parses to the expected domain values', (file) => {
    const entry = READ[file]!;
    expect(m).toHaveProperty(entry.parser);
    entry.check(load(file));
  });
});
