// The portfolio sync against the in-memory Store with a fake broker and market data: positions attributed to the trades
// holding them or foreign, greeks per position and in total (beta-weighted into SPY shares, computed here by hand),
// missing greeks counted as null and logged, a broker failure logged and left for the next sync, one close snapshot
// per session and intraday points at their cadence, all in broker time.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Balances, MarketSessionInfo, Position } from '../../../src/domain/account.js';
import { BrokerError } from '../../../src/domain/broker-error.js';
import type { GreeksSnapshot, MarketMetrics, QuoteSnapshot } from '../../../src/domain/market.js';
import { FOREIGN } from '../../../src/domain/portfolio.js';
import type { TradeRow } from '../../../src/domain/records.js';
import { type PortfolioSyncContext, syncPortfolio } from '../../../src/pipeline/account/account-stage.js';
import { createLogger } from '../../../src/log.js';
import { createMemoryStore, type MemoryStore } from '../../support/memory-store.js';

const T1 = 'a0000000-0000-4000-8000-000000000001';
const T2 = 'b0000000-0000-4000-8000-000000000002';
const T_CLOSED = 'c0000000-0000-4000-8000-000000000003';
const QQQ_PUT = 'QQQ   270115P00380000';
const QQQ_PUT_STREAMER = '.QQQ270115P380';
const SPY_CALL = 'SPY   270115C00520000';
const SPY_CALL_STREAMER = '.SPY270115C520';
const MINUTE = 60_000;
/** Tuesday 2026-11-17, New York (EST, UTC−5). */
const ny = (hhmm: string, date = '2026-11-17') => Date.parse(`${date}T${hhmm}:00-05:00`);

const position = (symbol: string, underlying: string, quantity: number, o: Partial<Position> = {}): Position => {
  const option = symbol.length === 21;
  return {
    accountNumber: '5WT00001',
    symbol,
    instrumentType: option ? 'Equity Option' : 'Equity',
    underlyingSymbol: underlying,
    quantity,
    multiplier: option ? 100 : 1,
    averageOpenPriceCents: option ? 150 : 19_000,
    closePriceCents: option ? 140 : 19_900,
    markCents: null,
    expiresAt: null,
    updatedAt: null,
    ...o,
  };
};

const BALANCES: Balances = {
  accountNumber: '5WT00001',
  cashCents: 5_000_000,
  netLiquidatingValueCents: 10_000_000,
  derivativeBuyingPowerCents: 4_000_000,
  equityBuyingPowerCents: 8_000_000,
  maintenanceRequirementCents: 600_000,
  updatedAt: null,
};

const quote = (streamerSymbol: string, mid: number): QuoteSnapshot => ({
  streamerSymbol,
  bid: mid - 0.1,
  ask: mid + 0.1,
  bidSize: 10,
  askSize: 10,
  receivedAt: 0,
});
const greeks = (streamerSymbol: string, g: { delta: number; gamma: number; theta: number; vega: number }) =>
  ({ streamerSymbol, price: null, iv: 0.2, rho: 0, receivedAt: 0, ...g }) satisfies GreeksSnapshot;
const metrics = (symbol: string, beta: number | null) =>
  ({
    symbol,
    beta,
    ivIndex: null,
    ivRank: null,
    ivPercentile: null,
    iv30: null,
    hv30: null,
    liquidityRating: null,
    earningsDate: null,
    expirationIvs: [],
    updatedAt: null,
  }) satisfies MarketMetrics;

const OPEN: MarketSessionInfo = { state: 'Open', openAt: ny('09:30'), closeAt: ny('16:00'), nextOpenAt: null };
const AFTER_CLOSE: MarketSessionInfo = {
  state: 'Extended',
  openAt: ny('09:30'),
  closeAt: ny('16:00'),
  nextOpenAt: ny('09:30', '2026-11-18'),
};
/** After 20:00 the broker reports the next session. */
const NIGHT: MarketSessionInfo = {
  state: 'Closed',
  openAt: ny('09:30', '2026-11-18'),
  closeAt: ny('16:00', '2026-11-18'),
  nextOpenAt: ny('09:30', '2026-11-19'),
};

interface World {
  store: MemoryStore;
  ctx: PortfolioSyncContext;
  clock: { now: number };
  broker: { positions: Position[]; session: MarketSessionInfo; fail?: Error };
  market: {
    quotes: QuoteSnapshot[];
    greeks: GreeksSnapshot[];
    metrics: MarketMetrics[];
    fail?: Error;
    asked: string[][];
  };
  logs: { level: number; msg: string }[];
}

