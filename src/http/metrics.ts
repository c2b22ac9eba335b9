// Owns the Prometheus metrics: a prom-client registry with the default process metrics plus Legwork's own gauges, each
// computed at scrape time from Postgres and BullMQ, the broker calls as a counter and a histogram read from the
// counts every process keeps in Redis (so they are true across every process, not just this one), and the account's
// gauges from the risk report (account-metrics.ts), read at most once a minute.
import {
  AggregatorRegistry,
  collectDefaultMetrics,
  Counter,
  Gauge,
  Registry,
  type PrometheusContentType,
} from 'prom-client';
import type { AppContext } from '../app/context.js';
import type { Logger } from '../log.js';
import type { BrokerStats } from '../queue/broker-stats.js';
import { QUEUE_NAMES } from '../queue/jobs.js';
import { getTradingState } from '../store/settings.repo.js';
import { accountMetrics, cachedRiskSource, type RiskSource } from './account-metrics.js';

/** Trading state as a number: 0 active, 1 halted, 2 reducing. */
export const TRADING_STATE_VALUE = { active: 0, halted: 1, reducing: 2 } as const;
const QUEUE_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'failed',
  'completed',
] as const;

type Labelled = { labels: Record<string, string>; value: number };

/** A gauge whose value(s) come from `read()` at every scrape. */
function scraped(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  read: () => Promise<Labelled[] | number>,
): void {
  new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    async collect() {
      const v = await read();
      this.reset();
      if (typeof v === 'number') this.set(v);
      else for (const { labels, value } of v) this.set(labels, value);
    },
  });
}

export const BROKER_REQUESTS = 'legwork_broker_requests_total';
export const BROKER_DURATION = 'legwork_broker_request_duration_seconds';

/**
 * Broker call durations as a Prometheus histogram, in the JSON form of prom-client's `getMetricsAsJSON()`, from the
 * bucket counts in Redis. prom-client's Histogram can only `observe()` one value at a time, and these observations were
 * made (and bucketed) by other processes; `AggregatorRegistry.aggregate` is prom-client's way to serve such metrics.
 */
async function brokerDurations(stats: BrokerStats): Promise<object> {
  const values = (await stats.read()).latency.flatMap(({ operation, buckets, sumSeconds, count }) => [
    ...buckets.map((b) => ({
      metricName: `${BROKER_DURATION}_bucket`,
      labels: { le: b.le, operation },
      value: b.count,
    })),
    { metricName: `${BROKER_DURATION}_sum`, labels: { operation }, value: sumSeconds },
    { metricName: `${BROKER_DURATION}_count`, labels: { operation }, value: count },
  ]);
  return {
    name: BROKER_DURATION,
    help: 'Broker call duration in seconds, by operation, all processes',
    type: 'histogram',
    aggregator: 'sum',
    values,
  };
}

export interface Metrics {
  contentType: string;
  /** The exposition text of every metric, computed now. */
  metrics(): Promise<string>;
}

export interface MetricsOptions {
  /** The account's risk report for the legwork_account_* gauges (read at most once a minute); without one they have no sample. */
  riskSource?: RiskSource;
  /** For milliseconds of the risk cache's age (default Date.now). */
  now?: () => number;
  log?: Logger;
}

