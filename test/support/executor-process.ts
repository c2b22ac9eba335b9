// Owns test helpers for the executor: an ExecContext over a test app, a legged condor trade + group, venue checks
// (signed positions, no naked short, one venue order per id), and an executor child process that can be kill -9'd.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AppContext } from '../../src/app/context.js';
import type { VenueHandle } from '@legwork/venue';
import { deterministicId, newId } from '../../src/domain/ids.js';
import type { GroupIntent, IntentLeg } from '../../src/domain/order-group.js';
import { createAlerter } from '../../src/pipeline/alerts.js';
import type { ExecContext, ExecJobs } from '../../src/pipeline/execution-context.js';
import { insertGroup, type GroupRow } from '../../src/store/groups.repo.js';
import { insertPendingTrade, moveTrade, type TradeLeg, type TradeRow } from '../../src/store/trades.repo.js';
import { pickCondor, type CondorLegs } from './iron-condor.js';
import { parseRuleSet } from '../../src/rules/loader.js';
import { recordRuleVersion } from '../../src/store/scans.repo.js';
import { condorRule } from './rules.js';
import type { OrderLegRow } from '../../src/store/orders.repo.js';
import type { TestApp } from './app.js';

export interface RecordingJobs extends ExecJobs {
  calls: { tradeId: string; groupId: string; attempt?: number }[];
}

export function recordingJobs(): RecordingJobs {
  const calls: RecordingJobs['calls'] = [];
  return {
    calls,
    async enqueueExecute(tradeId, groupId, options) {
      calls.push({ tradeId, groupId, ...(options?.attempt !== undefined ? { attempt: options.attempt } : {}) });
    },
  };
}

