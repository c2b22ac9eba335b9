// The scheduled scan end to end on real Redis, Postgres and the venue: fan-out per underlying, ranking, validation,
// trades and executor jobs with deterministic ids, idempotent retries, the kill switch, hot reload, schedulers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finishScan, startScan } from '../../src/pipeline/scan/scan-flow.js';
import { enqueueManualScan } from '../../src/queue/scan-jobs.js';
import { syncSchedulers } from '../../src/queue/schedulers.js';
import { getScanRun } from '../../src/store/scans.repo.js';
import { setTradingState } from '../../src/store/settings.repo.js';
import { listTrades } from '../../src/store/trades.repo.js';
import { deterministicId } from '../../src/domain/ids.js';
import { runWorkers, type RunningWorkers } from '../../workers/index.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { waitUntil } from '../support/wait-until.js';

const RULE = (extra = '') => `version: 1
name: ic-test
strategy: iron-condor
universe: { symbols: [SPY, QQQ, IWM, AAPL, NOPE] }
schedule: { every: 5m }
params:
  dte: { min: 20, max: 50 }
  shortDelta: { target: 0.16, tolerance: 0.06 }
  wings: { points: 5 }
filters:
  pop: { min: 40 }
  all:
    - { fact: underlying, operator: notIn, value: [IWM], name: not IWM }
score:
  weights: { pop: 0.5, credit_to_width: 0.5 }
maxPerUnderlying: 1
sizing: { quantity: 1, maxRiskPerTrade: 2000 }
exits: { takeProfitPct: 50 }
risk: { maxOpenTrades: 10, maxTotalRisk: 50000, maxRiskPerUnderlying: 5000 }
${extra}`;

let app: TestApp;
let workers: RunningWorkers;

async function completedRun(slot: string) {
  const id = deterministicId('scan-run', 'ic-test', slot);
  return waitUntil(
    async () => {
      const run = await getScanRun(app.ctx.sql, id);
      return run?.status === 'completed' ? run : undefined;
    },
    { timeoutMs: 30_000, what: `scan run ${slot} to complete` },
  );
}

beforeAll(async () => {
  app = await startTestApp({ 'ic.yaml': RULE() });
  workers = await runWorkers(app.ctx, ['scan'], { schedulers: false, rulesPollMs: 200 });
});
afterAll(async () => {
  await workers?.stop(2000);
  await app?.close();
});

