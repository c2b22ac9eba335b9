// Owns issue 11 defect 9: two rule sets scanning SPY at the same moment, on separate PostgreSQL connections, both read
// "SPY is free" before either inserts; the per-underlying advisory lock lets exactly one of them create a trade.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DryRunResult } from '../../src/domain/account.js';
import { finishScan, scanOneUnderlying, startScan, type ScanContext } from '../../src/pipeline/scan/scan-flow.js';
import { createDb, type Sql } from '../../src/store/db.js';
import { createPostgresStore } from '../../src/store/postgres-store.js';
import { listTrades } from '../../src/store/trades.repo.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { condorRule } from '../support/rules.js';

let app: TestApp;
const pools: Sql[] = [];

beforeAll(async () => {
  app = await startTestApp({ 'a.yaml': condorRule({ name: 'race-a' }), 'b.yaml': condorRule({ name: 'race-b' }) });
}, 60_000);
afterAll(async () => {
  for (const p of pools) await p.end({ timeout: 5 });
  await app?.close();
});

/** Both scans' first dry-run (after they read the busy underlyings, before they insert) waits for the other's. */
function barrier(n: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const all = new Promise<void>((resolve) => (open = resolve));
  return () => {
    arrived += 1;
    if (arrived === n) open();
    return all;
  };
}

describe('one structure per underlying across rule sets', () => {
  it('two rule sets racing on SPY create exactly one trade', async () => {
    const wait = barrier(2);
    const scanCtx = (): ScanContext => {
      const sql = createDb(app.db.url, { max: 2 });
      pools.push(sql);
      let first = true;
      const broker = Object.create(app.ctx.broker) as typeof app.ctx.broker;
      broker.dryRun = async (order): Promise<DryRunResult> => {
        if (first) {
          first = false;
          await wait();
        }
        return app.ctx.broker.dryRun(order);
      };
      return { ...app.ctx.scan, store: createPostgresStore(sql, 'sim'), broker };
    };
    const metrics = (await app.ctx.marketData.metrics(['SPY'])).get('SPY') ?? null;
    const runs = await Promise.all(
      ['race-a', 'race-b'].map(async (ruleSet) => {
        const ctx = scanCtx();
        const started = await startScan(ctx, ruleSet, 'race-slot');
        if (started.status !== 'started') throw new Error(`${ruleSet}: ${JSON.stringify(started)}`);
        const rulesHash = app.ctx.rules.get(ruleSet)!.hash;
        const child = await scanOneUnderlying(ctx, {
          scanRunId: started.scanRunId,
          ruleSet,
          rulesHash,
          underlying: 'SPY',
          metrics,
        });
        expect(child.accepted).toBeGreaterThan(0);
        return { ctx, job: { scanRunId: started.scanRunId, ruleSet, rulesHash }, child };
      }),
    );
    const results = await Promise.all(runs.map((r) => finishScan(r.ctx, r.job, [r.child])));

    const trades = await listTrades(app.ctx.sql);
    expect(trades.map((t) => t.underlying)).toEqual(['SPY']);
    expect(results.flatMap((r) => r.trades).map((t) => t.tradeId)).toEqual([trades[0]!.id]);
    const loser = results.find((r) => r.trades.length === 0)!;
    expect(loser.skipped.map((s) => s.reason)).toContain(
      `underlying SPY busy: trade ${trades[0]!.id} (${trades[0]!.ruleSet}, pending)`,
    );
    // Only the winner's entry was handed to the executor
    const jobs = await app.ctx.queues.execute.getJobs(['waiting', 'delayed', 'active', 'prioritized']);
    expect(jobs.map((j) => j.data.tradeId)).toEqual([trades[0]!.id]);
  }, 60_000);
});
