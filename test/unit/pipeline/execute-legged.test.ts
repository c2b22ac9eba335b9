// The legged saga (executeGroup → planEntry → pre-trade gate → one single-leg order per leg, wings first → rollback
// through compensation; legged exits forward only) over the in-memory Store and the fake broker: every leg fills; a
// later leg is refused and the rollback buys the short back before it sells the wing covering it; a buy-back that never
// goes through leaves the covering long held (broken, reducing); a legged exit closes shorts first. The same paths run
// against PostgreSQL and the venue in test/integration/execute-legged*.test.ts.
import { describe, expect, it } from 'vitest';
import { executeGroup } from '../../../src/pipeline/execute/execute-group.js';
import {
  CONDOR,
  type ExecHarness,
  execHarness,
  exitGroup,
  heldByTrade,
  pendingCondor,
} from '../../support/exec-harness.js';

const { longPut, shortPut, shortCall, longCall } = CONDOR;
const CONDOR_HELD = new Map([
  [longPut.symbol, 1],
  [shortPut.symbol, -1],
  [shortCall.symbol, -1],
  [longCall.symbol, 1],
]);

/** Every single-leg order the broker received, in order, as "action symbol → outcome". */
const submits = (h: ExecHarness) =>
  h.broker.calls.filter((c) => c.op === 'submit').map((c) => `${c.legs[0]!.action} ${c.legs[0]!.symbol} ${c.outcome}`);
const line = (action: string, l: { symbol: string }, outcome = 'ok') => `${action} ${l.symbol} ${outcome}`;

async function openCondor(h: ExecHarness) {
  const trade = await pendingCondor(h, 'ic-legged');
  expect(await executeGroup(h.ctx, trade.id, trade.entryGroupId)).toMatchObject({ status: 'filled' });
  return (await h.store.trades.get(trade.id))!;
}

