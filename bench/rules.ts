// Owns the rule-evaluation benchmark: the compiled fast path in bulk filtering (1,000,000 evaluations of the shipped
// iron-condor rule over realistic candidate facts) against json-rules-engine's engine.run on the same rule and
// candidates. Prints ONE JSON object; pass = fast path >= 1,000,000 evaluations/s.
import { readFileSync } from 'node:fs';
import { Engine } from 'json-rules-engine';
import { compileConditions, type Facts } from '../src/rules/compile.js';
import { parseRuleSet } from '../src/rules/loader.js';
import { registerLegworkOperators } from '../src/rules/operators.js';
import type { CandidateFacts } from '../src/strategies/types.js';

const FILE = 'rules/iron-condor.yaml';
const DISTINCT = Number(process.env.BENCH_DISTINCT ?? 200_000); // candidate objects, walked PASSES times
const PASSES = Number(process.env.BENCH_PASSES ?? 5); // 200,000 × 5 = 1,000,000 evaluations
const ENGINE_SAMPLE = 20_000;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Plausible iron-condor facts, every key present (as strategies build them), some unknown metrics null. */
function candidates(n: number): CandidateFacts[] {
  const r = rng(42);
  const symbols = ['SPY', 'QQQ', 'IWM', 'AAPL', 'MSFT', 'NVDA', 'TSLA', 'AMZN'];
  const out: CandidateFacts[] = [];
  for (let i = 0; i < n; i++) {
    const width = [1, 2, 5, 10][Math.floor(r() * 4)]!;
    const credit = Math.round(width * (0.15 + r() * 0.35) * 100) / 100;
    const spread = Math.round(r() * 0.3 * 100) / 100;
    const known = r() > 0.05;
    out.push({
      strategy: 'iron-condor',
      underlying: symbols[i % symbols.length]!,
      underlying_price: 100 + r() * 500,
      dte: 20 + Math.floor(r() * 40),
      expiration_type: r() < 0.7 ? 'Regular' : 'Weekly',
      credit_mid: credit,
      credit_natural: credit - spread,
      width,
      credit_to_width: credit / width,
      max_loss: (width - credit) * 100,
      return_on_risk: credit / (width - credit),
      pop: 40 + r() * 45,
      expected_value: (r() - 0.5) * 50,
      net_delta: (r() - 0.5) * 0.4,
      net_theta: r() * 0.1,
      net_vega: -r() * 0.3,
      short_delta: 0.1 + r() * 0.15,
      iv_rank: known ? r() * 100 : null,
      iv_percentile: known ? r() * 100 : null,
      iv_index: known ? 0.1 + r() * 0.5 : null,
      liquidity_rating: known ? Math.floor(r() * 6) : null,
      max_leg_spread: r() * 0.2,
      package_spread: spread,
      package_spread_pct: spread / credit,
      days_to_earnings: r() < 0.5 ? null : Math.floor(r() * 90),
      earnings_before_expiration: r() < 0.15,
      defined_risk: true,
    });
  }
  return out;
}

function bulk(test: (f: Facts) => boolean, facts: readonly CandidateFacts[]): { perSecond: number; passed: number } {
  let passed = 0;
  for (const f of facts) if (test(f as unknown as Facts)) passed++; // warm-up: let the JIT optimise
  passed = 0;
  const t0 = process.hrtime.bigint();
  for (let p = 0; p < PASSES; p++) for (const f of facts) if (test(f as unknown as Facts)) passed++;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { perSecond: Math.round((PASSES * facts.length) / seconds), passed };
}

async function main(): Promise<void> {
  const parsed = parseRuleSet(readFileSync(FILE, 'utf8'), FILE);
  if (!parsed.ok) throw new Error(`${FILE} is invalid: ${parsed.problems.map((p) => p.message).join('; ')}`);
  const { conditions } = parsed.ruleSet;
  const facts = candidates(DISTINCT);
  const codegen = compileConditions(conditions);
  const closures = compileConditions(conditions, { mode: 'closures' });
  const fast = bulk(codegen.test, facts);
  const viaClosures = bulk(closures.test, facts);

  const engine = new Engine([{ name: 'r', conditions, event: { type: 'pass' } }], { allowUndefinedFacts: true });
  registerLegworkOperators(engine);
  const sample = facts.slice(0, ENGINE_SAMPLE);
  for (const f of sample.slice(0, 1000)) await engine.run(f as unknown as Record<string, unknown>); // warm-up
  let agree = 0;
  const t0 = process.hrtime.bigint();
  const decisions: boolean[] = [];
  for (const f of sample)
    decisions.push((await engine.run(f as unknown as Record<string, unknown>)).events.length === 1);
  const engineSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  sample.forEach((f, i) => {
    agree += Number(codegen.test(f as unknown as Facts) === decisions[i]);
  });
  const enginePerSecond = Math.round(sample.length / engineSeconds);

  console.log(
    JSON.stringify({
      bench: 'rules',
      rule: FILE,
      conditions: JSON.stringify(conditions).match(/"operator":/g)?.length ?? 0,
      fastPath: {
        mode: 'codegen',
        evaluations: PASSES * DISTINCT,
        evaluationsPerSecond: fast.perSecond,
        passRate: Number((fast.passed / (PASSES * DISTINCT)).toFixed(4)),
      },
      closures: { evaluations: PASSES * DISTINCT, evaluationsPerSecond: viaClosures.perSecond },
      engineRun: { evaluations: sample.length, evaluationsPerSecond: enginePerSecond, agreeWithFastPath: agree },
      ratio: Math.round(fast.perSecond / enginePerSecond),
      node: process.version,
      pass: fast.perSecond >= 1_000_000 && agree === sample.length,
      summary: `compiled ${fast.perSecond} evals/s vs engine.run ${enginePerSecond} evals/s (×${Math.round(fast.perSecond / enginePerSecond)}); agree ${agree}/${sample.length}`,
    }),
  );
}

await main();
