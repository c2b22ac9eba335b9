// Owns the what-if grid benchmark: the account risk grid (21 spot moves × 7 IV changes × 3 horizons, full Black–Scholes
// repricing, total and per trade) over 100 open iron condors (400 option legs) on 20 synthetic underlyings. Prints ONE
// JSON object: {name, trades, legs, cells, repricings, ms, minMs, p99Ms, coldMs, runs, targetMs, unmovedCell,
// worstCellPnl, pass, summary}; `ms` is the median of RUNS warm runs, pass = that < targetMs, the unmoved cell exactly
// 0 and one P&L cube per trade. Run: npm run bench:risk
import { pathToFileURL } from 'node:url';
import { DAY_MS } from '../src/domain/dates.js';
import { scenarioGrid } from '../src/domain/risk/scenarios.js';
import type { MarketState, RiskPosition } from '../src/domain/risk/types.js';
import { percentile } from './stats.js';

/** Tuesday 2026-11-17, 10:00 New York. */
const NOW = Date.parse('2026-11-17T15:00:00Z');
const TRADES = Number(process.env.BENCH_TRADES ?? 100);
const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const TARGET_MS = 100;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `trades` iron condors (1–5 lots, 14–60 days, IV 15–50 % with a put skew) over 20 underlyings priced $20–$600. */
export function condorBook(trades: number, seed = 14): { positions: RiskPosition[]; market: MarketState } {
  const r = rng(seed);
  const names = Array.from({ length: 20 }, (_, i) => `Z${String.fromCharCode(65 + i)}`);
  const spot: Record<string, number> = { SPY: 600 };
  const beta: Record<string, number | null> = {};
  for (const u of names) {
    spot[u] = Math.round((20 + r() * 580) * 100) / 100;
    beta[u] = r() < 0.1 ? null : Math.round((0.5 + r() * 1.5) * 100) / 100;
  }
  const positions: RiskPosition[] = [];
  for (let t = 0; t < trades; t++) {
    const u = names[t % names.length]!;
    const s = spot[u]!;
    const step = s < 50 ? 1 : s < 200 ? 2.5 : 5;
    const strike = (x: number) => Math.round(x / step) * step;
    const width = step * (1 + Math.floor(r() * 3));
    const iv = 0.15 + r() * 0.35;
    const expiresAt = NOW + (14 + Math.floor(r() * 47)) * DAY_MS + 60_000 * 60;
    const lots = 1 + Math.floor(r() * 5);
    const leg = (right: 'C' | 'P', k: number, q: number, legIv: number): RiskPosition => ({
      symbol: `${u}-${t}-${right}${k}`,
      underlying: u,
      kind: 'option',
      right,
      strike: k,
      expiresAt,
      quantity: q * lots,
      multiplier: 100,
      iv: legIv,
      tradeId: `trade-${t}`,
    });
    const sp = strike(s * (0.9 - r() * 0.05));
    const sc = strike(s * (1.08 + r() * 0.05));
    positions.push(
      leg('P', sp - width, 1, iv * 1.15),
      leg('P', sp, -1, iv * 1.1),
      leg('C', sc, -1, iv * 0.95),
      leg('C', sc + width, 1, iv * 0.95),
    );
  }
  return { positions, market: { spot, beta, rate: 0.045, nowMs: NOW, betaSymbol: 'SPY' } };
}

function main(): void {
  const { positions, market } = condorBook(TRADES);
  const times: number[] = [];
  let grid!: ReturnType<typeof scenarioGrid>;
  for (let run = 0; run <= RUNS; run++) {
    const t0 = performance.now();
    grid = scenarioGrid(positions, market);
    times.push(performance.now() - t0);
  }
  const [cold, ...warm] = times;
  const sorted = [...warm].sort((a, b) => a - b);
  const round2 = (x: number) => Math.round(x * 100) / 100;
  const ms = round2(percentile(sorted, 50));
  const cells = grid.days.length * grid.vol.length * grid.spot.length;
  const unmovedCell = grid.pnl[0]![3]![10]!;
  const result = {
    name: 'risk-grid',
    trades: Object.keys(grid.byTrade).length,
    legs: positions.length,
    cells,
    repricings: positions.length * cells,
    ms,
    minMs: round2(sorted[0]!),
    p99Ms: round2(percentile(sorted, 99)),
    coldMs: round2(cold!),
    runs: warm.length,
    targetMs: TARGET_MS,
    unmovedCell,
    worstCellPnl: Math.round(Math.min(...grid.pnl.flat(2))),
    pass: ms < TARGET_MS && unmovedCell === 0 && Object.keys(grid.byTrade).length === TRADES,
  };
  process.stdout.write(
    `${JSON.stringify({ ...result, summary: `${result.legs} legs × ${cells} cells (${result.repricings} repricings): ${ms} ms warm median (min ${result.minMs}, p99 ${result.p99Ms}, cold ${result.coldMs}; target ${TARGET_MS})` })}\n`,
  );
  process.exitCode = result.pass ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
