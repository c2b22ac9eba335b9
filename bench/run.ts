// Owns `npm run bench`: runs every benchmark in its own process, one after the other, and prints one JSON report
// (stdout) plus a readable table (stderr), with each process's wall time and peak RSS and each bench's headline (the
// `summary` field of its JSON line, plus the peak RSS of the worker processes it reports under `processes`).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { readArgs } from '../src/util/cli-args.js';

const ROOT = resolve(import.meta.dirname, '..');
const BENCHES = [
  { name: 'rules', file: 'bench/rules.ts' },
  { name: 'scan-compute', file: 'bench/scan-compute.ts' },
  { name: 'risk-grid', file: 'bench/risk-grid.bench.ts' },
  { name: 'dxlink-snapshot', file: 'bench/dxlink-snapshot.ts' },
  { name: 'scan-wire', file: 'bench/scan-wire.ts' },
  { name: 'decision-to-order', file: 'bench/decision-to-order.ts' },
  { name: 'legged-rollback', file: 'bench/legged-rollback.ts' },
  { name: 'crash-recovery', file: 'bench/crash-recovery.ts' },
  { name: 'bullmq-overhead', file: 'bench/bullmq-overhead.ts' },
];
const GNU_TIME = '/usr/bin/time';

interface BenchRun {
  name: string;
  ok: boolean;
  wallMs: number;
  /** Peak resident set size of the benchmark process (GNU time's %M), when GNU time is installed. */
  peakRssMb: number | null;
  result: unknown;
  error?: string;
}

function runOne(name: string, file: string): Promise<BenchRun> {
  const node = [process.execPath, '--import', 'tsx', resolve(ROOT, file)];
  const withTime = existsSync(GNU_TIME);
  const [cmd, ...args] = withTime ? [GNU_TIME, '-f', 'LEGWORK_PEAK_RSS_KB=%M', ...node] : node;
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(cmd!, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => {
      const rss = /LEGWORK_PEAK_RSS_KB=(\d+)/.exec(err);
      const json = out
        .trim()
        .split('\n')
        .reverse()
        .find((l) => l.startsWith('{'));
      let result: unknown = null;
      try {
        result = json ? JSON.parse(json) : null;
      } catch {
        result = null;
      }
      const ok = code === 0 && result !== null;
      done({
        name,
        ok,
        wallMs: Date.now() - started,
        peakRssMb: rss ? Math.round(Number(rss[1]) / 102.4) / 10 : null,
        result,
        ...(ok
          ? {}
          : {
              error: `exit ${code}: ${err
                .split('\n')
                .filter((l) => !l.startsWith('LEGWORK_PEAK_RSS_KB'))
                .slice(-5)
                .join(' | ')}`,
            }),
      });
    });
  });
}

const USAGE = `usage: npm run bench -- [NAME...]
  NAME   run only these benchmarks (default: all): ${BENCHES.map((b) => b.name).join(', ')}`;
const usageError = (problem: string): never => {
  console.error(`${problem}\n\n${USAGE}`);
  process.exit(2);
};
const parsed = readArgs(process.argv.slice(2), { help: { type: 'boolean', short: 'h' } }, { positionals: true });
if (typeof parsed === 'string') usageError(parsed);
const { values, positionals: only } = parsed as Exclude<typeof parsed, string>;
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
for (const name of only)
  if (!BENCHES.some((b) => b.name === name)) usageError(`unknown benchmark ${JSON.stringify(name)}`);
const runs: BenchRun[] = [];
for (const b of BENCHES.filter((b) => only.length === 0 || only.includes(b.name))) {
  process.stderr.write(`running ${b.name}…\n`);
  runs.push(await runOne(b.name, b.file));
}
const field = (r: BenchRun) =>
  (r.result ?? {}) as { pass?: boolean; summary?: string; processes?: { role: string; peakRssMb: number | null }[] };
// Each bench's headline (its `summary`), and the peak RSS of the worker processes it started, if any
const headline = (r: BenchRun) => {
  const children = field(r)
    .processes?.map((p) => `${p.role} ${p.peakRssMb ?? '?'}`)
    .join(', ');
  return [field(r).summary ?? (r.ok ? '' : (r.error ?? '')), children ? `[child RSS MB: ${children}]` : '']
    .filter(Boolean)
    .join(' ');
};
const summary = [
  '',
  'benchmark          ok    pass   wall s   peak RSS MB   headline',
  ...runs.map(
    (r) =>
      `${r.name.padEnd(18)} ${String(r.ok).padEnd(5)} ${String(field(r).pass ?? '-').padEnd(6)} ${(r.wallMs / 1000).toFixed(1).padStart(6)}   ${String(r.peakRssMb ?? '-').padEnd(11)}   ${headline(r)}`,
  ),
  '',
];
process.stderr.write(`${summary.join('\n')}\n`);
console.log(JSON.stringify({ name: 'legwork-bench', node: process.version, at: new Date().toISOString(), runs }));
process.exitCode = runs.every((r) => r.ok) ? 0 : 1;
