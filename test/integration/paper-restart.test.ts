// Owns restarting paper mode over the same database (a newcomer's check: the second `npm start` opened nothing): the
// venue keeps its paper account in a state file, so after a restart the open trades' legs are still at the broker
// (reconciliation finds nothing missing) and the broker order ids it hands out are new to Postgres.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VenueHandle } from '@legwork/venue';
import { afterAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../src/app/context.js';
import { loadConfig } from '../../src/config/env.js';
import { newId } from '../../src/domain/ids.js';
import { createLogger } from '../../src/log.js';
import { applyBrokerOrder } from '../../src/pipeline/broker-sync.js';
import { reconcile } from '../../src/pipeline/reconcile/reconcile.js';
import { QUEUE_NAMES } from '../../src/queue/jobs.js';
import { getOrder } from '../../src/store/orders.repo.js';
import { REDIS_URL, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { recordingJobs, testExecContext } from '../support/executor-process.js';
import { startTestVenue, TUESDAY_10_NY } from '../support/venue.js';
import { waitUntil } from '../support/wait-until.js';
import { workingCondorOrder } from '../support/working-order.js';

const DAY = 24 * 60 * 60 * 1000;
let db: TestDatabase | undefined;
const open: { close(): Promise<void> }[] = [];

/** Legwork's process over `sim` and the test database (what `legwork start` builds). */
async function legwork(sim: VenueHandle, database: TestDatabase): Promise<AppContext> {
  const config = loadConfig({
    LEGWORK_VENUE_URL: sim.baseUrl,
    DATABASE_URL: database.url,
    REDIS_URL,
    LOG_LEVEL: 'warn',
    LEGWORK_CLOCK: 'wall',
  });
  const ctx = await createAppContext({
    config,
    log: createLogger({ level: 'warn', pretty: false }),
    queuePrefix: `lwt${randomBytes(4).toString('hex')}`,
    rulesDir: mkdtempSync(join(tmpdir(), 'lw-rules-')),
  });
  open.push({
    async close() {
      for (const q of QUEUE_NAMES) await ctx.queues[q].obliterate({ force: true }).catch(() => {});
      await ctx.close();
    },
  });
  return ctx;
}

afterAll(async () => {
  for (const o of open.reverse()) await o.close().catch(() => {});
  await db?.drop();
});

describe('paper mode restarted over the same database', () => {
  it('meets the account it left: the open trade’s legs are at the venue, and new broker order ids are new', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'lw-paper-')), 'account.json');
    db = await createTestDatabase();

    // First run: a condor entry fills and Postgres records its fills
    const first = await startTestVenue({ stateFile });
    const ctx1 = await legwork(first, db);
    const { orderId } = await workingCondorOrder({ sim: first, ctx: ctx1 } as TestApp);
    const firstBrokerId = (await getOrder(ctx1.sql, orderId))!.brokerOrderId!;
    first.control.advanceClock(2000);
    await waitUntil(async () => (await ctx1.broker.getOrder(firstBrokerId)).status === 'filled', {
      what: 'the condor filled at the venue',
    });
    await applyBrokerOrder(ctx1, await ctx1.broker.getOrder(firstBrokerId), 'reconcile');
    const held = await ctx1.sql<{ n: number }[]>`select count(*)::int as n from trade_positions where quantity <> 0`;
    expect(held[0]!.n).toBe(4);

    // Ctrl-C: Legwork and its in-process venue stop; the next start is the next day, on the same port
    await open.pop()!.close();
    await first.close();
    const second = await startTestVenue({
      stateFile,
      port: first.port,
      clock: { mode: 'replay', startAt: TUESDAY_10_NY + DAY, speed: 0 },
    });
    open.push(second);
    const ctx2 = await legwork(second, db);

    const report = await reconcile(
      { ...testExecContext(ctx2, recordingJobs()), now: () => second.clock.now() },
      'startup',
    );
    expect(report.positionDifferences).toEqual([]);
    const alerts = await ctx2.sql`select data from audit_events where kind = 'alert'`;
    expect(alerts).toEqual([]);

    const order = await ctx2.broker.submit({
      orderType: 'Limit',
      timeInForce: 'Day',
      limitPriceCents: -100,
      legs: [{ symbol: 'AAPL', instrumentType: 'Equity', action: 'Buy to Open', quantity: 1 }],
      externalId: newId(),
    });
    expect(order.brokerOrderId).not.toBe(firstBrokerId);
    const known = await ctx2.sql<{ id: number }[]>`select broker_order_id::int as id from order_broker_ids
      union select broker_order_id::int from orders where broker_order_id is not null`;
    expect(known.map((k) => k.id)).not.toContain(order.brokerOrderId);
  }, 90_000);
});