export function createMetrics(
  app: Pick<AppContext, 'sql' | 'queues' | 'rules' | 'brokerStats'>,
  options: MetricsOptions = {},
): Metrics {
  const registry = new Registry();
  const { riskSource } = options;
  const risk = riskSource
    ? cachedRiskSource(riskSource, {
        ...(options.now ? { now: options.now } : {}),
        onError: (error) => options.log?.warn({ err: error }, 'metrics: the risk report failed; account gauges empty'),
      })
    : async () => null;
  collectDefaultMetrics({ register: registry });
  const { sql } = app;
  const byLabel = async (label: string, rows: Promise<{ k: string | null; n: number }[]>): Promise<Labelled[]> =>
    (await rows).map((r) => ({ labels: { [label]: r.k ?? 'none' }, value: Number(r.n) }));
  const one = async (rows: Promise<{ n: number | null }[]>): Promise<number> => Number((await rows)[0]?.n ?? 0);

  scraped(registry, 'legwork_scan_runs', 'Scan runs by status', ['status'], () =>
    byLabel('status', sql`select status as k, count(*)::int as n from scan_runs group by status`),
  );
  scraped(registry, 'legwork_candidates_evaluated', 'Candidates evaluated, summed over every scan run', [], () =>
    one(sql`select coalesce(sum(candidates_evaluated), 0)::bigint as n from scan_runs`),
  );
  scraped(
    registry,
    'legwork_candidates_accepted',
    'Candidates accepted by the rules, summed over every scan run',
    [],
    () => one(sql`select coalesce(sum(accepted), 0)::bigint as n from scan_runs`),
  );
  scraped(registry, 'legwork_orders', 'Orders by status', ['status'], () =>
    byLabel('status', sql`select status as k, count(*)::int as n from orders group by status`),
  );
  scraped(registry, 'legwork_fills', 'Fills recorded', [], () => one(sql`select count(*)::int as n from fills`));
  scraped(registry, 'legwork_price_steps', 'Price steps (replaces) made while walking limit prices', [], () =>
    one(sql`select coalesce(sum(price_steps), 0)::bigint as n from orders`),
  );
  scraped(registry, 'legwork_rollbacks', 'Order groups rolled back', [], () =>
    one(sql`select count(*)::int as n from order_groups where status = 'rolled_back'`),
  );
  scraped(registry, 'legwork_broken_groups', 'Order groups broken (need a human)', [], () =>
    one(sql`select count(*)::int as n from order_groups where status = 'broken'`),
  );
  scraped(registry, 'legwork_exits', 'Trades exited, by exit reason', ['reason'], () =>
    byLabel(
      'reason',
      sql`select exit_reason as k, count(*)::int as n from trades where exit_reason is not null group by exit_reason`,
    ),
  );
  scraped(registry, 'legwork_trades', 'Trades by status', ['status'], () =>
    byLabel('status', sql`select status as k, count(*)::int as n from trades group by status`),
  );
  // Broker calls as every process saw them (recorded in Redis by the adapter's policy); durations: brokerDurations
  new Counter({
    name: BROKER_REQUESTS,
    help: 'Broker calls by operation and outcome (ok, rejected, unknown, retryable, fatal), all processes',
    labelNames: ['operation', 'outcome'],
    registers: [registry],
    async collect() {
      const { calls } = await app.brokerStats.read();
      this.reset();
      for (const c of calls) this.inc({ operation: c.operation, outcome: c.outcome }, c.count);
    },
  });
  scraped(
    registry,
    'legwork_rule_reload_failures',
    'Rule files refused: source=registry (refused now, this process), source=audit (rules_refused events)',
    ['source'],
    async () => [
      { labels: { source: 'registry' }, value: app.rules.errors().length },
      {
        labels: { source: 'audit' },
        value: await one(sql`select count(*)::int as n from audit_events where kind = 'rules_refused'`),
      },
    ],
  );
  scraped(
    registry,
    'legwork_trading_state',
    'Trading state: 0 active, 1 halted, 2 reducing',
    [],
    async () => TRADING_STATE_VALUE[(await getTradingState(sql)).state],
  );
  scraped(registry, 'legwork_queue_jobs', 'BullMQ jobs by queue and state', ['queue', 'state'], async () => {
    const out: Labelled[] = [];
    for (const name of QUEUE_NAMES) {
      const counts = await app.queues[name].getJobCounts(...QUEUE_STATES);
      for (const state of QUEUE_STATES) out.push({ labels: { queue: name, state }, value: counts[state] ?? 0 });
    }
    return out;
  });
  scraped(
    registry,
    'legwork_queue_oldest_waiting_seconds',
    'Age of the oldest waiting (or prioritized) job per queue; 0 when none',
    ['queue'],
    async () => {
      const now = Date.now();
      const out: Labelled[] = [];
      for (const name of QUEUE_NAMES) {
        const q = app.queues[name];
        const jobs = [...(await q.getJobs(['wait'], 0, 0, true)), ...(await q.getJobs(['prioritized'], 0, 99, true))];
        const oldest = Math.min(...jobs.map((j) => j?.timestamp ?? now), now);
        out.push({ labels: { queue: name }, value: Math.max(0, (now - oldest) / 1000) });
      }
      return out;
    },
  );
  return {
    contentType: registry.contentType,
    async metrics() {
      const broker = AggregatorRegistry.aggregate<PrometheusContentType>([
        [await brokerDurations(app.brokerStats), ...accountMetrics(await risk())],
      ]);
      return Registry.merge([registry, broker]).metrics();
    },
  };
}
