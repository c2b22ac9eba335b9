// Owns the decision-to-order benchmark: real `legwork worker scan` and `legwork worker execute` processes against the
// in-process venue; each manual scan hands up to 5 trades to the executor. Per trade: from the moment the scan's rank
// step enqueued its execute job (the job's BullMQ `timestamp`, Date.now() in the scan worker when the trade is handed
// to the executor: the decision) to the first order carrying one of the trade's order ids reaching the venue
// (Date.now() in the venue's onEvent listener, in this process, as the POST is accepted). Split: enqueue → execute
// job started (`processedOn`) → order submit started (orders.submitted_at, Postgres now()) → at the venue.
// Prints ONE JSON object; pass = p50 < 1000 ms. Run: npm run bench:decision
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createAppContext, type AppContext } from '../src/app/context.js';
import { defaultUnderlyings } from '@legwork/venue';
import { loadConfig } from '../src/config/env.js';
import { deterministicId } from '../src/domain/ids.js';
import { createLogger } from '../src/log.js';
import { executeJobId } from '../src/queue/exec-jobs.js';
import { jobId, QUEUE_NAMES } from '../src/queue/jobs.js';
import { enqueueManualScan } from '../src/queue/scan-jobs.js';
import { getScanRun } from '../src/store/scans.repo.js';
import { REDIS_URL } from '../test/support/app.js';
import { createTestDatabase } from '../test/support/db.js';
import { condorRule } from '../test/support/rules.js';
import { startTestVenue } from '../test/support/venue.js';
import { waitUntil } from '../test/support/wait-until.js';
import { peakRssMb, startWorkerProcess, type WorkerProcess } from '../test/support/worker-process.js';
import { syntheticUnderlyings } from './scan-compute.js';
import { dropRedisKeys, sampleStats } from './stats.js';

const MIN_SAMPLES = Number(process.env['BENCH_SAMPLES'] ?? 24);
const MAX_BATCHES = 12;
const UNIVERSE = 7; // underlyings per scan: up to 5 trades (maxNewTradesPerScan) plus a margin
const TARGET_MS = 1_000;

const stats = (values: number[]) => sampleStats(values);

// Underlyings with $1+ strikes near the money (5-point wings exist); every batch scans its own, so no trade is
// blocked by "one structure per underlying" from an earlier batch
const synthetic = syntheticUnderlyings(300, 77).filter((u) => u.spot >= 60 && u.spot <= 600);
const underlyings = [...defaultUnderlyings(), ...synthetic];
const pool = underlyings.map((u) => u.symbol);
const sim = await startTestVenue({ underlyings });
const db = await createTestDatabase();
const prefix = `lwbd${randomBytes(4).toString('hex')}`;
const rulesDir = mkdtempSync(join(tmpdir(), 'lw-bench-d2o-'));
const ruleName = (b: number) => `d2o-${b}`;
const batchCount = Math.min(MAX_BATCHES, Math.floor(pool.length / UNIVERSE));
for (let b = 0; b < batchCount; b++) {
  const symbols = pool.slice(b * UNIVERSE, (b + 1) * UNIVERSE);
  // Entry at the natural price with immediate fills: each group fills at once and frees its working slot. A cron slot
  // that does not come up during the run keeps the schedulers quiet: every scan here is triggered by hand.
  const text = condorRule({
    name: ruleName(b),
    symbols,
    entry: '{ price: natural, maxSteps: 0, fillTimeoutSeconds: 30 }',
    risk: 'maxWorkingGroups: 100',
  });
  const quiet = text.replace('schedule: { every: 5m }', "schedule: { cron: '0 3 1 1 *' }");
  if (quiet === text) throw new Error('condorRule changed: no schedule line to replace');
  writeFileSync(join(rulesDir, `${ruleName(b)}.yaml`), quiet);
}
const log = createLogger({ level: 'warn', pretty: false });
const config = loadConfig({ LEGWORK_VENUE_URL: sim.baseUrl, DATABASE_URL: db.url, REDIS_URL, LOG_LEVEL: 'warn' });
let app!: AppContext; // created (and the database migrated) first thing in the try below
sim.control.setFillBehavior({ behavior: 'immediate' }); // the venue's default, stated: a marketable order fills at once