export function testExecContext(app: AppContext, jobs: ExecJobs = recordingJobs()): ExecContext {
  return {
    store: app.store,
    broker: app.broker,
    marketData: app.marketData,
    rules: app.rules,
    jobs,
    log: app.log,
    alert: createAlerter({ store: app.store, log: app.log }),
    now: () => Date.now(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
}

export function condorOf(sim: VenueHandle, offset = 0.05, underlying = 'SPY'): CondorLegs {
  const chain = sim.market.chain(underlying)!;
  const nested = [
    {
      expirations: chain.expirations.map((e) => ({
        'expiration-date': e.expirationDate,
        'days-to-expiration': e.daysToExpiration,
        strikes: e.strikes.map((s) => ({
          'strike-price': String(s.strike),
          call: s.callSymbol,
          put: s.putSymbol,
          'call-streamer-symbol': s.callStreamerSymbol,
          'put-streamer-symbol': s.putStreamerSymbol,
        })),
      })),
    },
  ];
  return pickCondor(nested, sim.market.spot(underlying), { offset });
}

/** The legged rule set these trades were "decided" with, stored like a scan stores it (the pre-trade gate reads it). */
const LEGGED_RULES = condorRule({
  name: 'manual-legged',
  execution: 'execution: { mode: legged, partialFill: close }',
  risk: 'maxWorkingGroups: 20',
});
async function storedLeggedRules(app: AppContext): Promise<{ name: string; hash: string }> {
  const parsed = parseRuleSet(LEGGED_RULES, 'manual-legged.yaml');
  if (!parsed.ok) throw new Error(`test rule set does not parse: ${JSON.stringify(parsed.problems)}`);
  const { name, hash } = parsed.ruleSet;
  await recordRuleVersion(app.sql, { hash, name, file: 'manual-legged.yaml', content: LEGGED_RULES });
  return { name, hash };
}

/** A pending condor trade with a legged entry group (the intent persisted, nothing sent). */
export async function leggedCondorTrade(
  app: AppContext,
  c: CondorLegs,
  { fillTimeoutSeconds = 3, quantity = 1, floorCents = -10_000, extraLegs = [] as TradeLeg[] } = {},
): Promise<{ trade: TradeRow; group: GroupRow }> {
  const rules = await storedLeggedRules(app);
  const tradeId = newId();
  const leg = (l: CondorLegs['longPut'], action: TradeLeg['action'], right: 'C' | 'P'): TradeLeg => ({
    symbol: l.symbol,
    streamerSymbol: l.streamer,
    action,
    quantity: 1,
    strike: l.strike,
    right,
    expiration: c.expiration,
  });
  const legs = [
    leg(c.longPut, 'Buy to Open', 'P'),
    leg(c.shortPut, 'Sell to Open', 'P'),
    leg(c.shortCall, 'Sell to Open', 'C'),
    leg(c.longCall, 'Buy to Open', 'C'),
    ...extraLegs,
  ];
  const groupId = deterministicId('entry-group', tradeId);
  const { trade } = await insertPendingTrade(app.sql, {
    id: tradeId,
    ruleSet: rules.name,
    rulesHash: rules.hash,
    candidateId: null,
    strategy: 'iron-condor',
    underlying: 'SPY',
    expiration: c.expiration,
    quantity,
    legs,
    entryGroupId: groupId,
    riskCents: 50_000,
    expectedCreditCents: 100,
    facts: {},
  });
  const intentLegs: IntentLeg[] = legs.map((l) => ({
    symbol: l.symbol,
    instrumentType: 'Equity Option',
    action: l.action,
    ratio: 1,
  }));
  const intent: GroupIntent = {
    tradeId,
    kind: 'entry',
    mode: 'legged',
    quantity,
    legs: intentLegs,
    // Tests of rollbacks, crashes and waits accept any package price; pricing tests pass their own floor
    pricing: {
      startCents: Math.max(100, floorCents),
      floorCents,
      stepCents: 1,
      stepEverySeconds: 10,
      maxSteps: 0,
      fillTimeoutSeconds,
    },
    partialFill: 'close',
    ruleSet: rules.name,
    rulesHash: rules.hash,
  };
  const { group } = await insertGroup(app.sql, groupId, intent);
  return { trade, group };
}

export const accountOf = (sim: VenueHandle): string => sim.venue.accountNumbers()[0]!;

/** Signed venue positions by symbol (non-zero only). */
export function venuePositions(sim: VenueHandle, only?: CondorLegs): Map<string, number> {
  const out = new Map<string, number>();
  const keep = only
    ? new Set([only.longPut, only.shortPut, only.shortCall, only.longCall].map((l) => l.symbol))
    : undefined;
  for (const p of sim.venue.positionsWire(accountOf(sim))) {
    if (keep && !keep.has(String(p['symbol']))) continue;
    const qty = Number(p['quantity']) * (p['quantity-direction'] === 'Short' ? -1 : 1);
    if (qty !== 0) out.set(String(p['symbol']), qty);
  }
  return out;
}

/** Per expiration and right: shorts never exceed longs (every short covered by a long of the same right). */
export function nakedLegs(sim: VenueHandle, only?: CondorLegs): string[] {
  const book = new Map<string, { long: number; short: number }>();
  for (const [symbol, qty] of venuePositions(sim, only)) {
    // OCC: root padded to 6, YYMMDD, C/P, strike
    const key = `${symbol.slice(6, 12)}${symbol.slice(12, 13)}`;
    const b = book.get(key) ?? { long: 0, short: 0 };
    if (qty > 0) b.long += qty;
    else b.short -= qty;
    book.set(key, b);
  }
  return [...book].filter(([, b]) => b.short > b.long).map(([k, b]) => `${k}: ${b.short} short vs ${b.long} long`);
}

/** Venue orders (today) per external identifier. */
export function venueOrdersByExternalId(sim: VenueHandle): Map<string, number> {
  const counts = new Map<string, number>();
  const { items } = sim.venue.searchOrders(accountOf(sim), { perPage: 1000 });
  const all = [...items, ...sim.venue.liveOrders(accountOf(sim))];
  const seen = new Set<unknown>();
  for (const o of all) {
    if (seen.has(o['id'])) continue;
    seen.add(o['id']);
    const ext = o['external-identifier'];
    if (typeof ext === 'string') counts.set(ext, (counts.get(ext) ?? 0) + 1);
  }
  return counts;
}

export interface VenueOrder {
  id: number;
  externalId: string | undefined;
  status: string;
  /** Signed per-share limit in cents (credit +, debit −). */
  priceCents: number;
  legs: { symbol: string; action: string; quantity: number }[];
}

/** Every venue order of the account (today and live), once each, with its legs. */
export function venueOrders(sim: VenueHandle): VenueOrder[] {
  const { items } = sim.venue.searchOrders(accountOf(sim), { perPage: 1000 });
  const seen = new Map<number, VenueOrder>();
  for (const o of [...items, ...sim.venue.liveOrders(accountOf(sim))]) {
    const id = Number(o['id']);
    if (seen.has(id)) continue;
    const price = Math.round(Number(o['price'] ?? 0) * 100) * (o['price-effect'] === 'Debit' ? -1 : 1);
    const legs = (o['legs'] as Record<string, unknown>[]).map((l) => ({
      symbol: String(l['symbol']),
      action: String(l['action']),
      quantity: Number(l['quantity']),
    }));
    seen.set(id, {
      id,
      externalId: typeof o['external-identifier'] === 'string' ? o['external-identifier'] : undefined,
      status: String(o['status']),
      priceCents: price,
      legs,
    });
  }
  return [...seen.values()];
}

/** A legged exit group for an open trade (what exits.ts builds, in legged mode): the trade goes to `closing`. */
export async function leggedExitGroup(
  app: AppContext,
  trade: TradeRow,
  { fillTimeoutSeconds = 2, quantity = trade.quantity } = {},
): Promise<GroupRow> {
  const closing = (a: TradeLeg['action']): IntentLeg['action'] =>
    a === 'Buy to Open' ? 'Sell to Close' : 'Buy to Close';
  const intent: GroupIntent = {
    tradeId: trade.id,
    kind: 'exit',
    mode: 'legged',
    quantity,
    legs: trade.legs.map((l) => ({
      symbol: l.symbol,
      instrumentType: 'Equity Option',
      action: closing(l.action),
      ratio: l.quantity,
    })),
    pricing: {
      startCents: -300,
      floorCents: -500,
      stepCents: 1,
      stepEverySeconds: 10,
      maxSteps: 0,
      fillTimeoutSeconds,
    },
    partialFill: 'keep',
    ruleSet: trade.ruleSet,
    rulesHash: trade.rulesHash,
    reason: 'stop_loss',
  };
  const groupId = deterministicId('exit-group', trade.id);
  if (!(await moveTrade(app.sql, trade.id, 'ExitStarted', { exitReason: 'stop_loss' })))
    throw new Error(`trade ${trade.id} is not open`);
  return (await insertGroup(app.sql, groupId, intent)).group;
}

export interface ExecutorProcess {
  child: ChildProcess;
  output: string[];
  ready: Promise<void>;
  kill9(): void;
  exited: Promise<number | null>;
}

const ENTRY = fileURLToPath(new URL('./run-executor.ts', import.meta.url));

/** Starts the executor entry script in a child process against the given venue, database, Redis and prefix. */
export function startExecutorProcess(env: Record<string, string>): ExecutorProcess {
  // node itself with the tsx loader (not the tsx CLI, whose SIGKILL would leave the real process running)
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  let resolveReady!: () => void;
  let rejectReady!: (e: Error) => void;
  const ready = new Promise<void>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    output.push(text);
    if (text.includes('EXECUTOR_READY')) resolveReady();
  };
  ready.catch(() => {}); // only callers that await it care
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((res) =>
    child.on('exit', (code) => {
      rejectReady(new Error(`executor exited (${code}) before ready: ${output.join('').slice(-2000)}`));
      res(code);
    }),
  );
  return { child, output, ready, exited, kill9: () => child.kill('SIGKILL') };
}

export type KillPoint = 'planned' | 'submit-hang' | 'working' | 'compensating';

export interface CrashOutcome {
  killPoint: KillPoint;
  status: string;
  recoveryMs: number;
  naked: string[];
  duplicateIds: string[];
  unmatched: string[];
}

const TERMINAL = ['filled', 'rolled_back', 'cancelled', 'broken', 'denied'];

async function until<T>(probe: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * One crash: a legged condor is started by executor A, which is kill -9'd at `killPoint`; executor B starts and the
 * group must end settled. Returns the time from the kill to the group being terminal again, and the venue checks.
 */
export async function crashScenario(
  env: {
    sim: VenueHandle;
    app: AppContext;
    databaseUrl: string;
    redisUrl: string;
    queuePrefix: string;
    offset: number;
  },
  killPoint: KillPoint,
  spawned: ExecutorProcess[],
): Promise<CrashOutcome> {
  const { sim, app } = env;
  const c = condorOf(sim, env.offset);
  const childEnv = {
    LEGWORK_VENUE_URL: sim.baseUrl,
    DATABASE_URL: env.databaseUrl,
    REDIS_URL: env.redisUrl,
    LW_QUEUE_PREFIX: env.queuePrefix,
  };
  sim.venue.clearFillRules();
  // submit-hang: the group is created after A is ready and handed over directly, so its first POST is the one held
  // A leg (or closing order) works this long before it is cancelled: the window in which the test kills the executor
  const fillTimeoutSeconds = killPoint === 'working' || killPoint === 'compensating' ? 5 : 2;
  let group = killPoint === 'submit-hang' ? undefined : (await leggedCondorTrade(app, c, { fillTimeoutSeconds })).group;
  const legOrders = () => app.sql<{ id: string; role: string; seq: number; status: string; symbol: string }[]>`
    select id, role, seq, status, legs->0->>'symbol' as symbol from orders where group_id = ${group!.id}`;
  if (killPoint === 'working') sim.control.setFillBehavior({ symbol: c.shortPut.symbol, behavior: 'never' });
  // compensating: the short put never fills, so its timeout (5 s) leaves time to hold the closing order that follows
  if (killPoint === 'compensating') sim.control.setFillBehavior({ symbol: c.shortPut.symbol, behavior: 'never' });
  const a = startExecutorProcess({ ...childEnv, LW_RECONCILE_EVERY_MS: killPoint === 'submit-hang' ? '0' : '1000' });
  spawned.push(a);
  try {
    await a.ready;
    if (killPoint === 'submit-hang') {
      // exact: the entry's buying-power dry-run (POST …/orders/dry-run) must not take the fault, or the held request is
      // the dry-run and the test waits for a held submit that never comes (seen in CI under load)
      sim.control.injectFault({ kind: 'hang', ms: 20_000, path: `/accounts/${accountOf(sim)}/orders`, exact: true });
      group = (await leggedCondorTrade(app, c, { fillTimeoutSeconds: 2 })).group;
      a.child.stdin!.write(`run ${group.tradeId} ${group.id}\n`);
      await until(
        async () =>
          (await legOrders()).some((o) => o.status === 'submitting') &&
          venueOrdersByExternalId(sim).size > 0 &&
          (await legOrders()).some((o) => venueOrdersByExternalId(sim).has(o.id)),
        15_000,
        'a submit held by the venue',
      );
    } else if (killPoint === 'working') {
      await until(
        async () => (await legOrders()).some((o) => o.symbol === c.shortPut.symbol && o.status === 'working'),
        15_000,
        'the short put working',
      );
    } else if (killPoint === 'compensating') {
      await until(
        async () =>
          (await legOrders()).some((o) => o.role === 'leg' && o.symbol === c.longPut.symbol && o.status === 'filled'),
        15_000,
        'the long put filled',
      );
      sim.control.setFillBehavior({ symbol: c.longPut.symbol, next: true, behavior: 'never' });
      await until(
        async () => (await legOrders()).some((o) => o.role === 'compensation' && o.status === 'working'),
        15_000,
        'a compensation order working',
      );
    }
  } catch (error) {
    a.kill9();
    const state = group ? await legOrders() : [];
    throw new Error(
      `${String(error)}; orders: ${JSON.stringify(state)}; executor output: ${a.output.join('').slice(-1500)}`,
    );
  }
  a.kill9();
  const killedAt = Date.now();
  await a.exited;
  sim.venue.clearFillRules();
  const b = startExecutorProcess({ ...childEnv, LW_RECONCILE_EVERY_MS: '500' });
  spawned.push(b);
  const status = await until(
    async () => {
      const [g] = await app.sql<{ status: string }[]>`select status from order_groups where id = ${group!.id}`;
      return g && TERMINAL.includes(g.status) ? g.status : undefined;
    },
    45_000,
    `group ${group!.id} terminal after the restart`,
  ).finally(() => b.kill9());
  const recoveryMs = Date.now() - killedAt;
  b.kill9();
  await b.exited;
  const perId = venueOrdersByExternalId(sim);
  const ours = await app.sql<
    { id: string; brokerOrderId: number | null }[]
  >`select id, broker_order_id as "brokerOrderId" from orders where group_id = ${group!.id}`;
  return {
    killPoint,
    status,
    recoveryMs,
    naked: nakedLegs(sim, c),
    duplicateIds: [...perId].filter(([, n]) => n > 1).map(([id]) => id),
    unmatched: ours.filter((o) => o.brokerOrderId !== null && perId.get(o.id) !== 1).map((o) => o.id),
  };
}

/** A pending SPY iron-condor trade for a loaded rule set, as the scanner would create it; returns its ids. */
export async function insertPendingCondor(
  app: TestApp,
  ruleSetName: string,
  offset = 0.05,
): Promise<{ tradeId: string; groupId: string; condor: CondorLegs }> {
  const { sim, ctx } = app;
  const rs = ctx.rules.get(ruleSetName);
  if (!rs) throw new Error(`rule not loaded: ${JSON.stringify(ctx.rules.errors())}`);
  const c = condorOf(sim, offset);
  const leg = (l: typeof c.longPut, action: TradeLeg['action'], right: 'C' | 'P'): TradeLeg => ({
    symbol: l.symbol,
    streamerSymbol: l.streamer,
    action,
    quantity: 1,
    strike: l.strike,
    right,
    expiration: c.expiration,
  });
  const legs = [
    leg(c.longPut, 'Buy to Open', 'P'),
    leg(c.shortPut, 'Sell to Open', 'P'),
    leg(c.shortCall, 'Sell to Open', 'C'),
    leg(c.longCall, 'Buy to Open', 'C'),
  ];
  const tradeId = newId();
  const groupId = deterministicId('entry-group', tradeId);
  await insertPendingTrade(ctx.sql, {
    id: tradeId,
    ruleSet: rs.name,
    rulesHash: rs.hash,
    candidateId: null,
    strategy: 'iron-condor',
    underlying: 'SPY',
    expiration: c.expiration,
    quantity: 1,
    legs,
    entryGroupId: groupId,
    riskCents: 40_000,
    expectedCreditCents: 100,
    facts: {},
  });
  return { tradeId, groupId, condor: c };
}

/** The opening legs of a SPY condor (one contract each) as an order of ours carries them. */
export function condorOrderLegs(sim: VenueHandle, offset = 0.05): OrderLegRow[] {
  const c = condorOf(sim, offset);
  return [
    { symbol: c.longPut.symbol, instrumentType: 'Equity Option', action: 'Buy to Open', quantity: 1 },
    { symbol: c.shortPut.symbol, instrumentType: 'Equity Option', action: 'Sell to Open', quantity: 1 },
    { symbol: c.shortCall.symbol, instrumentType: 'Equity Option', action: 'Sell to Open', quantity: 1 },
    { symbol: c.longCall.symbol, instrumentType: 'Equity Option', action: 'Buy to Open', quantity: 1 },
  ];
}
