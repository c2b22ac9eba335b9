// Owns the fakes that /metrics can be built on without Postgres, Redis or BullMQ (unit tests of the exposition): every
// query answers no rows, the queues are empty, and the broker stats hold one operation's calls and durations.
import type { AppContext } from '../../src/app/context.js';
import type { RiskReport } from '../../src/pipeline/account/account-stage.js';
import { QUEUE_NAMES } from '../../src/queue/jobs.js';

export type MetricsApp = Pick<AppContext, 'sql' | 'queues' | 'rules' | 'brokerStats'>;

export function fakeMetricsApp(): MetricsApp {
  const sql = (async () => []) as unknown as AppContext['sql'];
  const queue = { getJobCounts: async () => ({}), getJobs: async () => [] };
  return {
    sql,
    queues: Object.fromEntries(QUEUE_NAMES.map((q) => [q, queue])) as unknown as AppContext['queues'],
    rules: { errors: () => [] } as unknown as AppContext['rules'],
    brokerStats: {
      read: async () => ({
        calls: [{ operation: 'placeOrder', outcome: 'ok', count: 2 }],
        latency: [
          {
            operation: 'placeOrder',
            buckets: [
              { le: 0.1, count: 1 },
              { le: '+Inf', count: 2 },
            ],
            sumSeconds: 0.3,
            count: 2,
          },
        ],
      }),
    } as unknown as AppContext['brokerStats'],
  };
}

const greeks = (delta: number) => ({ delta, betaDelta: delta * 0.9, gamma: -0.5, theta: 12.5, vega: -40 });

/** A risk report of a condor and some foreign shares, one failsafe tripped, one limit over. */
export function sampleRiskReport(overrides: Partial<RiskReport> = {}): RiskReport {
  const spot = [-0.1, -0.05, 0, 0.05, 0.1];
  const vol = [-0.2, 0, 0.2];
  const days = [0, 7];
  const dayGrid = (d: number) =>
    vol.map((v, i) => spot.map((s, j) => Math.round((-3000 * s * s * 100 - 400 * v + d * 10 + i - j) * 100) / 100));
  return {
    at: Date.UTC(2026, 10, 17, 15, 0),
    netLiq: 100_250.5,
    greeks: { delta: 7.5, betaDelta: 8.25, gamma: -1.2, theta: 31.4, vega: -95.5 },
    var: { hist95: 812.4, hist99: 1410.9, param95: 790.1, param99: 1120.3, days: 250 },
    limits: [
      { name: 'greeks.maxAbsBetaDelta', used: 8.25, limit: 50, pct: 16.5 },
      { name: 'greeks.maxAbsVega', used: 95.5, limit: 100, pct: 95.5 },
      { name: 'allocation.maxTotalRiskPct', used: 36, limit: 30, pct: 120 },
    ],
    failsafes: [
      { name: 'dailyLoss', state: 'ok', reason: 'down $120.00 of $1000.00 allowed' },
      { name: 'drawdown', state: 'tripped', reason: 'drawdown 12.0% from the peak, over 10%' },
      { name: 'brokerErrors', state: 'waiting', reason: 'no broker calls yet' },
    ],
    scenarios: {
      spot,
      vol,
      days,
      pnl: dayGrid(0),
      pnlByDay: days.map(dayGrid),
      byTrade: { 't-1': dayGrid(0) },
      foreign: dayGrid(0),
    },
    positions: [
      {
        symbol: 'SPY   261218P00540000',
        underlying: 'SPY',
        owner: 't-1',
        tradeId: 't-1',
        quantity: -1,
        greeks: greeks(-16),
      },
      { symbol: 'AAPL', underlying: 'AAPL', owner: 'foreign', tradeId: null, quantity: 10, greeks: greeks(10) },
      { symbol: 'QQQ   261218C00600000', underlying: 'QQQ', owner: 't-2', tradeId: 't-2', quantity: 1, greeks: null },
    ],
    correlation: {
      symbols: ['SPY', 'AAPL'],
      matrix: [
        [1, 0.7],
        [0.7, 1],
      ],
    },
    drawdown: { maxDrawdown: 1500, maxDrawdownPct: 1.5 },
    accountRulesHash: 'abc123',
    notes: [],
    ...overrides,
  };
}