// First venue event per order id of ours (external-identifier), wall clock
const atVenue = new Map<string, number>();
const unsubscribe = sim.venue.onEvent((_account, event) => {
  if (event.type !== 'Order') return;
  const ext = event.data['external-identifier'];
  if (typeof ext === 'string' && !atVenue.has(ext)) atVenue.set(ext, Date.now());
});

const env = {
  TT_ENV: 'sim',
  LEGWORK_VENUE_URL: sim.baseUrl,
  DATABASE_URL: db.url,
  REDIS_URL,
  LEGWORK_QUEUE_PREFIX: prefix,
  LEGWORK_RULES_DIR: rulesDir,
  LOG_LEVEL: 'warn',
};
const children: { role: string; p: WorkerProcess }[] = [];
const processes: { role: string; peakRssMb: number | null }[] = [];

interface Sample {
  batch: number;
  underlying: string;
  indexInScan: number;
  totalMs: number;
  enqueueToStartMs: number;
  startToSubmitMs: number;
  submitToVenueMs: number;
  status: string;
}
const samples: Sample[] = [];
const batches: { batch: number; trades: number; scanRunMs: number; rankFinishedToFirstOrderMs: number | null }[] = [];
let ok = false;

/** Ready once its BullMQ workers are registered in Redis (LOG_LEVEL=warn hides the "started" line). */
async function ready(role: string, queues: readonly (typeof QUEUE_NAMES)[number][]): Promise<void> {
  const p = startWorkerProcess(role, env);
  children.push({ role, p });
  let exited = false;
  void p.exited.then(() => (exited = true));
  await waitUntil(
    async () => {
      if (exited) throw new Error(`worker ${role} exited: ${p.output.join('').slice(-2000)}`);
      const counts = await Promise.all(queues.map((q) => app.queues[q].getWorkersCount()));
      return counts.every((n) => n > 0);
    },
    { timeoutMs: 60_000, intervalMs: 50, what: `worker ${role} registered` },
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}; output: ${p.output.join('').slice(-2000)}`);
  });
}

try {
  app = await createAppContext({ config, log, queuePrefix: prefix, rulesDir });
  if (app.rules.errors().length > 0) throw new Error(`bench rule files refused: ${JSON.stringify(app.rules.errors())}`);
  await Promise.all([ready('scan', ['scan', 'scan-underlying']), ready('execute', ['execute'])]);
  for (let b = 0; b < batchCount && samples.length < MIN_SAMPLES; b++) {
    const name = ruleName(b);
    const slot = `bench-${b}`;
    const scanRunId = deterministicId('scan-run', name, slot);
    const t0 = Date.now();
    await enqueueManualScan(app.queues, name, slot);
    await waitUntil(async () => (await getScanRun(app.sql, scanRunId))?.status === 'completed', {
      timeoutMs: 60_000,
      intervalMs: 10,
      what: `scan ${slot} completed`,
    }).catch(async (error: unknown) => {
      const scan = await app.queues.scan.getJob(jobId('scan', name, slot));
      throw new Error(
        `${String(error)}; scan job ${await scan?.getState()}: ${scan?.failedReason ?? JSON.stringify(scan?.returnvalue)}; run ${JSON.stringify(await getScanRun(app.sql, scanRunId))}; workers: ${children.map(({ role, p }) => `${role}: ${p.output.join('').slice(-1500)}`).join(' | ')}`,
      );
    });
    const scanRunMs = Date.now() - t0;
    const trades = await app.sql<{ id: string; groupId: string; underlying: string }[]>`
      select id, entry_group_id as "groupId", underlying from trades where rule_set = ${name}`;
    // Every trade's first order at the venue, and its execute job finished (so the next batch starts from idle workers)
    const orders = await waitUntil(
      async () => {
        const rows = await app.sql<{ id: string; groupId: string; submittedAt: Date | null }[]>`
        select o.id, o.group_id as "groupId", o.submitted_at as "submittedAt" from orders o join trades t on t.entry_group_id = o.group_id
        where t.rule_set = ${name} and o.role = 'package'`;
        const sent = trades.every((t) => rows.some((r) => r.groupId === t.groupId && atVenue.has(r.id)));
        if (!sent) return undefined;
        const states = await Promise.all(trades.map((t) => app.queues.execute.getJobState(executeJobId(t.groupId))));
        return states.every((s) => s === 'completed' || s === 'failed') ? rows : undefined;
      },
      {
        timeoutMs: 60_000,
        intervalMs: 10,
        what: `batch ${b}: every trade's order at the venue and its execute job finished`,
      },
    );
    const rank = await app.queues.scan.getJob(jobId('rank', scanRunId));
    const enqueued: { t: (typeof trades)[number]; ts: number }[] = [];
    for (const t of trades)
      enqueued.push({ t, ts: (await app.queues.execute.getJob(executeJobId(t.groupId)))!.timestamp });
    enqueued.sort((a, b) => a.ts - b.ts);
    let firstOrder = Infinity;
    for (const [i, { t }] of enqueued.entries()) {
      const job = (await app.queues.execute.getJob(executeJobId(t.groupId)))!;
      const order = orders
        .filter((o) => o.groupId === t.groupId && atVenue.has(o.id))
        .sort((a, c) => atVenue.get(a.id)! - atVenue.get(c.id)!)[0]!;
      const venueAt = atVenue.get(order.id)!;
      firstOrder = Math.min(firstOrder, venueAt);
      const started = job.processedOn ?? NaN;
      const submitted = order.submittedAt?.getTime() ?? NaN;
      samples.push({
        batch: b,
        underlying: t.underlying,
        indexInScan: i,
        totalMs: venueAt - job.timestamp,
        enqueueToStartMs: started - job.timestamp,
        startToSubmitMs: submitted - started,
        submitToVenueMs: venueAt - submitted,
        status: `${(job.returnvalue as { status?: string } | null)?.status ?? job.failedReason ?? '?'}${job.attemptsMade > 1 ? ` (attempts ${job.attemptsMade})` : ''}`,
      });
    }
    batches.push({
      batch: b,
      trades: trades.length,
      scanRunMs,
      rankFinishedToFirstOrderMs: rank?.finishedOn && trades.length > 0 ? firstOrder - rank.finishedOn : null,
    });
  }
  ok = samples.length >= 20;
  if (!ok) throw new Error(`only ${samples.length} samples after ${batches.length} scans: ${JSON.stringify(batches)}`);
} finally {
  for (const { role, p } of children) processes.push({ role, peakRssMb: peakRssMb(p.child.pid) });
  for (const { p } of children) p.kill9();
  await Promise.all(children.map(({ p }) => p.exited));
  unsubscribe();
  if (app) {
    for (const q of QUEUE_NAMES) await app.queues[q].obliterate({ force: true }).catch(() => {});
    await app.close();
  }
  await dropRedisKeys(REDIS_URL, prefix); // the broker-call statistics every process keeps under the prefix
  await db.drop();
  await sim.close();
  rmSync(rulesDir, { recursive: true, force: true });
}

