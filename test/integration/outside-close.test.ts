// Owns a position a trader closes by hand outside Legwork, against the venue: "the trader" sends closing orders with the
// unmodified @tastytrade/api client (no external id); reconciliation recognises each from the broker's Trade
// transactions, records it against the trade once (quantity, price, fees), alerts once, and the trade ends closed with
// its P&L net of fees once nothing is left. An absence with no fill behind it, and opening orders by hand, change
// nothing.
import { describe, expect, it } from 'vitest';
import type TastytradeClient from '@tastytrade/api';
import { deterministicId } from '../../src/domain/ids.js';
import { closingAction } from '../../src/domain/order-group.js';
import type { ExecContext } from '../../src/pipeline/execution-context.js';
import { executeGroup } from '../../src/pipeline/execute/execute-group.js';
import { evaluateExits } from '../../src/pipeline/exit/exits.js';
import { reconcile } from '../../src/pipeline/reconcile/reconcile.js';
import { getTrade, type TradeRow } from '../../src/store/trades.repo.js';
import type { TestApp } from '../support/app.js';
import { openCondorTrade } from '../support/condor-trades.js';
import { condorRule } from '../support/rules.js';
import { settlementChecks, type SettlementChecks } from '../support/settlement-checks.js';
import { useTradingApp } from '../support/trading-app.js';
import { sdkClient } from '../support/venue.js';
import { applyBrokerOrder } from '../../src/pipeline/broker-sync.js';
import { waitUntil } from '../support/wait-until.js';

type Json = Record<string, any>;

let app: TestApp;
let ctx: ExecContext;
let account: string;
let checks: SettlementChecks;
let trader: TastytradeClient;

// Exits that stay quiet: nothing but the trader closes these trades
const rule = condorRule({
  name: 'byhand',
  symbols: ['SPY', 'QQQ'],
  entry: '{ price: natural, maxSteps: 0, fillTimeoutSeconds: 5 }',
  execution: 'execution: { mode: combo, partialFill: keep }',
}).replace(
  'exits: { takeProfitPct: 50 }',
  'exits: { takeProfitPct: null, stopLossMultiple: null, closeAtDte: null, timeStopDays: 40, holdThroughExpiration: true }',
);

useTradingApp({ 'byhand.yaml': rule }, (t) => {
  ({ app, ctx, account } = t);
  checks = settlementChecks(app);
  trader = sdkClient(app.sim);
});

/** One order sent by the trader at the venue (Tastytrade app, SDK): one leg at the natural price, no external id. */
async function byHand(
  symbol: string,
  action: 'Buy to Close' | 'Sell to Close' | 'Buy to Open' | 'Sell to Open',
  quantity = 1,
  externalId?: string,
): Promise<number> {
  const quote = app.sim.market.quote(symbol)!;
  const buying = action.startsWith('Buy');
  const placed = (await trader.orderService.createOrder(account, {
    'time-in-force': 'Day',
    'order-type': 'Limit',
    price: (buying ? quote.ask : quote.bid).toFixed(2),
    'price-effect': buying ? 'Debit' : 'Credit',
    legs: [{ 'instrument-type': 'Equity Option', symbol, quantity, action }],
    ...(externalId ? { 'external-identifier': externalId } : {}),
  })) as Json;
  const id = Number(placed.order.id);
  expect(placed.order['external-identifier'] ?? null).toBe(externalId ?? null);
  await waitUntil(async () => ((await trader.orderService.getOrder(account, id)) as Json).status === 'Filled', {
    what: `${action} ${symbol} by hand to fill`,
  });
  return id;
}

/** The venue's Trade transactions of one broker order: price and fees as the broker charged them. */
const venueFills = (brokerOrderId: number) =>
  app.sim.venue
    .transactions(account, { perPage: 1000 })
    .items.filter((t) => Number(t['order-id']) === brokerOrderId)
    .map((t) => ({
      id: Number(t['id']),
      priceCents: Math.round(Number(t['price']) * 100),
      feeCents: ['commission', 'clearing-fees', 'regulatory-fees', 'proprietary-index-option-fees'].reduce(
        (sum, key) => sum + (t[`${key}-effect`] === 'Debit' ? Math.round(Number(t[key]) * 100) : 0),
        0,
      ),
    }));

