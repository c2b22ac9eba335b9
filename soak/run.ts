// Owns `npm run soak`: the venue on a frozen replayed clock from the Monday of a monthly-expiration week, the whole of
// Legwork (the production worker processes) on it, the clock moved day after day through sessions, closes, nights,
// weekends, holidays and expirations; at the end the chaos invariants plus the across-days ones, and a JSON report.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { checkInvariants, type Violation } from '../chaos/invariants.js';
import { liveWork, storeView, venueView } from '../chaos/observe.js';
import { PROCESSES } from '../chaos/plan.js';
import { syncPortfolio } from '../src/pipeline/account/account-stage.js';
import { startPrivatePostgres, startPrivateRedis } from '../chaos/services.js';
import { createAppContext, type AppContext } from '../src/app/context.js';
import { createExecContext } from '../src/app/exec-context.js';
import { addDays, nyDate, nyTime, weekday } from '@legwork/venue/calendar';
import { startVenue, type VenueHandle } from '@legwork/venue';
import { loadConfig } from '../src/config/env.js';
import { createLogger } from '../src/log.js';
import { reconcile } from '../src/pipeline/reconcile/reconcile.js';
import { createDb, type Sql } from '../src/store/db.js';
import { setTradingState } from '../src/store/settings.repo.js';
import { readArgs } from '../src/util/cli-args.js';
import { peakRssMb, startWorkerProcess, type WorkerProcess } from '../test/support/worker-process.js';
import {
  dayOrdersOvernight,
  exitsOnWrongDates,
  missingCloseSnapshots,
  orphanPositions,
  unattributedPositions,
  unresolvedExpirations,
  type CloseCheckpoint,
  type SoakExit,
  type SoakTrade,
  type SoakViolation,
} from './invariants.js';
import { SOAK_RULES } from './rules.js';
import { BUSY_STEP_MS, mondayOfExpirationWeek, nextStep } from './time-plan.js';

const USAGE = `usage: npm run soak -- [--days N] [--start YYYY-MM-DD] [--seed S] [--out FILE]
  --days N      simulated trading days (default 20)
  --start DATE  first day (default: the Monday of the first monthly-expiration week in January 2027)
  --seed S      the venue's market seed (default 20261206)
  --out FILE    the JSON report (default .legwork/soak-report.json)`;

/** Wall time between two steps inside a session: the workers see each simulated minute. */
const STEP_PAUSE_MS = 25;
/** How long the driver waits for the scan, exit and reconcile queues to drain before the next step. */
const DRAIN_MAX_MS = 3_000;
/** After a close: how long Legwork has (wall) to record that its day orders expired. */
const CLOSE_GRACE_MS = 20_000;
/** After the last day: simulated time for the next morning's settlements, assignments and closes. */
const LAST_MORNING_MS = 3 * 3_600_000;
const LIVE_ORDERS = ['submitting', 'unknown', 'working', 'partially_filled', 'pending_cancel'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (line: string) => process.stderr.write(`${line}\n`);

function options(): { days: number; start: string; seed: number; out: string } | string {
  try {
    const text = { type: 'string' } as const;
    const parsed = readArgs(process.argv.slice(2), {
      days: text,
      start: text,
      seed: text,
      out: text,
      help: { type: 'boolean', short: 'h' },
    });
    if (typeof parsed === 'string') throw new Error(parsed);
    const { values } = parsed;
    if (values.help) return USAGE;
    const whole = (name: string, v: string | undefined, dflt: number, min: number) => {
      if (v === undefined) return dflt;
      if (!/^\d+$/.test(v) || Number(v) < min) throw new Error(`--${name} needs a whole number ≥ ${min}, got ${v}`);
      return Number(v);
    };
    const start = values.start ?? mondayOfExpirationWeek('2027-01-01', weekday, addDays);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(start) || nyDate(nyTime(start, '12:00')) !== start)
      throw new Error(`--start needs a date YYYY-MM-DD, got ${start}`);
    return {
      days: whole('days', values.days, 20, 1),
      start,
      seed: whole('seed', values.seed, 20261206, 0),
      out: values.out ?? '.legwork/soak-report.json',
    };
  } catch (error) {
    return `${(error as Error).message}\n\n${USAGE}`;
  }
}

async function busy(sql: Sql): Promise<boolean> {
  const live = await liveWork(sql);
  return live.groups + live.orders > 0;
}

