// Owns running one chaos campaign end to end: a fresh venue, database and queue prefix, the production worker processes,
// the seeded fault timeline, then calm → halt entries → settle → stop → reconcile → invariants. Returns its report.
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppContext, type AppContext } from '../src/app/context.js';
import { createExecContext } from '../src/app/exec-context.js';
import { addDays, nyDate, nyTime, sessionAt, weekday } from '@legwork/venue/calendar';
import { startVenue, type VenueHandle } from '@legwork/venue';
import { runHalt } from '../src/cli/halt.js';
import { loadConfig } from '../src/config/env.js';
import { TERMINAL_GROUP_STATUSES } from '../src/domain/order-group.js';
import { SUBMIT_ABSENCE_MARGIN_MS, SUBMIT_TIMEOUT_MS } from '../src/domain/submit-timing.js';
import { createLogger } from '../src/log.js';
import { reconcile } from '../src/pipeline/reconcile/reconcile.js';
import { enqueueManualScan } from '../src/queue/scan-jobs.js';
import { createDb } from '../src/store/db.js';
import { getTradingState, setTradingState } from '../src/store/settings.repo.js';
import { peakRssMb, startWorkerProcess, type WorkerProcess } from '../test/support/worker-process.js';
import { checkInvariants, type HaltWindow, type Violation } from './invariants.js';
import { liveWork, storeView, venueView } from './observe.js';
import { PROCESSES, type CampaignPlan, type FaultEvent, type FaultKind } from './plan.js';
import { chaosRuleFile } from './rules.js';
import type { PrivatePostgres, PrivateRedis } from './services.js';

export interface CampaignServices {
  redis: PrivateRedis;
  postgres: PrivatePostgres;
}

