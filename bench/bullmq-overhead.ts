// Owns the BullMQ overhead benchmark: Legwork's queue hop (an entry handed to the executor exactly as the scanner does
// it, bullScanJobs(createQueues(...)).enqueueExecute: deterministic job id, retention, attempts, priority 10; consumed
// by a Worker built with workers/execute.worker.ts's options) against a raw BullMQ Queue + Worker with default options,
// both with a no-op processor, on the same Redis, each under its own prefix; also Legwork's hop without the priority
// (bullExecJobs, the executor's resume path). Sequential: one job at a time after a warm-up, the variants interleaved,
// enqueue (performance.now() before add, same process) → processor start, and → the worker's `completed` event (the job
// is marked completed in Redis). Burst: every add at once, throughput until the last `completed`, median of 3 rounds.
// Overhead = Legwork p50 − raw p50. Prints ONE JSON object. Run: npm run bench:bullmq
import { randomBytes, randomUUID } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import { workerConnectionOptions } from '../src/queue/connection.js';
import { bullExecJobs } from '../src/queue/exec-jobs.js';
import { QUEUE_NAMES } from '../src/queue/jobs.js';
import { createQueues } from '../src/queue/queues.js';
import { bullScanJobs } from '../src/queue/scan-jobs.js';
import { REDIS_URL } from '../test/support/app.js';
import { dropRedisKeys, sampleStats } from './stats.js';

const SEQUENTIAL = Number(process.env['BENCH_JOBS'] ?? 500);
const WARMUP = 50;
const BURST = Number(process.env['BENCH_BURST'] ?? 2000);
const BURST_REPS = 3;

const round = (ms: number) => Math.round(ms * 1000) / 1000;
const stats = (values: number[]) => sampleStats(values, round);

interface Hop {
  /** Adds job number `seq` (the payload carries it so processor and events can be matched before the id is known). */
  add(seq: number): Promise<unknown>;
  /** A worker whose processor does nothing but record when it started. */
  startWorker(concurrency?: number): Worker;
}

const started = new Map<number, number>();
const completed = new Map<number, number>();
const waiters = new Map<number, () => void>();
/** Raw jobs carry `seq`; Legwork's payload stays {tradeId, groupId}, seq in the last 12 digits of a valid UUID tradeId. */
const seqOf = (job: Job): number =>
  typeof job.data.seq === 'number' ? job.data.seq : Number(String(job.data.tradeId).slice(24));
const noop = async (job: Job) => {
  started.set(seqOf(job), performance.now());
};
const watch = (w: Worker) => {
  w.on('completed', (job) => {
    const seq = seqOf(job);
    completed.set(seq, performance.now());
    waiters.get(seq)?.();
  });
  w.on('error', (error) => process.stderr.write(`worker error: ${String(error)}\n`));
  return w;
};

// Legwork: its queues (the only Queue constructor), the scanner's enqueue, the execute worker's options
const lwPrefix = `lwbq${randomBytes(4).toString('hex')}`;
const queues = createQueues({ redisUrl: REDIS_URL, prefix: lwPrefix });
const tradeIdFor = (seq: number) => `${randomUUID().slice(0, 24)}${String(seq).padStart(12, '0')}`;
const legworkWorker = (concurrency = 4) =>
  watch(
    new Worker('execute', noop, {
      connection: workerConnectionOptions(REDIS_URL),
      prefix: lwPrefix,
      concurrency,
      lockDuration: 10_000,
      stalledInterval: 5_000,
      maxStalledCount: 3,
      name: 'execute',
    }),
  );
const scanJobs = bullScanJobs(queues);
const legwork: Hop = {
  add: (seq) => scanJobs.enqueueExecute(tradeIdFor(seq), randomUUID()),
  startWorker: legworkWorker,
};
// The same queue and worker through the executor's own helper without a priority (resumes, retries after a wait)
const execJobs = bullExecJobs(queues);
const legworkPlain: Hop = {
  add: (seq) => execJobs.enqueueExecute(tradeIdFor(seq), randomUUID()),
  startWorker: legworkWorker,
};
// Raw BullMQ: defaults everywhere (concurrency 1, no retention limits, one attempt)
const rawPrefix = `rawbq${randomBytes(4).toString('hex')}`;
const url = new URL(REDIS_URL);
const connection = { host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: null };
const rawQueue = new Queue('raw', { connection, prefix: rawPrefix });
const raw: Hop = {
  add: (seq) => rawQueue.add('raw', { tradeId: randomUUID(), groupId: randomUUID(), seq }),
  startWorker: (concurrency = 1) => watch(new Worker('raw', noop, { connection, prefix: rawPrefix, concurrency })),
};

let nextSeq = 0;
/** One job through `hop`, alone: enqueue → processor start and → completed, in ms. */
async function one(hop: Hop): Promise<{ toStart: number; toCompleted: number }> {
  const seq = nextSeq++;
  const done = new Promise<void>((r) => waiters.set(seq, r));
  const t0 = performance.now();
  await hop.add(seq);
  await done;
  waiters.delete(seq);
  return { toStart: started.get(seq)! - t0, toCompleted: completed.get(seq)! - t0 };
}

/**
 * Sequential jobs, the variants interleaved (one job each per round, the order rotating) so that JIT warm-up, Redis
 * state and machine noise fall on every variant alike.
 */