/** Quiet: no live group or order, and no trade pending/opening/closing. */
async function quiet(sql: Sql): Promise<boolean> {
  const live = await liveWork(sql);
  return live.groups + live.orders + live.transitional === 0;
}

/** Lets the short jobs (scans, exits, reconciliation) catch up with the clock, at most DRAIN_MAX_MS. */
async function drained(app: AppContext): Promise<void> {
  const deadline = Date.now() + DRAIN_MAX_MS;
  const queues = [app.queues.scan, app.queues['scan-underlying'], app.queues.exit, app.queues.reconcile];
  while (Date.now() < deadline) {
    const counts = await Promise.all(queues.map((q) => q.getJobCounts('waiting', 'active', 'prioritized')));
    if (counts.every((c) => Object.values(c).every((n) => n === 0))) return;
    await sleep(10);
  }
}

interface Scripted {
  at: number;
  what: string;
  run: () => string;
}

/**
 * The day's scripted events: on an expiration day, IWM is pushed below the short put of a held put spread at 14:30 so
 * it expires in the money (assignment at the close); on the second day at 11:00 a short put is pushed in the money and
 * assigned early. Both only when such a position is held.
 */
function scriptedFor(sim: VenueHandle, account: string, date: string, dayIndex: number): Scripted[] {
  const shortPuts = () =>
    venueView(sim.control.state(), account)
      .positions.filter((p) => p.quantity < 0 && /^.{6}\d{6}P\d{8}$/.test(p.symbol))
      .map((p) => ({ ...p, strike: Number(p.symbol.slice(-8)) / 1000, expiry: p.symbol.slice(6, 12) }));
  const yymmdd = date.slice(2).replaceAll('-', '');
  const push = (underlying: string, strike: number) =>
    sim.control.moveMarket(underlying, { spot: Math.round(strike * 0.985 * 100) / 100 });
  const out: Scripted[] = [
    {
      at: nyTime(date, '14:30'),
      what: 'expiring short put pushed in the money',
      run: () => {
        const p = shortPuts().find((x) => x.underlying === 'IWM' && x.expiry === yymmdd);
        if (!p) return 'none held';
        push(p.underlying, p.strike);
        return `${p.symbol} (IWM → ${sim.market.spot('IWM')})`;
      },
    },
  ];
  if (dayIndex === 1) {
    out.push({
      at: nyTime(date, '11:00'),
      what: 'early assignment',
      run: () => {
        // not IWM's: the held put spreads are left to meet their expiration
        const p = shortPuts().find((x) => x.underlying !== 'IWM');
        if (!p) return 'no short put held';
        push(p.underlying, p.strike);
        const r = sim.control.assign({ symbol: p.symbol, quantity: 1 });
        return r.ok ? `${p.symbol} assigned` : `refused: ${JSON.stringify(r)}`;
      },
    });
  }
  return out.sort((a, b) => a.at - b.at);
}

const args = options();
if (typeof args === 'string') {
  console.error(args);
  process.exit(args === USAGE ? 0 : 2);
}