export interface CampaignReport {
  seed: number;
  index: number;
  ok: boolean;
  violations: Violation[];
  /** The harness itself failed (not a safety finding, but the campaign proves nothing). */
  error?: string;
  faults: Partial<Record<FaultKind, number>>;
  /** HTTP/stream faults the venue actually fired (an armed fault fires only if a matching request comes). */
  venueFired: Record<string, number>;
  rules: { file: string; strategy: string; mode: string; symbols: string[] }[];
  stats: {
    trades: number;
    groups: Record<string, number>;
    venueOrders: number;
    fills: number;
    openPositions: number;
    alerts: number;
    /** Worker processes that died without being killed by the campaign (e.g. on a Redis or Postgres restart). */
    unexpectedExits: number;
    driverErrors: number;
  };
  /** Closed-market periods and halts the campaign went through (wall ms into the trading window, and for how long). */
  periods: { kind: 'closed' | 'halted' | 'halted+flatten'; atMs: number; ms: number; resumed?: boolean }[];
  settleMs: number;
  /** Not quiet within the settle timeout (the invariants are still checked after the workers stop). */
  settleTimedOut?: boolean;
  openAtSettleTimeout?: string[];
  /** Event history of the orders and groups violations name (at most five). */
  evidence?: Record<string, string[]>;
  durationMs: number;
  peakRssMb: Record<string, number>;
  /** Last lines of each worker's output when something went wrong. */
  logs?: Record<string, string>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The venue runs a replayed clock (speed 1) from 10:00 New York time on the next trading day after today, so a
 * campaign can close the market (jump past the close) and re-open it (jump to the next open) — a night in seconds.
 * It starts after today so that quote times are never older than Legwork's wall clock.
 */
export function replayStart(wallNow: number): number {
  let date = nyDate(wallNow);
  for (let i = 0; i < 10; i++) {
    date = addDays(date, 1);
    const at = nyTime(date, '10:00');
    if (weekday(date) >= 1 && weekday(date) <= 5 && sessionAt(at).state === 'Open') return at;
  }
  throw new Error(`no trading day within 10 days of ${nyDate(wallNow)}`);
}
/** Settle bound: the absence proof (SUBMIT_TIMEOUT_MS + SUBMIT_ABSENCE_MARGIN_MS + the 30 s window) + group idle + slack. */
const SETTLE_TIMEOUT_MS = SUBMIT_TIMEOUT_MS + SUBMIT_ABSENCE_MARGIN_MS + 30_000 + 20_000 + 60_000;
const TERMINAL_GROUPS = [...TERMINAL_GROUP_STATUSES];

interface Proc {
  name: string;
  roles: string;
  handle: WorkerProcess;
  killedByUs: boolean;
  peakRssMb: number;
  output: string[];
}

/** Every worker logged that it started (after its startup reconciliation), or a clear error naming the laggard. */
async function allReady(procs: Proc[], timeoutMs = 60_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const late = procs.filter((p) => p.handle.alive()).map((p) => `${p.name}: ${p.output.join('').slice(-500)}`);
      reject(new Error(`workers not ready after ${timeoutMs} ms: ${late.join(' || ')}`));
    }, timeoutMs);
  });
  try {
    await Promise.race([Promise.all(procs.map((p) => p.handle.ready)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Waits until no group is open, no order is in flight and no trade waits for one (pending, opening or closing with no
 * live group: the exit cycle's repair must move it, e.g. a trade whose execute job was never enqueued because its
 * scan worker was killed) for 4 s in a row; false when `timeoutMs` ran out first.
 */
async function waitQuiet(app: AppContext, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let quietSince: number | null = null;
  while (Date.now() < deadline) {
    const live = await liveWork(app.sql);
    if (live.groups + live.orders + live.unattended === 0) {
      quietSince ??= Date.now();
      if (Date.now() - quietSince >= 4000) return true;
    } else {
      quietSince = null;
    }
    await sleep(400);
  }
  return false;
}

export async function runCampaign(
  plan: CampaignPlan,
  index: number,
  services: CampaignServices,
  opts: { settleTimeoutMs?: number; log?: (line: string) => void } = {},
): Promise<CampaignReport> {
  const started = Date.now();
  const say = opts.log ?? (() => {});
  const faults: Partial<Record<FaultKind, number>> = {};
  const count = (k: FaultKind) => (faults[k] = (faults[k] ?? 0) + 1);
  const report: CampaignReport = {
    seed: plan.seed,
    index,
    ok: false,
    violations: [],
    faults,
    venueFired: {},
    rules: plan.rules.map((r) => ({ file: r.file, strategy: r.strategy, mode: r.mode, symbols: r.symbols })),
    stats: {
      trades: 0,
      groups: {},
      venueOrders: 0,
      fills: 0,
      openPositions: 0,
      alerts: 0,
      unexpectedExits: 0,
      driverErrors: 0,
    },
    periods: [],
    settleMs: 0,
    durationMs: 0,
    peakRssMb: {},
  };
  const halts: HaltWindow[] = [];
  const dbName = `chaos_${plan.seed}_${randomBytes(3).toString('hex')}`;
  const rulesDir = mkdtempSync(join(tmpdir(), 'lw-chaos-rules-'));
  const prefix = `chaos${plan.seed}x${randomBytes(2).toString('hex')}`;
  const admin = createDb(services.postgres.url, { max: 1 });
  let sim: VenueHandle | undefined;
  let app: AppContext | undefined;
  const procs: Proc[] = [];
  const rssMax: Record<string, number> = {};
  const notePeak = (p: Proc) => (rssMax[p.name] = Math.max(rssMax[p.name] ?? 0, peakRssMb(p.handle.child.pid) ?? 0));
  try {
    sim = await startVenue({
      seed: plan.seed,
      clock: { mode: 'replay', startAt: replayStart(Date.now()), speed: 1 },
      tickMs: 50,
    });
    await admin.unsafe(`create database ${dbName}`);
    const dbUrl = new URL(services.postgres.url);
    dbUrl.pathname = `/${dbName}`;
    for (const r of plan.rules) writeFileSync(join(rulesDir, r.file), chaosRuleFile(r));
    const env = {
      TT_ENV: 'sim',
      LEGWORK_VENUE_URL: sim.baseUrl,
      DATABASE_URL: dbUrl.toString(),
      REDIS_URL: services.redis.url,
      LEGWORK_QUEUE_PREFIX: prefix,
      LEGWORK_RULES_DIR: rulesDir,
      LEGWORK_EXIT_EVERY_SECONDS: '2',
      LEGWORK_RECONCILE_EVERY_SECONDS: '3',
      LOG_LEVEL: 'info',
    };
    const config = loadConfig(env);
    say(`campaign ${index} seed ${plan.seed}: venue ${sim.baseUrl}, database ${dbName}`);
    app = await createAppContext({
      config,
      log: createLogger({ level: 'silent', pretty: false }),
      queuePrefix: prefix,
      rulesDir,
    });
    const account = sim.venue.accountNumbers()[0]!;

    const spawn = (name: string, roles: string): Proc => {
      const handle = startWorkerProcess(roles, env);
      const proc: Proc = { name, roles, handle, killedByUs: false, peakRssMb: 0, output: handle.output };
      void handle.exited.then(() => {
        if (!proc.killedByUs) report.stats.unexpectedExits += 1;
      });
      return proc;
    };
    for (const p of PROCESSES) procs.push(spawn(p.name, p.roles));
    say(`campaign ${index} seed ${plan.seed}: starting ${procs.map((p) => p.roles).join(' | ')}`);
    await allReady(procs);
    say(`campaign ${index} seed ${plan.seed}: workers ready`);

    // Trading window: the default fill behaviour, scans by hand on top of the schedulers, the timed faults
    sim.control.setFillBehavior(plan.defaultFill);
    const t0 = Date.now();
    const driver = async (what: string, action: () => Promise<unknown>) => {
      try {
        await action();
      } catch (error) {
        report.stats.driverErrors += 1;
        say(`  driver: ${what} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    const timeline: { atMs: number; run: () => Promise<void> }[] = [
      ...plan.scansAtMs.map((atMs, i) => ({
        atMs,
        run: () =>
          driver('scan', () =>
            Promise.all(
              plan.rules.map((r) => enqueueManualScan(app!.queues, r.file.replace(/\.yaml$/, ''), `chaos${i}`)),
            ),
          ),
      })),
      ...plan.events.map((e) => ({ atMs: e.atMs, run: () => inject(e) })),
    ].sort((a, b) => a.atMs - b.atMs);
    const background: Promise<unknown>[] = [];

    async function inject(e: FaultEvent): Promise<void> {
      count(e.kind);
      const s = sim!;
      switch (e.kind) {
        case 'reject':
          return s.control.setFillBehavior({
            next: true,
            behavior: 'reject',
            code: 'exchange_rejected',
            message: 'Rejected by the exchange (chaos)',
          });
        case 'never':
          return s.control.setFillBehavior({ next: true, behavior: 'never' });
        case 'partial':
          return s.control.setFillBehavior({ next: true, behavior: 'partial' });
        case 'delayed':
          return s.control.setFillBehavior({ next: true, behavior: 'delayed', delayMs: e.ms ?? 2000 });
        case 'http500AfterCreate':
          return s.control.injectFault({ kind: 'http500AfterCreate', path: '/accounts' });
        case 'hang':
          return s.control.injectFault({ kind: 'hang', ms: e.ms ?? 3000, path: `/accounts/${account}/orders` });
        case 'rateLimit':
          return s.control.injectFault({ kind: 'rateLimit', count: e.count ?? 5 });
        case 'dropStreams':
          return s.control.injectFault({ kind: 'dropStreams' });
        case 'silentStreams':
          return s.control.injectFault({ kind: 'silentStreams', ms: e.ms ?? 5000 });
        case 'duplicatePushes':
          return s.control.injectFault({ kind: 'duplicatePushes', count: e.count ?? 1 });
        case 'reorderPushes':
          return s.control.injectFault({ kind: 'reorderPushes', count: e.count ?? 1 });
        case 'marketJump': {
          const u = e.underlying ?? 'SPY';
          s.control.moveMarket(u, { spot: Math.round(s.market.spot(u) * (e.factor ?? 1.05) * 100) / 100 });
          return;
        }
        case 'kill9': {
          const i = procs.findIndex((p) => p.name === e.process);
          const p = procs[i];
          if (!p?.handle.alive()) return;
          p.killedByUs = true;
          notePeak(p);
          p.handle.kill9();
          await p.handle.exited;
          // Restart after the pause without holding up the timeline
          background.push(sleep(e.ms ?? 500).then(() => (procs[i] = spawn(p.name, p.roles))));
          return;
        }
        case 'redisRestart':
          background.push(
            services.redis
              .restart({ downMs: e.ms ?? 500 })
              .catch((error: unknown) => say(`  redis restart failed: ${String(error)}`)),
          );
          return;
        case 'postgresRestart':
          background.push(
            services.postgres
              .restart({ downMs: e.ms ?? 500 })
              .catch((error: unknown) => say(`  postgres restart failed: ${String(error)}`)),
          );
          return;
        case 'marketClose': {
          // The close: the venue's clock jumps past it (working day orders expire there); the market moves while
          // closed, so exits become due when nothing can be sent; `ms` later the clock jumps to the next open
          const closeAt = s.clock.session().closeAt;
          if (s.clock.now() >= closeAt) return;
          s.control.advanceClock(closeAt + 5000 - s.clock.now());
          const period = { kind: 'closed' as const, atMs: Date.now() - t0, ms: e.ms ?? 2000 };
          report.periods.push(period);
          background.push(
            (async () => {
              await sleep(period.ms / 2);
              const u = e.underlying ?? 'SPY';
              s.control.moveMarket(u, { spot: Math.round(s.market.spot(u) * (e.factor ?? 1.06) * 100) / 100 });
              await sleep(period.ms / 2);
              s.control.advanceClock(s.clock.session().nextOpenAt + 5000 - s.clock.now());
            })(),
          );
          return;
        }
        case 'halt':
        case 'haltFlatten': {
          const flatten = e.kind === 'haltFlatten';
          // A halt while PostgreSQL restarts fails (seed 20261243 index 35 recorded a halt that never took effect, then
          // named an order sent while Legwork was active): the operator tries again until the halt is in force
          let code = 1;
          for (let tries = 0; tries < 40; tries++) {
            code = await runHalt(['--reason', `chaos ${e.kind}`, ...(flatten ? ['--flatten'] : [])], 'halt', {
              app: app!,
              out: () => {},
            }).catch(() => 1);
            if (code === 0 || (await tradingStateOnceReadable(app!)) === 'halted') break;
            await sleep(500);
          }
          // The 1 s budget runs from when the halt is in force (committed), not from when the driver began writing it
          const window: HaltWindow = { haltAt: s.clock.now(), resumeAt: null };
          halts.push(window);
          if (code !== 0) say(`  driver: halt${flatten ? ' --flatten' : ''} exited ${code}`);
          const period: CampaignReport['periods'][number] = {
            kind: flatten ? 'halted+flatten' : 'halted',
            atMs: Date.now() - t0,
            ms: e.ms ?? 2000,
          };
          report.periods.push(period);
          background.push(
            sleep(period.ms).then(async () => {
              const resumeAt = s.clock.now();
              const code = await runHalt([], 'resume', { app: app!, out: () => {} }).catch(() => 1);
              // A resume that failed may still have committed (PostgreSQL restarting as it answered): the state decides
              period.resumed = code === 0 || (await tradingStateOnceReadable(app!)) === 'active';
              if (period.resumed) window.resumeAt = resumeAt;
            }),
          );
          return;
        }
      }
    }

    for (const step of timeline) {
      const wait = t0 + step.atMs - Date.now();
      if (wait > 0) await sleep(wait);
      await step.run();
    }
    const rest = t0 + plan.tradingMs - Date.now();
    if (rest > 0) await sleep(rest);
    await Promise.all(background);

    // Settle: no more faults, no new entries (exits still run), every process up, then wait for quiet
    const settleStart = Date.now();
    sim.control.calm();
    if (!sim.clock.isMarketOpen()) sim.control.advanceClock(sim.clock.session().nextOpenAt + 5000 - sim.clock.now());
    await setTradingState(app.sql, 'halted', 'chaos', 'campaign settling').catch(async () => {
      await sleep(1500);
      await setTradingState(app!.sql, 'halted', 'chaos', 'campaign settling');
    });
    // From when the halt is in force: a retried write (PostgreSQL restarting) must not count against Legwork
    halts.push({ haltAt: sim.clock.now(), resumeAt: null });
    for (let i = 0; i < procs.length; i++) {
      if (!procs[i]!.handle.alive()) {
        if (!procs[i]!.killedByUs) say(`  ${procs[i]!.name} died on its own: ${procs[i]!.output.join('').slice(-600)}`);
        procs[i] = spawn(procs[i]!.name, procs[i]!.roles);
      }
    }
    await allReady(procs);
    // The slowest legitimate settle: an order whose submit outcome is unknown may only be proven absent after the submit
    // timeout, its margin and the absence window (15 + 15 + 30 s), then its group resumes after the idle time (20 s)
    const quiet = () => waitQuiet(app!, opts.settleTimeoutMs ?? SETTLE_TIMEOUT_MS);
    let settled = await quiet();
    // Stop what starts new work first (scans, exit rules, reconciliation), let the executors finish what is queued,
    // then stop them: a group planned by the exit worker as it stopped must not be left without its executor
    const stop = async (p: Proc) => {
      notePeak(p);
      p.killedByUs = true;
      p.handle.child.kill('SIGTERM');
      const stopped = await Promise.race([p.handle.exited.then(() => true), sleep(15_000).then(() => false)]);
      if (!stopped) p.handle.kill9();
    };
    const [starter, ...executors] = procs;
    await stop(starter!);
    settled = (await quiet()) && settled;
    report.settleMs = Date.now() - settleStart;
    if (!settled) {
      report.settleTimedOut = true;
      const open = await app.sql<
        { g: string }[]
      >`select kind || ' ' || status || ' ' || mode || coalesce(' (' || reason || ')', '') || ' orders: ' ||
          coalesce((select string_agg(o.role || ':' || o.status, ',') from orders o where o.group_id = g.id), '-') as g
        from order_groups g where status <> all(${TERMINAL_GROUPS})`;
      const orders = await app.sql<
        { o: string }[]
      >`select o.role || ' ' || o.status || ' of ' || g.kind || ' ' || g.status as o from orders o join order_groups g on g.id = o.group_id
        where o.status in ('submitting', 'unknown', 'working', 'partially_filled', 'pending_cancel')`;
      const counts = await app.queues.execute
        .getJobCounts('active', 'waiting', 'prioritized', 'delayed', 'failed', 'completed')
        .catch(() => ({}));
      const active = await app.queues.execute.getJobs(['active'], 0, 20).catch(() => []);
      report.openAtSettleTimeout = [
        ...open.map((r) => r.g),
        ...orders.map((r) => `order ${r.o}`),
        `execute queue ${JSON.stringify(counts)}; active: ${active.map((j) => `${j.id} since ${Math.round((Date.now() - (j.processedOn ?? Date.now())) / 1000)} s`).join(', ')}`,
      ];
      say(`  settle timed out; open: ${report.openAtSettleTimeout.join(' | ')}`);
    }

    // Stop the executors gracefully, then one last reconciliation, then compare the two truths
    await Promise.all(executors.map(stop));
    await reconcile(createExecContext(app), 'periodic');
    const venue = venueView(sim.control.state(), account);
    const store = await storeView(app.sql);
    // Legwork runs on the venue's clock (the one clock): its stored times compare with the venue's time
    report.violations = checkInvariants(venue, store, { halts, onePerUnderlying: true, now: sim.clock.now() });
    // Evidence for each order a violation names: its event history and the venue's copy
    const named = [
      ...new Set(
        report.violations.flatMap(
          (v) => v.detail.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g) ?? [],
        ),
      ),
    ].slice(0, 5);
    if (named.length > 0) {
      report.evidence = {};
      for (const id of named) {
        const events = await app.sql<{ e: string }[]>`select e from (
            select at, to_char(at, 'HH24:MI:SS.MS') || ' ' || type || ' ' || coalesce(from_status, '') || '→' || coalesce(to_status, '') || ' ' || source || ' ' || data::text as e
              from order_events where order_id = ${id} or group_id = ${id}
            union all
            select at, to_char(at, 'HH24:MI:SS.MS') || ' ' || entity || ' ' || event || ' ' || from_status || '→' || to_status || ' ' || data::text
              from state_events where entity_id = ${id}
              or entity_id = (select g.id from order_groups g join orders o on o.group_id = g.id where o.id = ${id})) x order by at`;
        const row = store.orders.find((o) => o.id === id);
        const atVenue = venue.orders
          .filter((o) => o.externalId === id || o.id === row?.brokerOrderId)
          .map((o) => `${o.id} ${o.status} replaces ${o.replacesOrderId ?? '-'}`);
        report.evidence[id] = [...events.map((r) => r.e.slice(0, 400)), `venue: ${atVenue.join('; ')}`];
      }
    }

    const groups = await app.sql<
      { key: string; n: number }[]
    >`select kind || ':' || status as key, count(*)::int as n from order_groups group by 1 order by 1`;
    report.stats.groups = Object.fromEntries(groups.map((g) => [g.key, g.n]));
    const [trades] = await app.sql<{ n: number }[]>`select count(*)::int as n from trades`;
    const [alerts] = await app.sql<
      { n: number }[]
    >`select count(*)::int as n from audit_events where kind like 'alert%'`;
    report.stats.trades = trades?.n ?? 0;
    report.stats.alerts = alerts?.n ?? 0;
    report.stats.venueOrders = venue.orders.length;
    report.stats.fills = store.fills.length;
    report.stats.openPositions = venue.positions.filter((p) => p.quantity !== 0).length;
    report.venueFired = Object.fromEntries(
      Object.entries((sim.control.state()['faults'] as { fired: Record<string, number> }).fired).filter(
        ([, n]) => n > 0,
      ),
    );
    report.ok = report.violations.length === 0;
  } catch (error) {
    report.error = error instanceof Error ? `${error.message}` : String(error);
    report.ok = false;
  } finally {
    for (const p of procs) {
      p.killedByUs = true;
      if (p.handle.alive()) p.handle.kill9();
    }
    await Promise.all(procs.map((p) => p.handle.exited));
    if (!report.ok) report.logs = Object.fromEntries(procs.map((p) => [p.name, p.output.join('').slice(-4000)]));
    // Whole worker logs on request (a restarted worker's log follows its predecessor's)
    const logDir = process.env.CHAOS_LOG_DIR;
    if (logDir) {
      mkdirSync(logDir, { recursive: true });
      for (const p of procs) appendFileSync(join(logDir, `${plan.seed}-${index}-${p.name}.log`), p.output.join(''));
    }
    report.peakRssMb = rssMax;
    await app?.close().catch(() => {});
    await sim?.close().catch(() => {});
    await admin.unsafe(`drop database if exists ${dbName} with (force)`).catch(() => {});
    await admin.end({ timeout: 5 }).catch(() => {});
    rmSync(rulesDir, { recursive: true, force: true });
    report.durationMs = Date.now() - started;
  }
  return report;
}

/** The trading state as PostgreSQL holds it, read again until it answers (a restart lasts seconds); null after 15 s. */
async function tradingStateOnceReadable(app: AppContext): Promise<string | null> {
  for (let tries = 0; tries < 30; tries++) {
    try {
      return (await getTradingState(app.sql)).state;
    } catch {
      await sleep(500);
    }
  }
  return null;
}