const total = stats(samples.map((s) => s.totalMs));
const firstOfScan = stats(samples.filter((s) => s.indexInScan === 0).map((s) => s.totalMs));
const split = {
  enqueueToJobStart: stats(samples.map((s) => s.enqueueToStartMs)),
  jobStartToSubmit: stats(samples.map((s) => s.startToSubmitMs)),
  submitToVenue: stats(samples.map((s) => s.submitToVenueMs)),
};
const result = {
  name: 'decision-to-order',
  from: 'execute job enqueued by the scan rank step (BullMQ job.timestamp, wall clock in the scan worker)',
  to: 'first order of the trade accepted by the venue (Date.now() in venue.onEvent, in-process)',
  workers: 'processes: legwork worker scan, legwork worker execute (concurrency 4)',
  scans: batches.length,
  tradesPerScan: batches.map((b) => b.trades),
  n: total.n,
  p50Ms: total.p50,
  p99Ms: total.p99,
  maxMs: total.max,
  firstOfScan,
  split,
  scanRunP50Ms: stats(batches.map((b) => b.scanRunMs)).p50,
  batches,
  samples,
  processes,
  targetMs: TARGET_MS,
  pass: ok && total.p50 < TARGET_MS,
  summary: `p50 ${total.p50} ms, p99 ${total.p99} ms, max ${total.max} ms (n ${total.n}); split p50 ${split.enqueueToJobStart.p50}/${split.jobStartToSubmit.p50}/${split.submitToVenue.p50} ms`,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exitCode = result.pass ? 0 : 1;