const wallStart = Date.now();
say(`soak: ${args.days} trading days from ${args.start}, seed ${args.seed}; starting a private Redis and PostgreSQL`);
const [redis, postgres] = await Promise.all([startPrivateRedis(), startPrivatePostgres()]);
const dbName = `soak_${args.seed}_${randomBytes(3).toString('hex')}`;
const rulesDir = mkdtempSync(join(tmpdir(), 'lw-soak-rules-'));
const prefix = `soak${randomBytes(2).toString('hex')}`;
const admin = createDb(postgres.url, { max: 1 });
const procs: { name: string; roles: string; handle: WorkerProcess }[] = [];
const rss: Record<string, number> = {};
const notePeak = () => {
  for (const p of procs) rss[p.name] = Math.max(rss[p.name] ?? 0, peakRssMb(p.handle.child.pid) ?? 0);
};
let sim: VenueHandle | undefined;
let app: AppContext | undefined;
let exitCode = 0;
try {
  sim = await startVenue({
    seed: args.seed,
    clock: { mode: 'replay', startAt: nyTime(args.start, '09:00'), speed: 0 },
    tickMs: 50,
  });
  await admin.unsafe(`create database ${dbName}`);
  const dbUrl = new URL(postgres.url);
  dbUrl.pathname = `/${dbName}`;
  for (const [file, text] of Object.entries(SOAK_RULES)) writeFileSync(join(rulesDir, file), text);
  const env = {
    TT_ENV: 'sim',
    LEGWORK_VENUE_URL: sim.baseUrl,
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: redis.url,
    LEGWORK_QUEUE_PREFIX: prefix,
    LEGWORK_RULES_DIR: rulesDir,
    LEGWORK_EXIT_EVERY_SECONDS: '60',
    LEGWORK_RECONCILE_EVERY_SECONDS: '300',
    LOG_LEVEL: 'info',
  };
  app = await createAppContext({
    config: loadConfig(env),
    log: createLogger({ level: 'silent', pretty: false }),
    queuePrefix: prefix,
    rulesDir,
  });
  const refused = app.rules.errors();
  if (refused.length > 0) throw new Error(`soak rule sets refused: ${JSON.stringify(refused)}`);
  const account = sim.venue.accountNumbers()[0]!;
  for (const p of PROCESSES) procs.push({ name: p.name, roles: p.roles, handle: startWorkerProcess(p.roles, env) });
  await Promise.all(procs.map((p) => p.handle.ready));
  say(`soak: venue ${sim.baseUrl} at ${new Date(sim.clock.now()).toISOString()}, workers ready`);

  const checkpoints: CloseCheckpoint[] = [];
  const scriptedLog: string[] = [];
  const days: { date: string; wallMs: number; steps: number }[] = [];
  let dayIndex = 0;
  let dayWall = Date.now();
  let steps = 0;
  let scripted: Scripted[] = [];
  let scriptedDate = '';
  for (;;) {
    await drained(app);
    const now = sim.clock.now();
    const session = sim.clock.session();
    if (session.state === 'Open' && scriptedDate !== session.tradingDate) {
      scriptedDate = session.tradingDate;
      scripted = scriptedFor(sim, account, scriptedDate, dayIndex).filter((s) => s.at > now);
    }
    const step = nextStep(now, session, await busy(app.sql));
    const due = scripted[0];
    if (step.kind === 'trade' && due && now + step.ms >= due.at) {
      sim.control.advanceClock(due.at - now);
      scripted.shift();
      scriptedLog.push(`${new Date(due.at).toISOString()} ${due.what}: ${due.run()}`);
      continue;
    }
    sim.control.advanceClock(step.ms);
    steps += 1;
    if (step.kind === 'trade') {
      await sleep(STEP_PAUSE_MS);
      continue;
    }
    if (step.kind === 'open') {
      await sleep(200);
      continue;
    }
    // One minute after the close: no day order may still work, at the venue or in Postgres
    const venueWorking = () =>
      venueView(sim!.control.state(), account).orders.filter((o) =>
        ['Received', 'Routed', 'In Flight', 'Live', 'Cancel Requested', 'Replace Requested'].includes(o.status),
      );
    const storeWorking = () =>
      app!.sql<{ o: string }[]>`select id || ' ' || status as o from orders where status = any(${LIVE_ORDERS})`;
    const graceUntil = Date.now() + CLOSE_GRACE_MS;
    while (Date.now() < graceUntil && (await storeWorking()).length > 0) await sleep(100);
    checkpoints.push({
      tradingDate: step.tradingDate,
      venueWorking: venueWorking().map((o) => `${o.id} ${o.status}`),
      storeWorking: (await storeWorking()).map((r) => r.o),
    });
    notePeak();
    // Keep the workers' output bounded over weeks: the last lines are all a failure report needs
    for (const p of procs) p.handle.output.splice(0, Math.max(0, p.handle.output.length - 200));
    dayIndex += 1;
    days.push({ date: step.tradingDate, wallMs: Date.now() - dayWall, steps });
    const [t] = await app.sql<
      { open: number; total: number }[]
    >`select count(*) filter (where status not in ('closed', 'rejected', 'rolled_back'))::int as open, count(*)::int as total from trades`;
    say(
      `day ${dayIndex}/${args.days} ${step.tradingDate}: ${steps} steps, ${((Date.now() - dayWall) / 1000).toFixed(1)} s; trades ${t?.total ?? 0} (${t?.open ?? 0} live)`,
    );
    dayWall = Date.now();
    steps = 0;
    if (dayIndex >= args.days) break;
  }

  // The morning after the last day: settlements and assignments are acted on; then no new entries, and the clock
  // keeps moving in small steps until nothing works any more
  sim.control.advanceClock(nextStep(sim.clock.now(), sim.clock.session(), false).ms);
  const morningEnd = sim.clock.now() + LAST_MORNING_MS;
  while (sim.clock.now() < morningEnd) {
    await drained(app);
    sim.control.advanceClock((await busy(app.sql)) ? BUSY_STEP_MS : 60_000);
    await sleep(STEP_PAUSE_MS);
  }
  await setTradingState(app.sql, 'halted', 'soak', 'soak settling');
  let quietChecks = 0;
  for (let i = 0; i < 2000 && quietChecks < 5; i++) {
    await drained(app);
    quietChecks = (await quiet(app.sql)) ? quietChecks + 1 : 0;
    sim.control.advanceClock(BUSY_STEP_MS);
    await sleep(STEP_PAUSE_MS);
  }
  notePeak();
  for (const p of procs) p.handle.child.kill('SIGTERM');
  await Promise.race([Promise.all(procs.map((p) => p.handle.exited)), sleep(20_000)]);
  await reconcile(createExecContext(app), 'periodic');
  // A last portfolio sync after everything settled: what the venue holds, attributed to trades
  const synced = await syncPortfolio(createExecContext(app), 'sim');

  // The invariants
  const venue = venueView(sim.control.state(), account);
  const store = await storeView(app.sql);
  const settlements = sim.venue.transactions(account, { type: 'Receive Deliver', perPage: 250, pageOffset: 0 }).items;
  // Positions per symbol from Legwork's fills and the settlements it recorded (trade_positions) must equal the venue's
  const chaos: Violation[] = checkInvariants(venue, store, { onePerUnderlying: true, now: sim.clock.now() });
  const trades = await app.sql<SoakTrade[]>`select id, status, rule_set as "ruleSet", expiration::text as expiration,
      -- what it holds: its structure's legs and whatever its fills and settlements left it with (delivered shares)
      array(select l->>'symbol' from jsonb_array_elements(legs) l
            union select p.symbol from trade_positions p where p.trade_id = trades.id and p.quantity <> 0) as symbols from trades`;
  const exitRows = await app.sql<
    {
      groupId: string;
      tradeId: string;
      reason: string;
      ruleSet: string;
      expiration: string;
      brokerIds: number[];
      entryBrokerIds: number[];
    }[]
  >`
    select g.id as "groupId", g.trade_id as "tradeId", coalesce(g.intent->>'reason', '') as reason, t.rule_set as "ruleSet", t.expiration::text as expiration,
      coalesce((select array_agg(b.broker_order_id::int) from order_broker_ids b join orders o on o.id = b.order_id where o.group_id = g.id), '{}') as "brokerIds",
      coalesce((select array_agg(b.broker_order_id::int) from order_broker_ids b join orders o on o.id = b.order_id where o.group_id = t.entry_group_id), '{}') as "entryBrokerIds"
    from order_groups g join trades t on t.id = g.trade_id where g.kind = 'exit'`;
  const receivedAt = new Map(venue.orders.map((o) => [o.id, o.receivedAt]));
  const firstAt = (ids: number[]) => Math.min(...ids.map((id) => receivedAt.get(id) ?? Number.POSITIVE_INFINITY));
  const exits: SoakExit[] = exitRows
    .filter((r) => r.brokerIds.length > 0)
    .map((r) => {
      const rs = app!.rules.get(r.ruleSet);
      const entered = firstAt(r.entryBrokerIds);
      return {
        groupId: r.groupId,
        tradeId: r.tradeId,
        reason: r.reason,
        expiration: r.expiration,
        sentAt: firstAt(r.brokerIds),
        enteredAt: Number.isFinite(entered) ? entered : null,
        closeAtDte: rs?.exits.closeAtDte ?? null,
        timeStopDays: rs?.exits.timeStopDays ?? null,
      };
    });
  const soak: SoakViolation[] = [
    ...orphanPositions(venue.positions, trades),
    ...unresolvedExpirations(trades, sim.clock.now()),
    ...dayOrdersOvernight(checkpoints),
    ...exitsOnWrongDates(exits),
    ...missingCloseSnapshots(
      checkpoints.map((c) => c.tradingDate),
      (await app.sql<{ d: string }[]>`select session_date::text as d from account_snapshots where kind = 'close'`).map(
        (r) => r.d,
      ),
      true,
    ),
    ...unattributedPositions(
      synced.status === 'synced'
        ? await app.sql<{ symbol: string; quantity: number }[]>`select symbol, quantity from portfolio_positions
            where owner = 'foreign'`
        : [{ symbol: `(the final portfolio sync failed: ${synced.error ?? '?'})`, quantity: 0 }],
    ),
  ];

  const groupRows = await app.sql<
    { key: string; n: number }[]
  >`select kind || ' ' || status || coalesce(': ' || left(regexp_replace(reason, '[0-9.]+', 'N', 'g'), 80), '') as key, count(*)::int as n
    from order_groups group by 1 order by 2 desc limit 30`;
  const tradeRows = await app.sql<
    {
      ruleSet: string;
      underlying: string;
      expiration: string;
      status: string;
      exits: string | null;
      pnl: number | null;
    }[]
  >`
    select t.rule_set as "ruleSet", t.underlying, t.expiration::text as expiration, t.status, t.realized_pnl_cents::int as pnl,
      (select string_agg(coalesce(g.intent->>'reason', '?') || ':' || g.status, ',' order by g.created_at) from order_groups g where g.trade_id = t.id and g.kind = 'exit') as exits
    from trades t order by t.created_at`;
  const count = <T>(rows: readonly T[], key: (r: T) => string) =>
    rows.reduce<Record<string, number>>((acc, r) => {
      acc[key(r)] = (acc[key(r)] ?? 0) + 1;
      return acc;
    }, {});
  const wallMs = Date.now() - wallStart;
  const tradingWallMs = days.reduce((n, d) => n + d.wallMs, 0);
  const report = {
    name: 'legwork-soak',
    at: new Date().toISOString(),
    node: process.version,
    seed: args.seed,
    start: args.start,
    end: nyDate(sim.clock.now()),
    tradingDays: days.length,
    calendarDays: Math.round((nyTime(nyDate(sim.clock.now()), '12:00') - nyTime(args.start, '12:00')) / 86_400_000) + 1,
    ok: chaos.length === 0 && soak.length === 0,
    violations: [...chaos, ...soak],
    trades: {
      total: trades.length,
      byStatus: count(trades, (t) => t.status),
      byRuleSet: count(trades, (t) => t.ruleSet),
    },
    exits: count(exits, (e) => e.reason),
    groups: Object.fromEntries(groupRows.map((g) => [g.key, g.n])),
    settlements: count(settlements, (s) => String(s['transaction-sub-type'])),
    scripted: scriptedLog,
    /** Every trade: rule set, underlying, expiration, status, exit reasons, P&L (cents, net of fees). */
    tradeList: tradeRows.map(
      (t) =>
        `${t.ruleSet} ${t.underlying} ${t.expiration} ${t.status}${t.exits ? ` [${t.exits}]` : ''}${t.pnl === null ? '' : ` ${t.pnl}`}`,
    ),
    venueOrders: venue.orders.length,
    fills: store.fills.length,
    wallMs,
    tradingDaysPerWallMinute: Math.round((days.length / (tradingWallMs / 60_000)) * 100) / 100,
    days,
    peakRssMb: rss,
  };
  const out = resolve(args.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2));
  console.log(JSON.stringify(report));
  say(
    `soak: ${report.ok ? 'ok' : `${report.violations.length} VIOLATION(S)`} — ${days.length} trading days (${report.calendarDays} calendar days) in ${(wallMs / 60_000).toFixed(1)} min, ` +
      `${report.tradingDaysPerWallMinute} trading days per wall minute; ${trades.length} trades ${JSON.stringify(report.trades.byStatus)}; exits ${JSON.stringify(report.exits)}; settlements ${JSON.stringify(report.settlements)} (report: ${args.out})`,
  );
  for (const v of report.violations) say(`    ${v.invariant}: ${v.detail}`);
  exitCode = report.ok ? 0 : 1;
} catch (error) {
  say(`soak: ERROR ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  for (const p of procs) say(`--- ${p.name}: ${p.handle.output.join('').slice(-3000)}`);
  exitCode = 2;
} finally {
  for (const p of procs) p.handle.kill9();
  await Promise.all(procs.map((p) => p.handle.exited));
  await app?.close().catch(() => {});
  await sim?.close().catch(() => {});
  await admin.unsafe(`drop database if exists ${dbName} with (force)`).catch(() => {});
  await admin.end({ timeout: 5 }).catch(() => {});
  await Promise.allSettled([redis.stop(), postgres.stop()]);
  rmSync(rulesDir, { recursive: true, force: true });
}
process.exit(exitCode);
