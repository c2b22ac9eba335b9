// Owns `npm run chaos`: starts a private Redis and PostgreSQL (so they can be crashed), runs N seeded campaigns one
// after the other, prints progress and a summary line on stderr, the JSON report on stdout and in a file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { runCampaign, type CampaignReport } from './campaign.js';
import { FAULT_KINDS, planCampaign, type FaultKind } from './plan.js';
import { readArgs } from '../src/util/cli-args.js';
import { startPrivatePostgres, startPrivateRedis } from './services.js';

const USAGE = `usage: npm run chaos -- [--campaigns N] [--seed S] [--index I] [--trading-ms MS] [--out FILE]
  --campaigns N    how many campaigns (default 20); campaign i uses seed S+i
  --seed S         base seed (default: random, printed); a violation names the seed and index that reproduce it
  --index I        index of the first campaign (fault coverage rotates by index; default 0)
  --trading-ms MS  length of each campaign's trading window (default 12000)
  --out FILE       where the JSON report goes (default .legwork/chaos-report.json)`;

function options(
  argv: string[],
): { campaigns: number; seed: number; index: number; tradingMs: number; out: string } | string {
  const text = { type: 'string' } as const;
  const parsed = readArgs(argv, {
    campaigns: text,
    seed: text,
    index: text,
    'trading-ms': text,
    out: text,
    help: { type: 'boolean', short: 'h' },
  });
  if (typeof parsed === 'string') return `${parsed}\n\n${USAGE}`;
  const { values } = parsed;
  if (values.help) return USAGE;
  const whole = (name: keyof typeof values, dflt: number, min: number): number => {
    const v = values[name];
    if (v === undefined) return dflt;
    if (typeof v !== 'string' || !/^\d+$/.test(v) || Number(v) < min)
      throw new Error(`--${name} needs a whole number ≥ ${min}, got ${String(v)}`);
    return Number(v);
  };
  try {
    if (values.out === '') throw new Error('--out needs a FILE');
    return {
      campaigns: whole('campaigns', 20, 1),
      seed: whole('seed', Math.floor(Math.random() * 1_000_000), 0),
      index: whole('index', 0, 0),
      tradingMs: whole('trading-ms', 12_000, 3000),
      out: values.out ?? '.legwork/chaos-report.json',
    };
  } catch (error) {
    return `${(error as Error).message}\n\n${USAGE}`;
  }
}

const args = options(process.argv.slice(2));
if (typeof args === 'string') {
  console.error(args);
  process.exit(args === USAGE ? 0 : 2);
}
const say = (line: string) => process.stderr.write(`${line}\n`);
const started = Date.now();
say(
  `chaos: ${args.campaigns} campaigns from seed ${args.seed} (index ${args.index}); starting a private Redis and PostgreSQL`,
);
const [redis, postgres] = await Promise.all([startPrivateRedis(), startPrivatePostgres()]);
say(`chaos: Redis ${redis.url}, PostgreSQL ${postgres.url}`);
const campaigns: CampaignReport[] = [];
let stopping = false;
process.once('SIGINT', () => {
  stopping = true;
  say('chaos: stopping after this campaign (Ctrl-C again to abort)');
});
try {
  for (let i = 0; i < args.campaigns && !stopping; i++) {
    const index = args.index + i;
    const seed = args.seed + i;
    const r = await runCampaign(planCampaign(seed, index, args.tradingMs), index, { redis, postgres }, { log: say });
    campaigns.push(r);
    const faults = Object.entries(r.faults)
      .map(([k, n]) => (n === 1 ? k : `${k}×${n}`))
      .join(' ');
    say(
      `[${i + 1}/${args.campaigns}] seed ${seed} index ${index}: ${r.error ? `ERROR ${r.error}` : r.ok ? 'ok' : `${r.violations.length} VIOLATION(S)`}` +
        ` — ${r.stats.trades} trades, ${r.stats.venueOrders} orders, ${r.stats.fills} fills, settled ${(r.settleMs / 1000).toFixed(1)} s, ${(r.durationMs / 1000).toFixed(1)} s — ${faults}`,
    );
    for (const v of r.violations) say(`    ${v.invariant}: ${v.detail}`);
  }
} finally {
  await Promise.allSettled([redis.stop(), postgres.stop()]);
}