function world(): World {
  const clock = { now: ny('10:00') };
  const store = createMemoryStore(() => clock.now);
  const logs: World['logs'] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line));
      done();
    },
  });
  const broker: World['broker'] = { positions: [], session: OPEN };
  const market: World['market'] = { quotes: [], greeks: [], metrics: [], asked: [] };
  const ctx: PortfolioSyncContext = {
    store,
    broker: {
      accountNumber: '5WT00001',
      positions: async () => {
        if (broker.fail) throw broker.fail;
        return structuredClone(broker.positions);
      },
      balances: async () => ({ ...BALANCES }),
      marketSession: async () => broker.session,
    },
    marketData: {
      snapshot: async (symbols) => {
        market.asked.push([...symbols].sort());
        if (market.fail) throw market.fail;
        const want = new Set(symbols);
        return {
          quotes: new Map(market.quotes.filter((q) => want.has(q.streamerSymbol)).map((q) => [q.streamerSymbol, q])),
          greeks: new Map(market.greeks.filter((g) => want.has(g.streamerSymbol)).map((g) => [g.streamerSymbol, g])),
          missing: [],
        };
      },
      metrics: async (symbols) =>
        new Map(market.metrics.filter((m) => symbols.includes(m.symbol)).map((m) => [m.symbol, m])),
    },
    log: createLogger({ level: 'info', pretty: false, destination: sink }),
    now: () => clock.now,
  };
  return { store, ctx, clock, broker, market, logs };
}

function addTrade(store: MemoryStore, id: string, underlying: string, o: Partial<TradeRow> = {}): void {
  const at = new Date(ny('09:45'));
  store.state.trades.push({
    id,
    ruleSet: 'ic',
    rulesHash: 'h',
    candidateId: null,
    strategy: 'iron-condor',
    underlying,
    expiration: '2027-01-15',
    quantity: 1,
    legs: [],
    entryGroupId: `${id.slice(0, 8)}-0000-4000-8000-00000000000f`,
    riskCents: 40_000,
    expectedCreditCents: 100,
    facts: {},
    status: 'open',
    entryCreditCents: null,
    exitDebitCents: null,
    realizedPnlCents: null,
    exitReason: null,
    createdAt: at,
    updatedAt: at,
    openedAt: at,
    closedAt: null,
    approvalDeadline: null,
    approvalBy: null,
    approvalAt: null,
    ...o,
  });
}

let fillSeq = 0;
async function fill(store: MemoryStore, tradeId: string, symbol: string, signed: number, priceCents: number) {
  fillSeq += 1;
  await store.fills.record({
    brokerFillId: `f${fillSeq}`,
    orderId: `${tradeId.slice(0, 8)}-0000-4000-8000-0000000000a1`,
    groupId: `${tradeId.slice(0, 8)}-0000-4000-8000-00000000000f`,
    tradeId,
    brokerOrderId: 1000 + fillSeq,
    symbol,
    action: signed > 0 ? 'Buy to Open' : 'Sell to Open',
    quantity: Math.abs(signed),
    priceCents,
    filledAt: new Date(ny('09:50')),
  });
}

/**
 * The account of the hand computation: SPY at $500, QQQ at $400 (beta 1.2), AAPL at $200 (beta 0.9), MSFT at $300
 * (beta unknown → 1). The broker holds −3 QQQ puts (T1 sold 2 of them, 1 was sold outside Legwork), +1 SPY call (T2),
 * 50 AAPL and 10 MSFT shares bought outside Legwork.
 */
async function handComputedAccount(w: World): Promise<void> {
  addTrade(w.store, T1, 'QQQ');
  addTrade(w.store, T2, 'SPY');
  await fill(w.store, T1, QQQ_PUT, -2, 300);
  await fill(w.store, T2, SPY_CALL, 1, 500);
  w.broker.positions = [
    position(QQQ_PUT, 'QQQ', -3),
    position(SPY_CALL, 'SPY', 1),
    position('AAPL', 'AAPL', 50),
    position('MSFT', 'MSFT', 10),
  ];
  w.market.quotes = [
    quote('SPY', 500),
    quote('QQQ', 400),
    quote('AAPL', 200),
    quote('MSFT', 300),
    quote(QQQ_PUT_STREAMER, 2.5),
    quote(SPY_CALL_STREAMER, 6),
  ];
  w.market.greeks = [
    greeks(QQQ_PUT_STREAMER, { delta: -0.25, gamma: 0.01, theta: -0.05, vega: 0.3 }),
    greeks(SPY_CALL_STREAMER, { delta: 0.4, gamma: 0.02, theta: -0.1, vega: 0.5 }),
  ];
  w.market.metrics = [metrics('SPY', 1), metrics('QQQ', 1.2), metrics('AAPL', 0.9), metrics('MSFT', null)];
}