const positionsOf = async (tradeId: string) =>
  (
    await app.ctx.sql<{ symbol: string; quantity: number }[]>`
      select symbol, quantity from trade_positions where trade_id = ${tradeId} order by symbol`
  ).map((p) => [p.symbol, p.quantity]);
const outsideClosesOf = (tradeId: string) =>
  app.ctx.sql<
    {
      transactionId: string;
      brokerOrderId: string;
      symbol: string;
      action: string;
      quantity: number;
      priceCents: string;
      feeCents: string;
    }[]
  >`select broker_transaction_id::text as "transactionId", broker_order_id::text as "brokerOrderId", symbol, action,
      quantity, price_cents::text as "priceCents", fee_cents::text as "feeCents"
    from outside_closes where trade_id = ${tradeId} order by broker_transaction_id`;
const alertsOf = async (tradeId: string) =>
  (
    await app.ctx.sql<{ data: { kind: string; difference?: string; message: string; symbol?: string } }[]>`
      select data from audit_events where kind = 'alert' and trade_id = ${tradeId} order by id`
  ).map((a) => ({ kind: a.data.kind, symbol: a.data.symbol, message: a.data.message }));
const differencesOf = (report: Awaited<ReturnType<typeof reconcile>>, trade: TradeRow) =>
  report.positionDifferences
    .filter((d) => d.symbol.startsWith(trade.underlying.padEnd(6)))
    .map((d) => [d.symbol, d.kind, d.ours, d.broker, d.tradeIds]);

