// Crash recovery through the production BullMQ execute worker: `legwork worker execute` (a real child process) takes the
// entry's execute job as the scanner enqueues it, its combo order works at the venue, the process is kill -9'd, a second
// `legwork worker execute` starts (startup reconciliation, then the stalled job comes back), and the group must end
// settled with one venue order chain per order of ours and no naked leg. Kill → terminal is measured and printed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeJobId } from '../../src/queue/exec-jobs.js';
import { bullScanJobs } from '../../src/queue/scan-jobs.js';
import { setTradingState } from '../../src/store/settings.repo.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { accountOf, insertPendingCondor, nakedLegs } from '../support/executor-process.js';
import { condorRule } from '../support/rules.js';
import { waitUntil } from '../support/wait-until.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

// Starts at mid (above natural: not marketable on the frozen test clock) and walks one tick every 5 s toward natural, so
// the order works for a while; the test makes it marketable by raising SPY's volatility (the condor's credit grows).
const RULE = condorRule({ name: 'ic-crash' });

const TERMINAL = ['filled', 'rolled_back', 'cancelled'];

let app: TestApp;
const spawned: WorkerProcess[] = [];

beforeAll(async () => {
  app = await startTestApp({ 'crash.yaml': RULE });
  await setTradingState(app.ctx.sql, 'active', 'test');
});
afterAll(async () => {
  for (const p of spawned) p.kill9();
  await Promise.all(spawned.map((p) => p.exited));
  await app?.close();
});

describe('crash recovery through the BullMQ execute worker (kill -9 of `legwork worker execute`)', () => {
  it('a second worker process settles the group; one venue order chain per order id, no naked leg', async () => {
    const { sim, ctx } = app;
    const { tradeId, groupId, condor: c } = await insertPendingCondor(app, 'ic-crash');

    sim.venue.clearFillRules();
    sim.venue.setDefaultFillBehavior({ behavior: 'immediate' });

    const env = app.workerEnv();
    const a = startWorkerProcess('execute', env);
    spawned.push(a);
    await a.ready;

    // Exactly as the scanner hands a trade to the executor
    await bullScanJobs(ctx.queues).enqueueExecute(tradeId, groupId);
    const jobId = executeJobId(groupId);

    const ourOrders = () => ctx.sql<{ id: string; status: string; brokerOrderId: number | null; priceSteps: number }[]>`
      select id, status, broker_order_id as "brokerOrderId", price_steps as "priceSteps" from orders where group_id = ${groupId}`;
    const venueOrders = () =>
      (sim.control.state()['accounts'] as { 'account-number': string; orders: Record<string, unknown>[] }[]).find(
        (acc) => acc['account-number'] === accountOf(sim),
      )?.orders ?? [];
    try {
      await waitUntil(
        async () => {
          const [o] = await ourOrders();
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
      throw new Error(`${String(error)}; worker A output: ${a.output.join('').slice(-3000)}`);
    }

    a.kill9();
    const killedAt = Date.now();
    await a.exited;
    const b = startWorkerProcess('execute', env);
    spawned.push(b);
    // Once B runs, the market moves so the order B took over fills at the venue; B must see it and settle the group.
    // (A fill-behaviour rule would not do: the venue fixes an order's behaviour when it is placed.)
    try {
      await b.ready;
    } catch (error) {
      throw new Error(`${String(error)}; worker B output: ${b.output.join('').slice(-3000)}`);
    }
    const readyMs = Date.now() - killedAt;
    const iv = sim.market.metrics('SPY')!.iv30 / 100;
    const moved = sim.control.moveMarket('SPY', { vol: iv * 1.6 });
    expect(moved.ok).toBe(true);

    let status: string;
    try {
      status = await waitUntil(
        async () => {
          const [g] = await ctx.sql<{ status: string }[]>`select status from order_groups where id = ${groupId}`;
          return g && TERMINAL.includes(g.status) ? g.status : undefined;
        },
        { timeoutMs: 40_000, intervalMs: 20, what: `group ${groupId} terminal after the restart` },
      );
    } catch (error) {
      throw new Error(
        `${String(error)}; orders: ${JSON.stringify(await ourOrders())}; worker B output: ${b.output.join('').slice(-3000)}`,
      );
    }
    const killToTerminalMs = Date.now() - killedAt;

    // The job A held (its lock died with it) must come back through the stalled check and complete in B
    const jobState = await waitUntil(
      async () => {
        const s = await ctx.queues.execute.getJobState(jobId);
        return s === 'completed' || s === 'failed' ? s : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50, what: `job ${jobId} finished in worker B` },
    );
    const killToJobDoneMs = Date.now() - killedAt;
    const job = await ctx.queues.execute.getJob(jobId);
    console.log(
      JSON.stringify({
        metric: 'crash-recovery-bullmq',
        status,
        killToTerminalMs,
        killToJobDoneMs,
        readyMs,
        jobState,
        attemptsMade: job?.attemptsMade,
        stalledCounter: job?.stalledCounter,
      }),
    );

    expect(status).toBe('filled');
    expect(jobState).toBe('completed');
    expect(job?.failedReason ?? '').toBe('');
    expect(JSON.stringify(job?.returnvalue ?? {})).toContain('"status":"filled"');

    // Venue: every order carries one of our ids; per id, one live order at most; replaces form one chain per id
    const ours = await ourOrders();
    const ourIds = new Set(ours.map((o) => o.id));
    const all = venueOrders();
    expect(all.length).toBeGreaterThan(0);
    for (const v of all) expect(ourIds).toContain(v['external-identifier']);
    for (const o of ours) {
      const mine = all.filter((v) => v['external-identifier'] === o.id);
      expect(
        mine.filter((v) =>
          ['Received', 'Routed', 'In Flight', 'Live', 'Cancel Requested', 'Replace Requested', 'Contingent'].includes(
            String(v['status']),
          ),
        ).length,
      ).toBeLessThanOrEqual(1);
      // one submit, then one new venue order per price step (each replacing the previous one)
      expect(mine.length).toBe(o.priceSteps + 1);
      expect(mine.filter((v) => v['replaces-order-id'] === undefined || v['replaces-order-id'] === null).length).toBe(
        1,
      );
      expect(mine.filter((v) => v['status'] === 'Filled').length).toBe(o.status === 'filled' ? 1 : 0);
    }
    expect(nakedLegs(sim, c)).toEqual([]);
    b.kill9();
    await b.exited;
  }, 60_000);
});