describe('syncPortfolio: attribution and greeks', () => {
  it('attributes each position to the trade holding it or foreign, with greeks per position and beta-weighted totals', async () => {
    const w = world();
    await handComputedAccount(w);
    const report = await syncPortfolio(w.ctx, 'sim');
    expect(report).toMatchObject({ status: 'synced', positions: 5, foreign: 3, missingGreeks: [] });

    const [portfolio] = w.store.state.portfolios;
    expect(portfolio).toMatchObject({
      environment: 'sim',
      accountNumber: '5WT00001',
      netLiqCents: 10_000_000,
      cashCents: 5_000_000,
      buyingPowerCents: 4_000_000,
      maintenanceCents: 600_000,
      syncedAt: new Date(ny('10:00')),
    });
    const rows = await w.store.portfolio.positions(portfolio!.id);
    expect(rows.map((r) => [r.symbol, r.owner, r.quantity, r.markCents])).toEqual([
      ['AAPL', FOREIGN, 50, 20_000],
      ['MSFT', FOREIGN, 10, 30_000],
      [QQQ_PUT, T1, -2, 250],
      [QQQ_PUT, FOREIGN, -1, 250],
      [SPY_CALL, T2, 1, 600],
    ]);
    expect(rows.find((r) => r.owner === T1)!.tradeId).toBe(T1);
    expect(rows.find((r) => r.symbol === 'AAPL')!.tradeId).toBeNull();
    // By hand, per share × quantity × 100; β-delta = delta × spot × beta / 500
    const byKey = new Map(rows.map((r) => [`${r.symbol}|${r.owner}`, r.greeks]));
    expect(byKey.get(`${QQQ_PUT}|${T1}`)).toEqual({ delta: 50, betaDelta: 48, gamma: -2, theta: 10, vega: -60 });
    expect(byKey.get(`${QQQ_PUT}|${FOREIGN}`)).toEqual({ delta: 25, betaDelta: 24, gamma: -1, theta: 5, vega: -30 });
    expect(byKey.get(`${SPY_CALL}|${T2}`)).toEqual({ delta: 40, betaDelta: 40, gamma: 2, theta: -10, vega: 50 });
    expect(byKey.get(`AAPL|${FOREIGN}`)).toEqual({ delta: 50, betaDelta: 18, gamma: 0, theta: 0, vega: 0 });
    expect(byKey.get(`MSFT|${FOREIGN}`)).toEqual({ delta: 10, betaDelta: 6, gamma: 0, theta: 0, vega: 0 });
    expect(portfolio!.greeks).toEqual({ delta: 175, betaDelta: 136, gamma: -1, theta: 5, vega: -40 });
    // One snapshot request for every option held, every underlying and SPY
    expect(w.market.asked).toEqual([['AAPL', 'MSFT', QQQ_PUT_STREAMER, SPY_CALL_STREAMER, 'QQQ', 'SPY'].sort()]);
  });

  it('a second sync replaces the positions of the first in the one portfolio', async () => {
    const w = world();
    await handComputedAccount(w);
    await syncPortfolio(w.ctx, 'sim');
    w.broker.positions = w.broker.positions.filter((p) => p.symbol !== 'AAPL');
    w.clock.now += MINUTE;
    await syncPortfolio(w.ctx, 'sim');
    expect(w.store.state.portfolios).toHaveLength(1);
    const rows = await w.store.portfolio.positions(w.store.state.portfolios[0]!.id);
    expect(rows.map((r) => r.symbol)).not.toContain('AAPL');
    expect(rows).toHaveLength(4);
    expect(w.store.state.portfolios[0]!.syncedAt).toEqual(new Date(ny('10:01')));
  });

  it('an option without greeks counts with null greeks, is left out of the totals and is named in the log', async () => {
    const w = world();
    await handComputedAccount(w);
    w.market.greeks = w.market.greeks.filter((g) => g.streamerSymbol !== SPY_CALL_STREAMER);
    const report = await syncPortfolio(w.ctx, 'sim');
    expect(report.status).toBe('synced');
    expect(report.missingGreeks).toEqual([{ symbol: SPY_CALL, reason: 'no greeks from the market data' }]);
    const rows = await w.store.portfolio.positions(w.store.state.portfolios[0]!.id);
    expect(rows.find((r) => r.symbol === SPY_CALL)!.greeks).toBeNull();
    expect(w.store.state.portfolios[0]!.greeks).toEqual({ delta: 135, betaDelta: 96, gamma: -3, theta: 15, vega: -90 });
    expect(w.logs.some((l) => l.level === 40 && l.msg.includes(`no greeks for ${SPY_CALL}`))).toBe(true);
  });

  it('market data down: positions and balances are still stored, every greek null, said once in the log', async () => {
    const w = world();
    await handComputedAccount(w);
    w.market.fail = new Error('DXLink unreachable');
    const report = await syncPortfolio(w.ctx, 'sim');
    expect(report.status).toBe('synced');
    expect(report.missingGreeks.map((m) => m.symbol)).toEqual([QQQ_PUT, SPY_CALL, 'AAPL', 'MSFT']);
    const rows = await w.store.portfolio.positions(w.store.state.portfolios[0]!.id);
    expect(rows.every((r) => r.greeks === null)).toBe(true);
    // Without quotes the broker's mark stands (its close price when it sends no mark)
    expect(rows.find((r) => r.symbol === 'AAPL')!.markCents).toBe(19_900);
    expect(w.store.state.portfolios[0]!.greeks).toEqual({ delta: 0, betaDelta: 0, gamma: 0, theta: 0, vega: 0 });
    expect(w.logs.filter((l) => l.msg.includes('DXLink unreachable'))).toHaveLength(1);
  });

  it('a broker failure is logged and stores nothing; the next sync succeeds', async () => {
    const w = world();
    await handComputedAccount(w);
    w.broker.fail = new BrokerError('retryable', 'positions: 503 Service Unavailable');
    const failed = await syncPortfolio(w.ctx, 'sim');
    expect(failed).toMatchObject({ status: 'failed', portfolioId: null, error: 'positions: 503 Service Unavailable' });
    expect(w.store.state.portfolios).toHaveLength(0);
    expect(w.logs.some((l) => l.level === 40 && l.msg.startsWith('portfolio sync failed'))).toBe(true);
    w.broker.fail = undefined;
    expect((await syncPortfolio(w.ctx, 'sim')).status).toBe('synced');
    expect(w.store.state.portfolios).toHaveLength(1);
  });
});