describe('legged entry', () => {
  it('sends the wings first, then the shorts, each at its natural price: group filled, trade open at the natural credit', async () => {
    const h = execHarness();
    const trade = await pendingCondor(h, 'ic-legged');
    const result = await executeGroup(h.ctx, trade.id, trade.entryGroupId);

    expect(result).toMatchObject({ status: 'filled', filledUnits: 1, orders: 4 });
    expect(submits(h)).toEqual([
      line('Buy to Open', longPut),
      line('Buy to Open', longCall),
      line('Sell to Open', shortPut),
      line('Sell to Open', shortCall),
    ]);
    // Natural per leg: the wings at their asks, the shorts at their bids
    expect(h.broker.calls.map((c) => c.limitPriceCents)).toEqual([-110, -100, 150, 140]);
    const orders = await h.store.orders.ofGroup(trade.entryGroupId);
    expect(orders.map((o) => [o.role, o.seq, o.status])).toEqual([
      ['leg', 0, 'filled'],
      ['leg', 1, 'filled'],
      ['leg', 2, 'filled'],
      ['leg', 3, 'filled'],
    ]);
    expect(await h.store.trades.get(trade.id)).toMatchObject({ status: 'open', entryCreditCents: 80 });
    expect(await heldByTrade(h, trade.id)).toEqual(CONDOR_HELD);
    expect(h.broker.positionMap()).toEqual(CONDOR_HELD);
  });

  it('a later leg refused: the short is bought back before the wing covering it is sold; rolled back, flat', async () => {
    const h = execHarness();
    h.broker.feePerContractCents = 50;
    h.broker.script({ kind: 'reject', message: 'Exchange rejected (test)' }, { symbol: shortCall.symbol });
    const trade = await pendingCondor(h, 'ic-legged');
    const result = await executeGroup(h.ctx, trade.id, trade.entryGroupId);

    expect(result).toMatchObject({ status: 'rolled_back' });
    const order = submits(h);
    expect(order.slice(0, 4)).toEqual([
      line('Buy to Open', longPut),
      line('Buy to Open', longCall),
      line('Sell to Open', shortPut),
      line('Sell to Open', shortCall, 'rejected'),
    ]);
    // Wave 1: the short put bought back, and the long call (it covers no short); wave 2: the long put
    expect(order.slice(4)).toEqual([
      line('Buy to Close', shortPut),
      line('Sell to Close', longCall),
      line('Sell to Close', longPut),
    ]);
    expect(order.indexOf(line('Buy to Close', shortPut))).toBeLessThan(order.indexOf(line('Sell to Close', longPut)));
    const orders = await h.store.orders.ofGroup(trade.entryGroupId);
    expect(orders.filter((o) => o.role === 'compensation').map((o) => [o.legs[0]!.action, o.status])).toEqual([
      ['Sell to Close', 'filled'],
      ['Buy to Close', 'filled'],
      ['Sell to Close', 'filled'],
    ]);
    expect(h.broker.positionMap()).toEqual(new Map());
    expect(await heldByTrade(h, trade.id)).toEqual(new Map());
    // The rollback's cost: the cash of every fill less every fee (6 contracts at 50 ¢)
    const cash = (await h.store.positions.ofTrade(trade.id)).reduce((n, p) => n + p.cashCents, 0);
    expect(await h.store.trades.get(trade.id)).toMatchObject({ status: 'rolled_back', realizedPnlCents: cash - 300 });
    expect(cash).toBeLessThan(0); // bought at the ask, sold back through the bid
  });

  it('the short put buy-back refused every time: the long put covering it is never sold; broken, reducing, alerted', async () => {
    const h = execHarness();
    h.broker.script({ kind: 'reject' }, { symbol: shortCall.symbol });
    h.broker.script(
      { kind: 'reject', message: 'No position to close (test)' },
      { symbol: shortPut.symbol, action: 'Buy to Close' },
    );
    const trade = await pendingCondor(h, 'ic-legged');
    const result = await executeGroup(h.ctx, trade.id, trade.entryGroupId);

    expect(result).toMatchObject({ status: 'broken' });
    const closes = submits(h).slice(4);
    expect(closes).toContain(line('Buy to Close', shortPut, 'rejected'));
    expect(closes.filter((c) => c.includes(longPut.symbol))).toEqual([]);
    expect(h.broker.positionMap()).toEqual(
      new Map([
        [longPut.symbol, 1],
        [shortPut.symbol, -1],
      ]),
    );
    expect(await heldByTrade(h, trade.id)).toEqual(h.broker.positionMap());
    expect(await h.store.trades.get(trade.id)).toMatchObject({ status: 'broken' });
    expect((await h.store.tradingState.get()).state).toBe('reducing');
    expect(h.alerts).toEqual(['broken_group']);
  });

  it('a close falls between the open-market check and the deadline check: the rollback waits for the open, not broken (chaos seed 20261123)', async () => {
    const h = execHarness();
    h.broker.script({ kind: 'reject' }, { symbol: shortCall.symbol });
    // The first buy-back of the short put rests unfilled; the one sent after the open fills
    h.broker.script({ kind: 'never' }, { symbol: shortPut.symbol, action: 'Buy to Close', times: 1 });
    const closing = () => h.broker.calls.some((c) => c.op === 'submit' && c.legs[0]!.action === 'Buy to Close');
    // Open until a closing order works; the broker then answers "Open" once more and the close (a night in one jump
    // of the clock, as the venue does) falls right after that answer; the next session opens 17.5 h later
    let nextOpenAt: number | undefined;
    h.broker.marketSession = async () => {
      const now = h.clock.now();
      if (nextOpenAt === undefined) {
        if (closing()) {
          nextOpenAt = now + 10 * 60_000 + 17.5 * 3_600_000;
          h.clock.advance(10 * 60_000);
        }
        return { state: 'Open', openAt: now - 3_600_000, closeAt: now + 1, nextOpenAt: null };
      }
      return now < nextOpenAt
        ? { state: 'Closed', openAt: null, closeAt: null, nextOpenAt }
        : { state: 'Open', openAt: nextOpenAt, closeAt: nextOpenAt + 6.5 * 3_600_000, nextOpenAt: null };
    };
    const trade = await pendingCondor(h, 'ic-legged');
    const result = await executeGroup(h.ctx, trade.id, trade.entryGroupId);

    expect(nextOpenAt).toBeGreaterThan(0);
    expect(h.clock.now()).toBeGreaterThanOrEqual(nextOpenAt!);
    expect(result).toMatchObject({ status: 'rolled_back' });
    expect(h.broker.positionMap()).toEqual(new Map());
    expect(await h.store.trades.get(trade.id)).not.toMatchObject({ status: 'broken' });
    expect(h.alerts).toEqual([]);
  });

  it('a wing nobody bids for once the rest is flat is kept, not offered: rolled back, trade open holding it, no human called', async () => {
    const h = execHarness();
    h.broker.script({ kind: 'reject' }, { symbol: shortCall.symbol });
    // Nobody buys it: an offer at the smallest price works until cancelled (the venue fills a sell only at the bid)
    h.broker.script({ kind: 'never' }, { symbol: longCall.symbol, action: 'Sell to Close' });
    // The call wing's bid vanishes right after it is bought (a far wing of a fast market: bid 0, ask 0.05)
    h.broker.onSubmit = (legs) => {
      if (legs[0]?.symbol === longCall.symbol && legs[0].action === 'Buy to Open')
        h.market.setQuote(longCall.streamerSymbol, 0, 5);
    };
    const trade = await pendingCondor(h, 'ic-legged');
    const result = await executeGroup(h.ctx, trade.id, trade.entryGroupId);

    expect(result).toMatchObject({ status: 'rolled_back' });
    // The short put bought back, the put wing sold; the call wing never offered (it used to be offered at $0.01 five
    // times, never filled, and the group broke: trading reducing, a human alerted for a position with no risk)
    expect(submits(h).slice(4)).toEqual([line('Buy to Close', shortPut), line('Sell to Close', longPut)]);
    expect(h.broker.positionMap()).toEqual(new Map([[longCall.symbol, 1]]));
    expect(await heldByTrade(h, trade.id)).toEqual(new Map([[longCall.symbol, 1]]));
    expect(await h.store.trades.get(trade.id)).toMatchObject({ status: 'open' });
    expect((await h.store.groups.get(trade.entryGroupId))!.reason).toMatch(
      /^rolled back but for 1 SPY 260220C00640000 nobody bids for: kept/,
    );
    expect((await h.store.tradingState.get()).state).toBe('active');
    expect(h.alerts).toEqual([]);
  });

  it('denied by the pre-trade gate without buying power: nothing sent, trade rejected', async () => {
    const h = execHarness();
    h.broker.buyingPowerCents = 10_000; // a dry-run uses 50 000
    const trade = await pendingCondor(h, 'ic-legged');
    const result = await executeGroup(h.ctx, trade.id, trade.entryGroupId);

    expect(result).toMatchObject({ status: 'denied', reason: expect.stringMatching(/buying power/) });
    expect(await h.store.orders.ofGroup(trade.entryGroupId)).toEqual([]);
    expect(await h.store.trades.get(trade.id)).toMatchObject({ status: 'rejected' });
    expect(h.broker.calls).toEqual([]);
  });
});

