// Owns the legged rollback benchmark: a SPY iron condor under a rule with `execution: { mode: legged }`, run in-process by
// executeGroup (src/pipeline/execute/execute-group.ts) with the production exec context, the venue rejecting the short put (the third
// leg placed, after both wings filled). Per sample: from "rejection seen" (the order_events row that records the short
// put leg as rejected: its `at`, Postgres now()) to "group flat" (the later of: the group's rolled_back transition, its
// order_groups.updated_at; and the venue's positions in the four symbols all back to zero, Date.now() in the venue's
// onEvent listener on the CurrentPosition that made them zero; cross-checked by polling the venue's positions in-process
// every 5 ms), and checked afterwards against the venue's state.
// Also reports the venue's own reject (Date.now() in onEvent) → rejection seen. Prints ONE JSON object.
// Run: npm run bench:rollback
import { rmSync } from 'node:fs';
import { createExecContext } from '../src/app/exec-context.js';
import { executeGroup } from '../src/pipeline/execute/execute-group.js';
import { REDIS_URL, startTestApp } from '../test/support/app.js';
import { insertPendingCondor, nakedLegs, venuePositions } from '../test/support/executor-process.js';
import { condorRule } from '../test/support/rules.js';
import { dropRedisKeys, sampleStats } from './stats.js';

const SAMPLES = Number(process.env['BENCH_SAMPLES'] ?? 12);
const RULE = 'ic-legged';

const stats = (values: number[]) => sampleStats(values);

const app = await startTestApp({
  'legged.yaml': condorRule({ name: RULE, execution: 'execution: { mode: legged, partialFill: close }' }),
});
const exec = createExecContext(app.ctx);
const { sim, ctx } = app;

// Venue-side wall clock: when an order of ours was rejected, and when a watched set of symbols went flat
const rejectedAt = new Map<string, number>();
let watched = new Map<string, number>();
let venueFlatAt: number | undefined;
const unsubscribe = sim.venue.onEvent((_account, event) => {
  const now = Date.now();
  if (event.type === 'Order' && event.data['status'] === 'Rejected') {
    const ext = event.data['external-identifier'];
    if (typeof ext === 'string' && !rejectedAt.has(ext)) rejectedAt.set(ext, now);
  }
  if (event.type === 'CurrentPosition') {
    const symbol = String(event.data['symbol']);
    if (!watched.has(symbol)) return;
    const qty = Number(event.data['quantity']) * (event.data['quantity-direction'] === 'Short' ? -1 : 1);
    watched.set(symbol, qty);
    const flat = [...watched.values()].every((q) => q === 0);
    if (flat) venueFlatAt ??= now;
    else venueFlatAt = undefined;
  }
});