async function sequential(hops: Hop[], n: number, warmup: number) {
  const out = hops.map(() => ({ toStart: [] as number[], toCompleted: [] as number[] }));
  for (let i = 0; i < warmup + n; i++) {
    for (let k = 0; k < hops.length; k++) {
      const h = (i + k) % hops.length;
      const r = await one(hops[h]!);
      if (i < warmup) continue;
      out[h]!.toStart.push(r.toStart);
      out[h]!.toCompleted.push(r.toCompleted);
    }
  }
  return out.map((o) => ({ enqueueToStartMs: stats(o.toStart), enqueueToCompletedMs: stats(o.toCompleted) }));
}

/** Every add at once with one worker of `concurrency` running; until the last job completed. */
async function burst(
  hop: Hop,
  n: number,
  concurrency: number,
): Promise<{ concurrency: number; jobs: number; ms: number; jobsPerSecond: number }> {
  const w = hop.startWorker(concurrency);
  await w.waitUntilReady();
  const seqs = Array.from({ length: n }, () => nextSeq++);
  const all = Promise.all(seqs.map((seq) => new Promise<void>((r) => waiters.set(seq, r))));
  const t0 = performance.now();
  await Promise.all(seqs.map((seq) => hop.add(seq)));
  await all;
  const ms = performance.now() - t0;
  for (const seq of seqs) waiters.delete(seq);
  await w.close();
  return { concurrency, jobs: n, ms: Math.round(ms), jobsPerSecond: Math.round((n / ms) * 1000) };
}

let result: Record<string, unknown>;
try {
  // Legwork's worker at its concurrency (4) serves both Legwork variants (one queue); the raw worker at the default (1)
  const workers = [legwork.startWorker(), raw.startWorker()];
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  const [lwSeq, plainSeq, rawSeq] = await sequential([legwork, legworkPlain, raw], SEQUENTIAL, WARMUP);
  await Promise.all(workers.map((w) => w.close()));
  // Bursts: BURST_REPS rounds over the variants; the median round per variant is reported
  const variants = [
    [legwork, 4],
    [legworkPlain, 4],
    [raw, 1],
    [raw, 4],
  ] as const;
  const rounds: Awaited<ReturnType<typeof burst>>[][] = variants.map(() => []);
  for (let r = 0; r < BURST_REPS; r++)
    for (const [k, [hop, c]] of variants.entries()) rounds[k]!.push(await burst(hop, BURST, c));
  const median = (k: number) => {
    const sorted = [...rounds[k]!].sort((a, b) => a.jobsPerSecond - b.jobsPerSecond);
    return { ...sorted[Math.floor(sorted.length / 2)]!, roundsJobsPerSecond: rounds[k]!.map((x) => x.jobsPerSecond) };
  };
  const lw = { concurrency: 4, ...lwSeq!, burst: { concurrency4: median(0) } };
  const plain = { concurrency: 4, ...plainSeq!, burst: { concurrency4: median(1) } };
  const rw = { concurrency: 1, ...rawSeq!, burst: { concurrency1: median(2), concurrency4: median(3) } };
  const overhead = {
    enqueueToStartP50Ms: round(lw.enqueueToStartMs.p50 - rw.enqueueToStartMs.p50),
    enqueueToCompletedP50Ms: round(lw.enqueueToCompletedMs.p50 - rw.enqueueToCompletedMs.p50),
  };
  const lwTput = lw.burst.concurrency4.jobsPerSecond;
  result = {
    name: 'bullmq-overhead',
    redis: `${url.hostname}:${url.port || 6379}`,
    sequentialJobs: SEQUENTIAL,
    warmup: WARMUP,
    burstJobs: BURST,
    burstRounds: BURST_REPS,
    legwork: {
      enqueue: 'bullScanJobs(createQueues()).enqueueExecute (priority 10, jobId, retention, attempts 5)',
      worker: 'execute.worker.ts options, no-op processor',
      ...lw,
    },
    legworkNoPriority: {
      enqueue: "bullExecJobs(createQueues()).enqueueExecute (no priority: the executor's resume path)",
      ...plain,
    },
    raw: { enqueue: 'Queue.add, default options', worker: 'Worker, default options, no-op processor', ...rw },
    overhead,
    summary: `start p50 ${lw.enqueueToStartMs.p50} vs ${rw.enqueueToStartMs.p50} ms, completed p50 ${lw.enqueueToCompletedMs.p50} vs ${rw.enqueueToCompletedMs.p50} ms (legwork vs raw); burst ${lwTput} (no priority ${plain.burst.concurrency4.jobsPerSecond}) vs ${rw.burst.concurrency1.jobsPerSecond} (c1) / ${rw.burst.concurrency4.jobsPerSecond} (c4) jobs/s`,
  };
} finally {
  for (const q of [...QUEUE_NAMES.map((n) => queues[n]), rawQueue])
    await q
      .obliterate({ force: true })
      .catch((e: unknown) => process.stderr.write(`obliterate failed: ${String(e)}\n`));
  await Promise.all([queues.close(), rawQueue.close()]);
  // Whatever else lives under the two prefixes (queue meta keys)
  await dropRedisKeys(REDIS_URL, lwPrefix, rawPrefix);
}
process.stdout.write(`${JSON.stringify(result)}\n`);