describe('a scan through the queues', () => {
  it('fans out per underlying, ranks, creates pending trades and enqueues each once with a deterministic job id', async () => {
    await enqueueManualScan(app.ctx.queues, 'ic-test', 'slot-1');
    const run = await completedRun('slot-1');
    expect(run.underlyings).toBe(5);
    expect(run.candidatesEvaluated).toBeGreaterThan(run.accepted);
    expect(run.accepted).toBeGreaterThan(0);

    const candidates = await app.ctx.sql<
      { underlying: string; rank: number | null; selected: boolean; rules_hash: string; trace: unknown }[]
    >`
      select underlying, rank, selected, rules_hash, trace from candidates where scan_run_id = ${run.id}`;
    expect(candidates.length).toBe(run.accepted);
    expect(candidates.every((c) => c.rules_hash === run.rulesHash && Array.isArray(c.trace))).toBe(true);
    expect(candidates.some((c) => c.underlying === 'NOPE' || c.underlying === 'IWM')).toBe(false);

    const trades = await listTrades(app.ctx.sql);
    expect(trades.length).toBeGreaterThan(0);
    expect(trades.length).toBeLessThanOrEqual(5);
    expect(new Set(trades.map((t) => t.underlying)).size).toBe(trades.length);
    expect(trades.every((t) => t.status === 'pending' && t.rulesHash === run.rulesHash && t.legs.length === 4)).toBe(
      true,
    );
    expect(candidates.filter((c) => c.selected)).toHaveLength(trades.length);

    const jobs = await app.ctx.queues.execute.getJobs(['waiting', 'delayed', 'active', 'prioritized']);
    expect(jobs.map((j) => j.id).sort()).toEqual(trades.map((t) => `execute_${t.entryGroupId}`).sort());
    expect(jobs.map((j) => j.data.tradeId).sort()).toEqual(trades.map((t) => t.id).sort());

    const audit = await app.ctx.sql<
      { kind: string }[]
    >`select kind from audit_events where kind in ('trade_selected', 'scan_completed')`;
    expect(audit.filter((a) => a.kind === 'trade_selected')).toHaveLength(trades.length);
  });

  it('never enqueues a trade twice when a scan step is retried', async () => {
    const before = await listTrades(app.ctx.sql);
    const run = await completedRun('slot-1');
    expect(await startScan(app.ctx.scan, 'ic-test', 'slot-1')).toEqual({ status: 'duplicate', scanRunId: run.id });
    const again = await finishScan(
      app.ctx.scan,
      { scanRunId: run.id, ruleSet: 'ic-test', rulesHash: run.rulesHash },
      [],
    );
    expect(again.trades.every((t) => !t.created)).toBe(true);
    expect((await listTrades(app.ctx.sql)).map((t) => t.id).sort()).toEqual(before.map((t) => t.id).sort());
    const jobs = await app.ctx.queues.execute.getJobs(['waiting', 'delayed', 'active', 'prioritized']);
    expect(jobs).toHaveLength(before.length);
  });

  it('a second scan leaves underlyings that already have a trade alone', async () => {
    const before = await listTrades(app.ctx.sql);
    await enqueueManualScan(app.ctx.queues, 'ic-test', 'slot-2');
    await completedRun('slot-2');
    const after = await listTrades(app.ctx.sql);
    const newOnes = after.filter((t) => !before.some((b) => b.id === t.id));
    expect(newOnes.filter((t) => before.some((b) => b.underlying === t.underlying))).toEqual([]);
  });

  it('selects nothing while halted, and records why', async () => {
    await setTradingState(app.ctx.sql, 'halted', 'test');
    try {
      const before = (await listTrades(app.ctx.sql)).length;
      await enqueueManualScan(app.ctx.queues, 'ic-test', 'slot-halted');
      const run = await completedRun('slot-halted');
      expect((await listTrades(app.ctx.sql)).length).toBe(before);
      // finishScan marks the run completed before it appends scan_completed: wait for the audit row itself
      const audit = async () =>
        (
          await app.ctx.sql<{ data: { skipped: { reason: string }[] } }[]>`
            select data from audit_events where kind = 'scan_completed' and data->>'scanRunId' = ${run.id}`
        )[0];
      await waitUntil(async () => (await audit()) !== undefined, { what: 'the scan_completed audit event' });
      const reasons = (await audit())!.data.skipped.map((s) => s.reason);
      expect(reasons.length).toBeGreaterThan(0);
      expect(new Set(reasons)).toEqual(new Set(['trading is halted']));
    } finally {
      await setTradingState(app.ctx.sql, 'active', 'test');
    }
  });
});

describe('rule files while running', () => {
  it('refuses an invalid edit, keeps scanning with the last good version, and records the error', async () => {
    const good = app.ctx.rules.get('ic-test')!.hash;
    app.writeRule('ic.yaml', RULE().replace('dte: { min: 20, max: 50 }', 'dte: { min: 60, max: 20 }'));
    await enqueueManualScan(app.ctx.queues, 'ic-test', 'slot-bad-edit');
    const run = await completedRun('slot-bad-edit');
    expect(run.rulesHash).toBe(good);
    expect(app.ctx.rules.errors()[0]?.problems[0]?.message).toMatch(/min/);
    const refused = await app.ctx.sql`select 1 from audit_events where kind = 'rules_refused'`;
    expect(refused.length).toBe(1);
  });

  it('applies a valid edit at the next scan without a restart', async () => {
    app.writeRule('ic.yaml', RULE().replace('pop: { min: 40 }', 'pop: { min: 41 }'));
    await enqueueManualScan(app.ctx.queues, 'ic-test', 'slot-good-edit');
    const run = await completedRun('slot-good-edit');
    expect(run.rulesHash).toBe(app.ctx.rules.get('ic-test')!.hash);
    expect(app.ctx.rules.errors()).toEqual([]);
  });

  it('keeps one job scheduler per enabled rule set', async () => {
    const synced = await syncSchedulers(app.ctx.queues.scan, app.ctx.rules.active());
    expect(synced.upserted).toEqual(['scan-ic-test']);
    const schedulers = await app.ctx.queues.scan.getJobSchedulers(0, -1, true);
    expect(schedulers.map((s) => [s.key, s.every])).toEqual([['scan-ic-test', 300_000]]);
    const removed = await syncSchedulers(app.ctx.queues.scan, []);
    expect(removed.removed).toEqual(['scan-ic-test']);
    expect(await app.ctx.queues.scan.getJobSchedulers(0, -1, true)).toEqual([]);
  });
});
