// Measures crash recovery: a legged condor's executor process is kill -9'd (while a leg works, and with a submit held
// by the venue), a new one starts, and the time from the kill to a terminal group is recorded. Prints one JSON object.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppContext } from '../src/app/context.js';
import { loadConfig } from '../src/config/env.js';
import { createLogger } from '../src/log.js';
import { readArgs } from '../src/util/cli-args.js';
import { REDIS_URL } from '../test/support/app.js';
import { createTestDatabase } from '../test/support/db.js';
import { crashScenario, type ExecutorProcess, type KillPoint } from '../test/support/executor-process.js';
import { startTestVenue } from '../test/support/venue.js';

const USAGE = 'usage: npm run bench:recovery -- [RUNS]   RUNS per kill point (default 3)';
function runsPerKillPoint(argv: string[]): number | string {
  const parsed = readArgs(argv, {}, { positionals: true });
  if (typeof parsed === 'string') return parsed;
  const [runs, more] = parsed.positionals;
  if (more !== undefined) return `one RUNS only (got ${parsed.positionals.join(' ')})`;
  if (runs !== undefined && !/^[1-9]\d*$/.test(runs)) return `RUNS is a whole number ≥ 1 (got ${JSON.stringify(runs)})`;
  return Number(runs ?? 3);
}
const runsPerPoint = runsPerKillPoint(process.argv.slice(2));
if (typeof runsPerPoint === 'string') {
  console.error(`${runsPerPoint}\n\n${USAGE}`);
  process.exit(2);
}
const points: KillPoint[] = ['submit-hang', 'working', 'planned'];
const sim = await startTestVenue();
const db = await createTestDatabase();
const queuePrefix = `lwb${randomBytes(4).toString('hex')}`;
const config = loadConfig({ LEGWORK_VENUE_URL: sim.baseUrl, DATABASE_URL: db.url, REDIS_URL, LOG_LEVEL: 'warn' });
const app = await createAppContext({
  config,
  log: createLogger({ level: 'warn', pretty: false }),
  queuePrefix,
  rulesDir: mkdtempSync(join(tmpdir(), 'lw-bench-')),
});
const spawned: ExecutorProcess[] = [];
const runs: number[] = [];
const detail: { killPoint: KillPoint; status: string; ms: number }[] = [];
let offset = 0.0;
try {
  for (let i = 0; i < runsPerPoint; i++) {
    for (const killPoint of points) {
      offset += 0.01;
      const o = await crashScenario(
        { sim, app, databaseUrl: db.url, redisUrl: REDIS_URL, queuePrefix, offset },
        killPoint,
        spawned,
      );
      if (o.naked.length > 0 || o.duplicateIds.length > 0 || o.unmatched.length > 0)
        throw new Error(`unsafe recovery: ${JSON.stringify(o)}`);
      runs.push(o.recoveryMs);
      detail.push({ killPoint, status: o.status, ms: o.recoveryMs });
    }
  }
} finally {
  for (const p of spawned) if (p.child.exitCode === null && p.child.signalCode === null) p.kill9();
  await Promise.all(spawned.map((p) => p.exited));
  await app.close();
  await db.drop();
  await sim.close();
}
const sorted = [...runs].sort((a, b) => a - b);
const p50Ms = sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
console.log(
  JSON.stringify({
    name: 'crash-recovery',
    runs,
    p50Ms,
    maxMs: sorted[sorted.length - 1] ?? 0,
    detail,
    summary: `kill -9 → group terminal p50 ${p50Ms} ms, max ${sorted[sorted.length - 1] ?? 0} ms (n ${runs.length})`,
  }),
);