const faultsByKind = Object.fromEntries(
  FAULT_KINDS.map((k) => [k, campaigns.reduce((n, c) => n + (c.faults[k] ?? 0), 0)]),
) as Record<FaultKind, number>;
const venueFired: Record<string, number> = {};
for (const c of campaigns) for (const [k, n] of Object.entries(c.venueFired)) venueFired[k] = (venueFired[k] ?? 0) + n;
const violations = campaigns.flatMap((c) =>
  c.violations.map((v) => ({
    seed: c.seed,
    index: c.index,
    ...v,
    reproduce: `npm run chaos -- --campaigns 1 --seed ${c.seed} --index ${c.index}`,
  })),
);
const errors = campaigns.filter((c) => c.error).map((c) => ({ seed: c.seed, index: c.index, error: c.error }));
const sum = (f: (c: CampaignReport) => number) => campaigns.reduce((n, c) => n + f(c), 0);
const settle = campaigns.map((c) => c.settleMs).sort((a, b) => a - b);
const report = {
  name: 'legwork-chaos',
  at: new Date().toISOString(),
  node: process.version,
  baseSeed: args.seed,
  campaigns: campaigns.length,
  passed: campaigns.filter((c) => c.ok).length,
  violations,
  errors,
  faultsByKind,
  faultsInjected: Object.values(faultsByKind).reduce((a, b) => a + b, 0),
  venueFired,
  totals: {
    trades: sum((c) => c.stats.trades),
    venueOrders: sum((c) => c.stats.venueOrders),
    fills: sum((c) => c.stats.fills),
    alerts: sum((c) => c.stats.alerts),
    unexpectedWorkerExits: sum((c) => c.stats.unexpectedExits),
    driverErrors: sum((c) => c.stats.driverErrors),
    /** Campaigns in which no order reached the venue (they prove little: e.g. every scan hit a fault). */
    campaignsWithoutOrders: campaigns.filter((c) => !c.error && c.stats.venueOrders === 0).length,
    groups: campaigns.reduce<Record<string, number>>((acc, c) => {
      for (const [k, n] of Object.entries(c.stats.groups)) acc[k] = (acc[k] ?? 0) + n;
      return acc;
    }, {}),
  },
  settleMs: { p50: settle[Math.floor((settle.length - 1) / 2)] ?? 0, max: settle[settle.length - 1] ?? 0 },
  peakRssMb: campaigns.reduce<Record<string, number>>((acc, c) => {
    for (const [k, n] of Object.entries(c.peakRssMb)) acc[k] = Math.max(acc[k] ?? 0, n);
    return acc;
  }, {}),
  durationMs: Date.now() - started,
  details: campaigns,
};
const out = resolve(args.out);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(report, null, 2));
console.log(JSON.stringify(report));
const kinds = FAULT_KINDS.filter((k) => faultsByKind[k] > 0).length;
say(
  `chaos: ${campaigns.length} campaigns, ${report.passed} passed, ${violations.length} violations, ${errors.length} errors; ` +
    `${report.faultsInjected} faults of ${kinds}/${FAULT_KINDS.length} kinds; ${report.totals.trades} trades, ${report.totals.venueOrders} orders, ${report.totals.fills} fills` +
    `${report.totals.campaignsWithoutOrders > 0 ? ` (${report.totals.campaignsWithoutOrders} campaigns placed no order)` : ''}; ` +
    `${Math.round(report.durationMs / 1000)} s (report: ${args.out})`,
);
process.exitCode = violations.length === 0 && errors.length === 0 && campaigns.length > 0 ? 0 : 1;
