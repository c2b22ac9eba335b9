// Graceful shutdown of the production `legwork worker ROLE` process (node --import tsx bin/legwork.mjs): SIGTERM and
// SIGINT stop it with exit code 0 within a bound, logging "stopped"; with an execute job active (a combo order working at
// the venue) SIGTERM lets the job finish (not fail) before the process exits, and no Redis/Postgres error is logged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeJobId } from '../../src/queue/exec-jobs.js';
import { bullScanJobs } from '../../src/queue/scan-jobs.js';
import { setTradingState } from '../../src/store/settings.repo.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { accountOf, insertPendingCondor } from '../support/executor-process.js';
import { condorRule } from '../support/rules.js';
import { waitUntil } from '../support/wait-until.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

// Starts at mid (not marketable on the frozen test clock) and steps slowly: the order keeps working until the test
// raises SPY's volatility (the condor's credit grows and the resting order fills).
const RULE = condorRule({ name: 'ic-shutdown' });
// An entry that walks for minutes: long price steps and a long fill timeout (the report: Ctrl-C took 103 s)
const WALK_RULE = condorRule({
  name: 'ic-walk',
  entry: '{ price: mid, stepTicks: 1, stepEverySeconds: 120, maxSteps: 3, fillTimeoutSeconds: 600 }',
});
/** The grace period of `legwork start`/`worker` (workers/start.ts). */
const GRACE_MS = 25_000;

const STOP_BOUND_MS = 30_000;
let app: TestApp;
const spawned: WorkerProcess[] = [];

beforeAll(async () => {
  app = await startTestApp({ 'shutdown.yaml': RULE, 'walk.yaml': WALK_RULE });
  await setTradingState(app.ctx.sql, 'active', 'test');
});
afterAll(async () => {
  for (const p of spawned) p.kill9();
  await Promise.all(spawned.map((p) => p.exited));
  await app?.close();
});

function env(): Record<string, string> {
  return app.workerEnv({ NODE_ENV: 'production' });
}

async function start(role: string): Promise<WorkerProcess> {
  const p = startWorkerProcess(role, env());
  spawned.push(p);
  try {
    await p.ready;
  } catch (error) {
    throw new Error(`${String(error)}; output: ${p.output.join('').slice(-3000)}`);
  }
  return p;
}

/** Sends the signal and waits for the exit within the bound; returns the exit code, the time taken and the JSON lines. */
async function stopWith(
  p: WorkerProcess,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; ms: number; lines: Record<string, unknown>[]; after: Record<string, unknown>[] }> {
  const before = p.output.join('').length;
  const t0 = Date.now();
  p.child.kill(signal);
  const code = await Promise.race([
    p.exited,
    new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), STOP_BOUND_MS + 5_000)),
  ]);
  if (code === 'timeout')
    throw new Error(`no exit within ${STOP_BOUND_MS + 5_000} ms after ${signal}: ${p.output.join('').slice(-3000)}`);
  const ms = Date.now() - t0;
  const parse = (text: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return { msg: l };
        }
      });
  const text = p.output.join('');
  return { code, ms, lines: parse(text), after: parse(text.slice(before)) };
}

const CONNECTION_ERROR =
  /ECONNREFUSED|ECONNRESET|Connection is closed|CONNECTION_ENDED|CONNECTION_CLOSED|ERR_STREAM|write after end|socket hang up/i;

function expectCleanStop(result: Awaited<ReturnType<typeof stopWith>>, signal: string, output: string): void {
  expect(result.code, output.slice(-3000)).toBe(0);
  expect(result.ms).toBeLessThan(STOP_BOUND_MS);
  const msgs = result.after.map((l) => String(l['msg']));
  expect(msgs, output.slice(-3000)).toContain('stopping: no new jobs, waiting for active ones');
  expect(msgs).toContain('stopped');
  expect(result.after.find((l) => l['msg'] === 'stopping: no new jobs, waiting for active ones')?.['signal']).toBe(
    signal,
  );
  // Nothing at error level or above while stopping, and no connection error anywhere in the output
  expect(
    result.after.filter((l) => Number(l['level']) >= 50),
    output.slice(-3000),
  ).toEqual([]);
  expect(output).not.toMatch(CONNECTION_ERROR);
}