describe('syncPortfolio: snapshots', () => {
  const kinds = (w: World) => w.store.state.snapshots.map((s) => [s.kind, s.sessionDate, s.at]);

  it('intraday points while open, one per 5 minutes of broker time', async () => {
    const w = world();
    await handComputedAccount(w);
    await syncPortfolio(w.ctx, 'sim'); // 10:00
    for (const m of [1, 2, 4]) {
      w.clock.now = ny('10:00') + m * MINUTE;
      await syncPortfolio(w.ctx, 'sim');
    }
    w.clock.now = ny('10:05');
    await syncPortfolio(w.ctx, 'sim');
    w.clock.now = ny('10:09');
    await syncPortfolio(w.ctx, 'sim');
    expect(kinds(w)).toEqual([
      ['intraday', '2026-11-17', ny('10:00')],
      ['intraday', '2026-11-17', ny('10:05')],
    ]);
  });

  it('the cadence is configurable', async () => {
    const w = world();
    for (const m of [0, 1, 2, 3]) {
      w.clock.now = ny('10:00') + m * MINUTE;
      await syncPortfolio(w.ctx, 'sim', { intradayEveryMs: 2 * MINUTE });
    }
    expect(kinds(w).map((k) => k[2])).toEqual([ny('10:00'), ny('10:02')]);
  });

  it('one close snapshot per session, after its close, with the P&L of settled and open trades net of fees', async () => {
    const w = world();
    await handComputedAccount(w);
    addTrade(w.store, T_CLOSED, 'IWM', { status: 'closed', realizedPnlCents: 4_250 });
    await syncPortfolio(w.ctx, 'sim'); // 10:00 intraday
    w.clock.now = ny('15:59');
    await syncPortfolio(w.ctx, 'sim');
    expect(w.store.state.snapshots.filter((s) => s.kind === 'close')).toHaveLength(0);

    w.broker.session = AFTER_CLOSE;
    for (const t of ['16:01', '16:30', '19:59']) {
      w.clock.now = ny(t);
      await syncPortfolio(w.ctx, 'sim');
    }
    w.broker.session = NIGHT;
    w.clock.now = ny('21:00');
    await syncPortfolio(w.ctx, 'sim');
    const closes = w.store.state.snapshots.filter((s) => s.kind === 'close');
    expect(closes.map((s) => [s.sessionDate, s.at])).toEqual([['2026-11-17', ny('16:01')]]);
    const close = closes[0]!;
    // Realised: the settled trade. Unrealised: T1 sold 2 puts at $3.00, now $2.50 → +$100; T2 bought a call at $5.00,
    // now $6.00 → +$100; foreign: 1 put sold at $1.50 now $2.50 → −$100, AAPL 50 × ($200 − $190) = +$500, MSFT
    // 10 × ($300 − $190) = +$1100
    expect(close).toMatchObject({
      netLiqCents: 10_000_000,
      cashCents: 5_000_000,
      buyingPowerCents: 4_000_000,
      realizedPnlCents: 4_250,
      unrealizedPnlCents: 10_000 + 10_000 - 10_000 + 50_000 + 110_000,
      greeks: { delta: 175, betaDelta: 136, gamma: -1, theta: 5, vega: -40 },
    });
    expect(close.positions).toContainEqual({
      symbol: QQQ_PUT,
      owner: T1,
      quantity: -2,
      markCents: 250,
      greeks: { delta: 50, betaDelta: 48, gamma: -2, theta: 10, vega: -60 },
    });
    // No intraday point outside the regular session
    expect(w.store.state.snapshots.filter((s) => s.kind === 'intraday').map((s) => s.at)).toEqual([
      ny('10:00'),
      ny('15:59'),
    ]);
  });

  it('fees recorded for an open trade lower its unrealised P&L', async () => {
    const w = world();
    addTrade(w.store, T1, 'QQQ');
    await fill(w.store, T1, QQQ_PUT, -2, 300);
    w.store.state.fees.push({ transactionId: 1, tradeId: T1, quantity: 2, totalCents: 260 });
    w.broker.positions = [position(QQQ_PUT, 'QQQ', -2)];
    w.market.quotes = [quote('SPY', 500), quote('QQQ', 400), quote(QQQ_PUT_STREAMER, 2.5)];
    w.broker.session = AFTER_CLOSE;
    w.clock.now = ny('16:05');
    await syncPortfolio(w.ctx, 'sim');
    expect(w.store.state.snapshots.find((s) => s.kind === 'close')!.unrealizedPnlCents).toBe(10_000 - 260);
  });

  it('a close missed after hours is taken late from the last point’s session before the next open, never twice', async () => {
    const w = world();
    await syncPortfolio(w.ctx, 'sim'); // 10:00 Tuesday: a point
    w.broker.session = NIGHT;
    w.clock.now = ny('22:00');
    await syncPortfolio(w.ctx, 'sim');
    w.clock.now = ny('23:00');
    await syncPortfolio(w.ctx, 'sim');
    expect(kinds(w).filter((k) => k[0] === 'close')).toEqual([['close', '2026-11-17', ny('22:00')]]);
  });

  it('nothing looked between the close and the next open: the close is the session’s last intraday point', async () => {
    const w = world();
    await syncPortfolio(w.ctx, 'sim'); // 10:00 Tuesday: a point
    w.clock.now = ny('15:55');
    await syncPortfolio(w.ctx, 'sim'); // the last point of Tuesday
    const lastTuesday = w.store.state.snapshots.at(-1)!;
    w.broker.session = {
      state: 'Open',
      openAt: ny('09:30', '2026-11-18'),
      closeAt: ny('16:00', '2026-11-18'),
      nextOpenAt: null,
    };
    w.clock.now = ny('10:00', '2026-11-18');
    await syncPortfolio(w.ctx, 'sim');
    expect(kinds(w)).toEqual([
      ['intraday', '2026-11-17', ny('10:00')],
      ['intraday', '2026-11-17', ny('15:55')],
      ['close', '2026-11-17', ny('15:55')],
      ['intraday', '2026-11-18', ny('10:00', '2026-11-18')],
    ]);
    const close = w.store.state.snapshots.find((x) => x.kind === 'close')!;
    expect(close.netLiqCents).toBe(lastTuesday.netLiqCents);
    w.clock.now = ny('10:05', '2026-11-18');
    await syncPortfolio(w.ctx, 'sim');
    expect(w.store.state.snapshots.filter((x) => x.kind === 'close')).toHaveLength(1);
  });

  it('no close when the market session is unknown (said in the log); the sync itself still stores the account', async () => {
    const w = world();
    w.ctx.broker.marketSession = async () => {
      throw new BrokerError('retryable', 'market session: 502');
    };
    const report = await syncPortfolio(w.ctx, 'sim');
    expect(report).toMatchObject({ status: 'synced', snapshots: [] });
    expect(w.store.state.portfolios).toHaveLength(1);
    expect(w.logs.some((l) => l.msg.includes('market session unknown'))).toBe(true);
  });
});