interface Sample {
  rejectionSeenToFlatMs: number;
  venueRejectToSeenMs: number;
  rejectionSeenToGroupRolledBackMs: number;
  rejectionSeenToVenueFlatMs: number;
  rejectionSeenToVenueFlatPolledMs: number;
  runMs: number;
  compensationOrders: number;
}
const samples: Sample[] = [];
let failure: unknown;
try {
  for (let i = 0; i < SAMPLES; i++) {
    const { tradeId, groupId, condor: c } = await insertPendingCondor(app, RULE, 0.03 + 0.005 * i);
    const symbols = [c.longPut, c.shortPut, c.shortCall, c.longCall].map((l) => l.symbol);
    if (venuePositions(sim, c).size > 0)
      throw new Error(`sample ${i}: the venue already holds positions in ${symbols.join(', ')}`);
    watched = new Map(symbols.map((s) => [s, 0]));
    venueFlatAt = undefined;
    sim.venue.clearFillRules();
    sim.control.setFillBehavior({
      symbol: c.shortPut.symbol,
      behavior: 'reject',
      message: 'bench: exchange rejected the short put',
    });
    // Cross-check of the event time: the venue's positions polled in-process every 5 ms while the executor runs
    let heldSomething = false;
    let polledFlatAt: number | undefined;
    const poll = setInterval(() => {
      const open = venuePositions(sim, c).size > 0;
      if (open) {
        heldSomething = true;
        polledFlatAt = undefined;
      } else if (heldSomething) polledFlatAt ??= Date.now();
    }, 5);
    const t0 = Date.now();
    const result = await executeGroup(exec, tradeId, groupId).finally(() => clearInterval(poll));
    const runMs = Date.now() - t0;
    sim.venue.clearFillRules();
    if (result.status !== 'rolled_back')
      throw new Error(`sample ${i}: group ended ${result.status} (${result.reason ?? ''})`);
    // The venue's own state (not the events) must agree: flat in all four symbols, nothing naked
    if (venuePositions(sim, c).size > 0 || nakedLegs(sim, c).length > 0)
      throw new Error(`sample ${i}: venue not flat: ${JSON.stringify([...venuePositions(sim, c)])}`);
    if (venueFlatAt === undefined) throw new Error(`sample ${i}: no flat moment seen on the venue's events`);
    const [rejected] = await ctx.sql<{ orderId: string; at: Date }[]>`
      select e.order_id as "orderId", e.at from order_events e join orders o on o.id = e.order_id
      where e.group_id = ${groupId} and o.role = 'leg' and e.to_status = 'rejected' order by e.id limit 1`;
    const [group] = await ctx.sql<
      { status: string; updatedAt: Date }[]
    >`select status, updated_at as "updatedAt" from order_groups where id = ${groupId}`;
    const [closes] = await ctx.sql<
      { n: number }[]
    >`select count(*)::int as n from orders where group_id = ${groupId} and role = 'compensation'`;
    if (!rejected || group?.status !== 'rolled_back')
      throw new Error(`sample ${i}: no rejected leg event or group ${group?.status}`);
    const seen = rejected.at.getTime();
    const venueReject = rejectedAt.get(rejected.orderId);
    if (venueReject === undefined)
      throw new Error(`sample ${i}: the venue never published the rejection of ${rejected.orderId}`);
    const flatAt = Math.max(group.updatedAt.getTime(), venueFlatAt);
    samples.push({
      rejectionSeenToFlatMs: flatAt - seen,
      venueRejectToSeenMs: seen - venueReject,
      rejectionSeenToGroupRolledBackMs: group.updatedAt.getTime() - seen,
      rejectionSeenToVenueFlatMs: venueFlatAt - seen,
      rejectionSeenToVenueFlatPolledMs: polledFlatAt === undefined ? NaN : polledFlatAt - seen,
      runMs,
      compensationOrders: closes?.n ?? 0,
    });
  }
} catch (error) {
  failure = error;
} finally {
  unsubscribe();
  await app.close(); // obliterates the queues, closes the app, drops the database, closes the venue
  // The broker-call statistics kept under the queue prefix
  await dropRedisKeys(REDIS_URL, ctx.queues.settings.prefix);
  rmSync(app.rulesDir, { recursive: true, force: true });
}
if (failure) throw failure;

const total = stats(samples.map((s) => s.rejectionSeenToFlatMs));
const result = {
  name: 'legged-rollback',
  executor:
    'in-process: executeGroup (src/pipeline/execute/execute-group.ts) with createExecContext, production legged options (poll 150 ms)',
  scenario: 'SPY iron condor, legged; both wings fill, the venue rejects the short put; the wings are sold back',
  from: 'order_events.at of the rejected leg (Legwork records the rejection; Postgres now())',
  to: 'max(order_groups.updated_at at rolled_back, venue CurrentPosition event making all four symbols zero (Date.now()))',
  n: total.n,
  p50Ms: total.p50,
  p99Ms: total.p99,
  maxMs: total.max,
  venueRejectToSeen: stats(samples.map((s) => s.venueRejectToSeenMs)),
  seenToVenueFlat: stats(samples.map((s) => s.rejectionSeenToVenueFlatMs)),
  seenToVenueFlatPolled5ms: stats(samples.map((s) => s.rejectionSeenToVenueFlatPolledMs)),
  seenToGroupRolledBack: stats(samples.map((s) => s.rejectionSeenToGroupRolledBackMs)),
  wholeRun: stats(samples.map((s) => s.runMs)),
  samples,
  summary: `p50 ${total.p50} ms, p99 ${total.p99} ms, max ${total.max} ms (n ${total.n}); venue reject → seen p50 ${stats(samples.map((s) => s.venueRejectToSeenMs)).p50} ms`,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