describe('a position closed by hand outside Legwork', () => {
  it('one leg closed by hand: recorded against the trade once, alerted once, the trade open with its other legs; the rest closed by hand: the trade closed with its P&L net of fees', async () => {
    const before = checks.lastTransactionId();
    const trade = await openCondorTrade(app, ctx, 'byhand', 'SPY');
    const shortPut = trade.legs.find((l) => l.action === 'Sell to Open' && l.right === 'P')!;
    const others = trade.legs.filter((l) => l !== shortPut);

    const first = await byHand(shortPut.symbol, 'Buy to Close');
    const report = await reconcile(ctx, 'periodic');
    expect(differencesOf(report, trade)).toEqual([[shortPut.symbol, 'closed_outside', -1, 0, [trade.id]]]);
    // What the trade holds now: the short put is gone, its other legs are still its own
    expect(await positionsOf(trade.id)).toEqual(
      trade.legs
        .map((l) => [l.symbol, l === shortPut ? 0 : l.action === 'Sell to Open' ? -1 : 1])
        .sort(([a], [b]) => (String(a) < String(b) ? -1 : 1)),
    );
    const [fill] = venueFills(first);
    expect(await outsideClosesOf(trade.id)).toEqual([
      {
        transactionId: String(fill!.id),
        brokerOrderId: String(first),
        symbol: shortPut.symbol,
        action: 'Buy to Close',
        quantity: 1,
        priceCents: String(fill!.priceCents),
        feeCents: String(fill!.feeCents),
      },
    ]);
    expect(fill!.feeCents).toBeGreaterThan(0);
    expect(await alertsOf(trade.id)).toEqual([
      {
        kind: 'closed_outside',
        symbol: shortPut.symbol,
        message: expect.stringContaining(`closed outside Legwork by broker order ${first}`),
      },
    ]);
    expect((await getTrade(app.ctx.sql, trade.id))!.status).toBe('open');

    // Reconciled again (a restart runs the same path): nothing differs, nothing recorded or alerted twice
    expect(differencesOf(await reconcile(ctx, 'periodic'), trade)).toEqual([]);
    expect(await outsideClosesOf(trade.id)).toHaveLength(1);
    expect(await alertsOf(trade.id)).toHaveLength(1);

    // The trader closes the rest by hand, one leg per order
    const rest: number[] = [];
    for (const leg of others)
      rest.push(await byHand(leg.symbol, leg.action === 'Sell to Open' ? 'Buy to Close' : 'Sell to Close'));
    const last = await reconcile(ctx, 'periodic');
    expect(differencesOf(last, trade).map(([symbol, kind]) => [symbol, kind])).toEqual(
      others.map((l) => [l.symbol, 'closed_outside']).sort(([a], [b]) => (a! < b! ? -1 : 1)),
    );
    expect((await outsideClosesOf(trade.id)).map((r) => Number(r.brokerOrderId)).sort()).toEqual(
      [first, ...rest].sort(),
    );
    expect((await alertsOf(trade.id)).map((a) => a.message)).toEqual([
      expect.stringContaining(`by broker order ${first}`),
      ...others
        .map((l, i) => ({ symbol: l.symbol, id: rest[i]! }))
        .sort((a, b) => (a.symbol < b.symbol ? -1 : 1))
        .map((r) => expect.stringContaining(`by broker order ${r.id}`)),
    ]);
    // Closed with the venue's own net of every transaction since: the entry's fills and fees, the four closes by hand
    await checks.expectClosedWithPnl(trade, 'closed outside Legwork', before);
    const byHandFees = [first, ...rest].flatMap(venueFills).reduce((n, f) => n + f.feeCents, 0);
    expect((await outsideClosesOf(trade.id)).reduce((n, r) => n + Number(r.feeCents), 0)).toBe(byHandFees);
    expect(differencesOf(await reconcile(ctx, 'periodic'), trade)).toEqual([]);
  }, 120_000);

  it('a close by hand while an exit of ours is live waits for it: recorded once the group ends; the next exit closes only what is left', async () => {
    const before = checks.lastTransactionId();
    const trade = await openCondorTrade(app, ctx, 'byhand', 'IWM');
    const shortCall = trade.legs.find((l) => l.action === 'Sell to Open' && l.right === 'C')!;
    // An exit group of ours, planned (as the exit cycle writes it, before the executor takes it)
    const groupId = deterministicId('exit-group', trade.id);
    await ctx.store.tx(async (tx) => {
      expect(await tx.trades.move(trade.id, 'ExitStarted', { exitReason: 'take_profit' })).toBe(true);
      await tx.groups.insert(groupId, {
        tradeId: trade.id,
        kind: 'exit',
        mode: 'combo',
        quantity: 1,
        legs: trade.legs.map((l) => ({
          symbol: l.symbol,
          instrumentType: 'Equity Option' as const,
          action: closingAction(l.action),
          ratio: 1,
        })),
        pricing: {
          startCents: 100,
          floorCents: 150,
          stepCents: 1,
          stepEverySeconds: 5,
          maxSteps: 0,
          fillTimeoutSeconds: 5,
        },
        partialFill: 'keep',
        ruleSet: trade.ruleSet,
        rulesHash: trade.rulesHash,
        reason: 'take_profit',
      });
    });
    const id = await byHand(shortCall.symbol, 'Buy to Close');

    const waiting = await reconcile(ctx, 'periodic');
    expect(differencesOf(waiting, trade)).toEqual([[shortCall.symbol, 'missing', -1, 0, [trade.id]]]);
    expect(await outsideClosesOf(trade.id)).toEqual([]);
    const [explained] = await app.ctx.sql<{ data: { detail: string } }[]>`
      select data from audit_events where kind = 'position_explained' and trade_id = ${trade.id} order by id`;
    expect(explained!.data.detail).toContain(`broker order ${id} closed it outside Legwork, recorded once`);

    // The exit ends with nothing sent: the trade is open again, and the next reconciliation records the close by hand
    expect(await ctx.store.groups.move(groupId, 'Cancelled', { reason: 'test: nothing sent' })).toBe(true);
    expect(await ctx.store.trades.move(trade.id, 'ExitEnded')).toBe(true);
    const after = await reconcile(ctx, 'periodic');
    expect(differencesOf(after, trade)).toEqual([[shortCall.symbol, 'closed_outside', -1, 0, [trade.id]]]);
    expect((await outsideClosesOf(trade.id)).map((r) => [r.symbol, Number(r.brokerOrderId), r.quantity])).toEqual([
      [shortCall.symbol, id, 1],
    ]);
    expect((await getTrade(app.ctx.sql, trade.id))!.status).toBe('open');

    // Exits close only what is left: the next exit cycle closes the three other legs, never the call bought back
    const fired = (await evaluateExits(ctx)).triggered.find((t) => t.tradeId === trade.id);
    expect(fired?.reason).toBe('leftovers');
    const group = (await ctx.store.groups.get(fired!.groupId))!;
    expect(group.intent.legs.map((l) => [l.symbol, l.action]).sort()).toEqual(
      trade.legs
        .filter((l) => l !== shortCall)
        .map((l) => [l.symbol, closingAction(l.action)])
        .sort(),
    );
    expect((await executeGroup(ctx, trade.id, fired!.groupId)).status).toBe('filled');
    // Closed by Legwork's exit, its P&L is the venue's net: the entry, the close by hand and the exit, fees included
    await checks.expectClosedWithPnl(trade, 'leftovers', before);
  }, 120_000);

  it('an absence with no fill behind it, and opening orders by hand, are never taken for a close: missing, unexplained and foreign as before, nothing recorded', async () => {
    const trade = await openCondorTrade(app, ctx, 'byhand', 'QQQ');
    const shortPut = trade.legs.find((l) => l.action === 'Sell to Open' && l.right === 'P')!;
    const shortCall = trade.legs.find((l) => l.action === 'Sell to Open' && l.right === 'C')!;
    const held = await positionsOf(trade.id);

    // The short put vanishes at the broker with no order and no transaction behind it
    expect(app.sim.control.openPosition({ symbol: shortPut.symbol, quantity: 1 }).ok).toBe(true);
    // The trader sells one more of the trade's short call, and opens a put of another underlying, by hand
    await byHand(shortCall.symbol, 'Sell to Open');
    const spy = app.sim.market.chain('SPY')!.expirations.find((e) => e.daysToExpiration >= 20)!.strikes[0]!.putSymbol;
    await byHand(spy, 'Buy to Open');

    const report = await reconcile(ctx, 'periodic');
    expect(differencesOf(report, trade)).toEqual(
      [
        [shortCall.symbol, 'unexplained', -1, -2, [trade.id]],
        [shortPut.symbol, 'missing', -1, 0, [trade.id]],
      ].sort(([a], [b]) => (String(a) < String(b) ? -1 : 1)),
    );
    expect(report.positionDifferences.filter((d) => d.symbol === spy)).toEqual([
      { symbol: spy, kind: 'foreign', ours: 0, broker: 1, tradeIds: [] },
    ]);
    expect(await positionsOf(trade.id)).toEqual(held);
    expect(await outsideClosesOf(trade.id)).toEqual([]);
    expect((await getTrade(app.ctx.sql, trade.id))!.status).toBe('open');
    expect(
      (await alertsOf(trade.id)).map((a) => [a.kind, a.symbol]).sort(([, a], [, b]) => (a! < b! ? -1 : 1)),
    ).toEqual([
      ['reconcile_mismatch', shortCall.symbol],
      ['reconcile_mismatch', shortPut.symbol],
    ]);
  }, 120_000);

  it("an order another tool sent with its own external id (not one of Legwork's ids) is foreign: the order sweep, the order sync and the position check carry on", async () => {
    const spy = app.sim.market.chain('SPY')!.expirations.find((e) => e.daysToExpiration >= 20)!.strikes[1]!.callSymbol;
    const id = await byHand(spy, 'Buy to Open', 1, 'other-tool-42');

    // Before: Postgres refused the id as a uuid, and the whole reconciliation failed on every run while it was listed
    const report = await reconcile(ctx, 'periodic');
    expect(report.unknownBrokerOrders).toBeGreaterThanOrEqual(1);
    expect(report.positionDifferences.filter((d) => d.symbol === spy)).toEqual([
      { symbol: spy, kind: 'foreign', ours: 0, broker: 1, tradeIds: [] },
    ]);
    const flagged = await app.ctx.sql<{ n: number }[]>`
      select count(*)::int as n from audit_events
      where kind = 'alert' and data->>'message' = ${`broker order ${id} is not one of ours`}`;
    expect(flagged[0]!.n).toBe(1);
    // The fill monitor's path: the broker's report of that order is not ours, and says so without failing
    const order = await ctx.broker.getOrder(id);
    expect(order.externalId).toBe('other-tool-42');
    expect(await applyBrokerOrder(ctx, order, 'stream')).toBeUndefined();
  }, 120_000);
});