describe('legged exit', () => {
  it('buys the shorts back first, then sells the wings, closing orders only: trade closed with its P&L', async () => {
    const h = execHarness();
    const trade = await openCondor(h);
    const groupId = await exitGroup(h, trade, { mode: 'legged' });
    h.broker.calls.length = 0;
    const result = await executeGroup(h.ctx, trade.id, groupId);

    expect(result).toMatchObject({ status: 'filled', filledUnits: 1 });
    expect(submits(h)).toEqual([
      line('Buy to Close', shortPut),
      line('Buy to Close', shortCall),
      line('Sell to Close', longPut),
      line('Sell to Close', longCall),
    ]);
    // Natural per leg: shorts at their asks (160, 150), wings at their bids (100, 90): 120 to close what sold for 80
    expect(h.broker.calls.map((c) => c.limitPriceCents)).toEqual([-160, -150, 100, 90]);
    expect(await h.store.trades.get(trade.id)).toMatchObject({
      status: 'closed',
      exitDebitCents: 120,
      realizedPnlCents: (80 - 120) * 100,
      exitReason: 'take_profit',
    });
    expect(h.broker.positionMap()).toEqual(new Map());
  });

  it('a wing nobody bids for once the shorts are bought back is not offered: the exit ends quietly, the trade keeps it', async () => {
    const h = execHarness();
    const trade = await openCondor(h);
    h.market.setQuote(longCall.streamerSymbol, 0, 5);
    h.broker.script({ kind: 'never' }, { symbol: longCall.symbol, action: 'Sell to Close' });
    const groupId = await exitGroup(h, trade, { mode: 'legged' });
    h.broker.calls.length = 0;
    const result = await executeGroup(h.ctx, trade.id, groupId);

    expect(result).toMatchObject({ status: 'cancelled' });
    expect(submits(h)).toEqual([
      line('Buy to Close', shortPut),
      line('Buy to Close', shortCall),
      line('Sell to Close', longPut),
    ]);
    expect(await heldByTrade(h, trade.id)).toEqual(new Map([[longCall.symbol, 1]]));
    expect(await h.store.trades.get(trade.id)).toMatchObject({ status: 'open' });
    expect((await h.store.groups.get(groupId))!.reason).toMatch(
      /^closed but for longs nobody bids for \(SPY 260220C00640000\)/,
    );
    expect(h.alerts).toEqual([]);
    expect((await h.store.tradingState.get()).state).toBe('active');
  });
});
