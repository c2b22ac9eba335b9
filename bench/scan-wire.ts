// Owns the end-to-end scan benchmark: the venue in-process with 50 underlyings (the 8 defaults + 42 synthetic), the real
// adapter over the SDK (REST metrics and chains, DXLink quotes and greeks), and scanRuleSet with rules/iron-condor.yaml
// (universe replaced by all 50) timed over RUNS runs. The first run includes logging in and opening DXLink; chains are
// not cached between runs (chainTtlMs 0), so every run fetches all 50 again. Prints ONE JSON object:
// {name, underlyings, runs, p50Ms, maxMs, candidatesEvaluated, accepted, skipped, optionsRequested, targetMs, pass}.
// Run: npm run bench:scan-wire
import { nyDate } from '@legwork/venue/calendar';
import { defaultUnderlyings } from '@legwork/venue';
import { startVenue } from '@legwork/venue';
import { createTastytradeClient } from '../src/broker/tastytrade/client.js';
import { createTastytradeMarketData } from '../src/broker/tastytrade/market-data.js';
import type { BrokerConfig } from '../src/config/env.js';
import { scanRuleSet, type ScanOutcome } from '../src/pipeline/scan/scan-rule-set.js';
import { BENCH_START, loadRuleSet, syntheticUnderlyings } from './scan-compute.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const TARGET_MS = 10_000;

const underlyings = [...defaultUnderlyings(), ...syntheticUnderlyings(42)];
const symbols = underlyings.map((u) => u.symbol);
const sim = await startVenue({
  seed: 7,
  clock: { mode: 'replay', startAt: BENCH_START, speed: 0 },
  tickMs: 100,
  underlyings,
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
const md = createTastytradeMarketData({ client: createTastytradeClient(config), chainTtlMs: 0 });

try {
  const ruleSet = loadRuleSet('rules/iron-condor.yaml', symbols);
  const today = nyDate(sim.clock.now());
  const runs: number[] = [];
  let last: ScanOutcome | undefined;
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    last = await scanRuleSet({ marketData: md, today }, ruleSet);
    runs.push(Math.round(performance.now() - t0));
  }
  const sorted = [...runs].sort((a, b) => a - b);
  const p50Ms = sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
  const maxMs = sorted[sorted.length - 1] ?? 0;
  const optionsRequested = last?.perUnderlying.reduce((n, u) => n + (u.optionsRequested ?? 0), 0) ?? 0;
  const optionsMissing = last?.perUnderlying.reduce((n, u) => n + (u.optionsMissing ?? 0), 0) ?? 0;
  const result = {
    name: 'scan-wire',
    underlyings: symbols.length,
    runs,
    p50Ms,
    maxMs,
    candidatesEvaluated: last?.candidatesEvaluated ?? 0,
    accepted: last?.accepted ?? 0,
    skipped: last?.skipped.length ?? 0,
    optionsRequested,
    optionsMissing,
    targetMs: TARGET_MS,
    pass: maxMs < TARGET_MS && (last?.skipped.length ?? 1) === 0 && (last?.candidatesEvaluated ?? 0) > 0,
  };
  process.stdout.write(
    `${JSON.stringify({ ...result, summary: `${symbols.length} underlyings p50 ${p50Ms} ms, max ${maxMs} ms (target ${TARGET_MS}); ${result.candidatesEvaluated} candidates, ${result.skipped} skipped` })}\n`,
  );
  process.exitCode = result.pass ? 0 : 1;
} finally {
  await md.close();
  await sim.close();
}
