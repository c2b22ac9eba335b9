// Owns the DXLink snapshot benchmark: the market-data adapter over the real SDK against the in-process venue, 2,000 options.
// Prints one JSON object on stdout: {name, symbols, runs, p50Ms, maxMs, missing, targetMs, pass}. Run: npm run bench:dxlink
import { createTastytradeClient } from '../src/broker/tastytrade/client.js';
import { createTastytradeMarketData } from '../src/broker/tastytrade/market-data.js';
import { startVenue } from '@legwork/venue';
import type { BrokerConfig } from '../src/config/env.js';

const SYMBOLS = Number(process.env['BENCH_SYMBOLS'] ?? 2_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const TARGET_MS = 2_000;
const UNDERLYINGS = ['SPY', 'QQQ', 'IWM', 'AAPL', 'TSLA', 'AMZN'];

const sim = await startVenue({
  seed: 7,
  clock: { mode: 'replay', startAt: Date.parse('2026-11-17T15:00:00Z'), speed: 0 },
  tickMs: 100,
});
const config: BrokerConfig = {
  env: 'sim',
  baseUrl: sim.baseUrl,
  accountStreamerUrl: sim.streamerUrl,
  clientSecret: 'bench',
  refreshToken: 'bench',
  accountNumber: undefined,
  liveTrading: false,
};
const md = createTastytradeMarketData({ client: createTastytradeClient(config) });

try {
  // Near-the-money options first, taken round-robin across underlyings, as a scan of several chains would ask for them
  const perUnderlying: string[][] = [];
  for (const u of UNDERLYINGS) {
    const chain = await md.chain(u);
    const spot = sim.market.spot(u);
    const strikes = chain.expirations
      .filter((e) => e.daysToExpiration >= 7 && e.daysToExpiration <= 60)
      .flatMap((e) => e.strikes)
      .sort((a, b) => Math.abs(a.strike - spot) - Math.abs(b.strike - spot));
    perUnderlying.push(strikes.flatMap((s) => [s.callStreamerSymbol, s.putStreamerSymbol]));
  }
  const symbols: string[] = [];
  for (let i = 0; symbols.length < SYMBOLS && perUnderlying.some((l) => i < l.length); i++) {
    for (const list of perUnderlying) if (symbols.length < SYMBOLS && list[i] !== undefined) symbols.push(list[i]!);
  }

  await md.snapshot(symbols.slice(0, 10), { timeoutMs: 10_000 }); // opens the connection: not part of the measure
  const runs: number[] = [];
  let missing = 0;
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    const snap = await md.snapshot(symbols, { timeoutMs: 10_000, greeks: true });
    runs.push(Math.round(performance.now() - t0));
    missing = Math.max(missing, snap.missing.length);
  }
  const sorted = [...runs].sort((a, b) => a - b);
  const p50Ms = sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
  const maxMs = sorted[sorted.length - 1] ?? 0;
  const result = {
    name: 'dxlink-snapshot',
    symbols: symbols.length,
    runs,
    p50Ms,
    maxMs,
    missing,
    targetMs: TARGET_MS,
    pass: maxMs < TARGET_MS && missing === 0 && symbols.length >= SYMBOLS,
  };
  process.stdout.write(
    `${JSON.stringify({ ...result, summary: `${result.symbols} options p50 ${p50Ms} ms, max ${maxMs} ms (target ${TARGET_MS}); missing ${missing}` })}\n`,
  );
  process.exitCode = result.pass ? 0 : 1;
} finally {
  await md.close();
  await sim.close();
}