describe('graceful shutdown of `legwork worker ROLE`', () => {
  it('SIGTERM: an idle `worker execute` exits 0 within the bound and logs "stopped"', async () => {
    const p = await start('execute');
    const result = await stopWith(p, 'SIGTERM');
    expectCleanStop(result, 'SIGTERM', p.output.join(''));
  }, 60_000);

  it('SIGINT: an idle `worker scan` exits 0 within the bound and logs "stopped"', async () => {
    const p = await start('scan');
    const result = await stopWith(p, 'SIGINT');
    expectCleanStop(result, 'SIGINT', p.output.join(''));
  }, 60_000);

  it('SIGTERM while an execute job is active: the job finishes (not failed), then the process exits 0', async () => {
    const { sim, ctx } = app;
    const { tradeId, groupId } = await insertPendingCondor(app, 'ic-shutdown');
    sim.venue.clearFillRules();
    sim.venue.setDefaultFillBehavior({ behavior: 'immediate' });

    const p = await start('execute');
    await bullScanJobs(ctx.queues).enqueueExecute(tradeId, groupId);
    const jobId = executeJobId(groupId);
    const venueOrders = () =>
      (sim.control.state()['accounts'] as { 'account-number': string; orders: Record<string, unknown>[] }[]).find(
        (acc) => acc['account-number'] === accountOf(sim),
      )?.orders ?? [];
    try {
      await waitUntil(
        async () => {
          const [o] = await ctx.sql<
            { id: string; status: string }[]
          >`select id, status from orders where group_id = ${groupId}`;
          return (
            o &&
            o.status === 'working' &&
            venueOrders().some((v) => v['external-identifier'] === o.id && v['status'] === 'Live')
          );
        },
        { timeoutMs: 20_000, what: 'the package order working at the venue' },
      );
      expect(await ctx.queues.execute.getJobState(jobId)).toBe('active');
    } catch (error) {
      throw new Error(`${String(error)}; worker output: ${p.output.join('').slice(-3000)}`);
    }

    // SIGTERM with the order working; the market then moves so the resting order fills during the grace period
    const stopping = stopWith(p, 'SIGTERM');
    await waitUntil(() => p.output.join('').includes('stopping: no new jobs'), {
      timeoutMs: 5_000,
      what: 'the worker to start stopping',
    });
    expect(p.alive()).toBe(true); // still finishing its active job
    const iv = sim.market.metrics('SPY')!.iv30 / 100;
    expect(sim.control.moveMarket('SPY', { vol: iv * 1.6 }).ok).toBe(true);
    const result = await stopping;
    expectCleanStop(result, 'SIGTERM', p.output.join(''));

    // The job was finished by the stopping worker, not failed (and not left for another worker)
    const state = await ctx.queues.execute.getJobState(jobId);
    const job = await ctx.queues.execute.getJob(jobId);
    expect(state, p.output.join('').slice(-3000)).toBe('completed');
    expect(job?.failedReason ?? '').toBe('');
    const [g] = await ctx.sql<{ status: string }[]>`select status from order_groups where id = ${groupId}`;
    expect(g?.status).toBe('filled');
  }, 90_000);

  /** A walking entry of rule `ic-walk` whose combo order rests at the venue while a `worker execute` runs it. */
  async function walkingEntry(p: WorkerProcess): Promise<{ tradeId: string; groupId: string; jobId: string }> {
    const { sim, ctx } = app;
    const { tradeId, groupId } = await insertPendingCondor(app, 'ic-walk');
    sim.venue.clearFillRules();
    sim.venue.setDefaultFillBehavior({ behavior: 'immediate' });
    await bullScanJobs(ctx.queues).enqueueExecute(tradeId, groupId);
    const jobId = executeJobId(groupId);
    try {
      await waitUntil(
        async () => {
          // The order's acceptance and the group's move to working are two writes: wait for both (a SIGINT that exits
          // at once between them left the group submitting, and the test read that under CI load)
          const [o] = await ctx.sql<
            { status: string; group: string }[]
          >`select o.status, g.status as group from orders o join order_groups g on g.id = o.group_id where o.group_id = ${groupId}`;
          return (
            o?.status === 'working' &&
            o.group === 'working' &&
            (await ctx.queues.execute.getJobState(jobId)) === 'active'
          );
        },
        { timeoutMs: 20_000, what: 'the walking entry and its group working at the venue' },
      );
    } catch (error) {
      throw new Error(`${String(error)}; worker output: ${p.output.join('').slice(-3000)}`);
    }
    return { tradeId, groupId, jobId };
  }

  /** Restarts `worker execute`, lets the resting order fill, and waits for the group to be filled. */
  async function resumeAndFill(groupId: string): Promise<void> {
    const p2 = await start('execute');
    const iv = app.sim.market.metrics('SPY')!.iv30 / 100;
    expect(app.sim.control.moveMarket('SPY', { vol: iv * 1.6 }).ok).toBe(true);
    try {
      // The group is settled first, then its trade (two writes): wait for both
      await waitUntil(
        async () => {
          const [g] = await app.ctx.sql<
            { status: string; trade: string }[]
          >`select g.status, t.status as trade from order_groups g join trades t on t.id = g.trade_id where g.id = ${groupId}`;
          return g?.status === 'filled' && g.trade !== 'opening';
        },
        { timeoutMs: 40_000, what: 'the restarted worker to complete the group and open its trade' },
      );
    } catch (error) {
      throw new Error(`${String(error)}; worker output: ${p2.output.join('').slice(-3000)}`);
    } finally {
      expect(app.sim.control.moveMarket('SPY', { vol: iv }).ok).toBe(true);
    }
    const [t] = await app.ctx.sql<
      { status: string }[]
    >`select t.status from trades t join order_groups g on g.trade_id = t.id where g.id = ${groupId}`;
    expect(t?.status).toBe('open');
    expectCleanStop(await stopWith(p2, 'SIGTERM'), 'SIGTERM', p2.output.join(''));
  }

  it('SIGINT while an entry walks with long steps: exits 0 within the grace, names the group it waited for; a restart completes the group', async () => {
    const p = await start('execute');
    const { groupId, jobId } = await walkingEntry(p);

    const result = await stopWith(p, 'SIGINT');
    expectCleanStop(result, 'SIGINT', p.output.join(''));
    expect(result.ms).toBeLessThan(GRACE_MS);
    const waited = result.after.find((l) => String(l['msg']).startsWith('stopping: waiting for'));
    expect(waited?.['waitingFor'], p.output.join('').slice(-3000)).toEqual([
      { queue: 'execute', jobId, detail: expect.stringContaining(groupId) as unknown },
    ]);
    expect(String(waited?.['msg'])).toContain(groupId);

    // Interrupted where it stood: the group is still working in Postgres and its job is back in the queue
    const [g] = await app.ctx.sql<{ status: string }[]>`select status from order_groups where id = ${groupId}`;
    expect(g?.status).toBe('working');
    expect(await app.ctx.queues.execute.getJobState(jobId)).toBe('delayed');
    await resumeAndFill(groupId);
  }, 120_000);

  it('a second SIGINT exits at once with code 130; the next start resumes the group', async () => {
    const p = await start('execute');
    const { groupId } = await walkingEntry(p);
    p.child.kill('SIGINT');
    await waitUntil(() => p.output.join('').includes('stopping: waiting for'), {
      timeoutMs: 5_000,
      what: 'the worker to start stopping',
    });
    p.child.kill('SIGINT');
    const code = await Promise.race([p.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5_000))]);
    expect(code, p.output.join('').slice(-3000)).toBe(130);
    expect(p.output.join('')).toContain('second SIGINT: exiting now');
    const [g] = await app.ctx.sql<{ status: string }[]>`select status from order_groups where id = ${groupId}`;
    expect(g?.status).toBe('working');
    await resumeAndFill(groupId);
  }, 120_000);
});
