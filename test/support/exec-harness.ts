// Owns the executor's unit-test setting: an ExecContext over the in-memory Store, the fake broker and market data on one
// manual clock, rule sets for a SPY iron condor (combo and legged), quotes for its four legs, a pending condor trade
// and an exit group for an open one. No database, no venue: a whole run takes milliseconds of wall time.
import { deterministicId, newId } from '../../src/domain/ids.js';
import { occToStreamer } from '../../src/domain/instrument.js';
import { closingAction, type GroupIntent } from '../../src/domain/order-group.js';
import type { TradeLeg, TradeRow } from '../../src/domain/records.js';
import { createLogger } from '../../src/log.js';
import { createAlerter } from '../../src/pipeline/alerts.js';
import type { ExecContext } from '../../src/pipeline/execution-context.js';
import { RuleRegistry } from '../../src/rules/loader.js';
import { FakeBroker, FakeMarketData, ManualClock } from './fake-broker.js';
import { createMemoryStore, type MemoryStore } from './memory-store.js';
import { condorRule } from './rules.js';

const EXPIRATION = '2026-02-20';
const leg = (strike: number, right: 'P' | 'C', action: TradeLeg['action']): TradeLeg => {
  const symbol = `SPY   260220${right}${String(strike * 1000).padStart(8, '0')}`;
  return { symbol, streamerSymbol: occToStreamer(symbol), action, quantity: 1, strike, right, expiration: EXPIRATION };
};

/** A short SPY iron condor, in the trade's leg order. */
export const CONDOR = {
  longPut: leg(560, 'P', 'Buy to Open'),
  shortPut: leg(570, 'P', 'Sell to Open'),
  shortCall: leg(630, 'C', 'Sell to Open'),
  longCall: leg(640, 'C', 'Buy to Open'),
};
export const CONDOR_LEGS = [CONDOR.longPut, CONDOR.shortPut, CONDOR.shortCall, CONDOR.longCall];

/**
 * Quotes in cents (bid, ask). Per share: mid credit 155 + 145 − 105 − 95 = 100, natural 150 + 140 − 110 − 100 = 80;
 * closing it at natural costs 160 + 150 − 100 − 90 = 120.
 */
export const QUOTES: [TradeLeg, number, number][] = [
  [CONDOR.longPut, 100, 110],
  [CONDOR.shortPut, 150, 160],
  [CONDOR.shortCall, 140, 150],
  [CONDOR.longCall, 90, 100],
];

const NATURAL = '{ price: natural, maxSteps: 0, fillTimeoutSeconds: 5 }';
export const RULES: Record<string, string> = {
  'natural.yaml': condorRule({
    name: 'ic-natural',
    entry: NATURAL,
    execution: 'execution: { mode: combo, partialFill: keep }',
  }),
  'walk.yaml': condorRule({
    name: 'ic-walk',
    entry: '{ price: mid, stepTicks: 5, stepEverySeconds: 1, maxSteps: 8, fillTimeoutSeconds: 12 }',
    execution: 'execution: { mode: combo, partialFill: keep }',
  }),
  'close.yaml': condorRule({
    name: 'ic-close',
    entry: NATURAL,
    execution: 'execution: { mode: combo, partialFill: close }',
  }),
  // Proposed for approval; natural pricing with a floor of $0.75 (the quotes below give a natural credit of $0.80)
  'manual.yaml': condorRule({
    name: 'ic-manual',
    entry: '{ price: natural, maxSteps: 0, minCredit: 0.75, fillTimeoutSeconds: 5 }',
    execution: 'execution: { mode: combo, partialFill: keep, approval: manual, approvalTimeoutSeconds: 300 }',
  }),
  'legged.yaml': condorRule({
    name: 'ic-legged',
    entry: '{ price: natural, maxSteps: 0, fillTimeoutSeconds: 3 }',
    execution: 'execution: { mode: legged, partialFill: close }',
  }),
};

export interface ExecHarness {
  ctx: ExecContext;
  store: MemoryStore;
  broker: FakeBroker;
  market: FakeMarketData;
  clock: ManualClock;
  /** Alerts raised, by kind, in order. */
  alerts: string[];
}

export function execHarness(): ExecHarness {
  const clock = new ManualClock();
  const store = createMemoryStore(clock.now);
  const market = new FakeMarketData(clock);
  const broker = new FakeBroker(clock, market);
  const rules = new RuleRegistry('rules', () => new Date(clock.now()));
  rules.apply(new Map(Object.entries(RULES)));
  const refused = rules.errors();
  if (refused.length > 0) throw new Error(`test rules refused: ${JSON.stringify(refused)}`);
  for (const [l, bid, ask] of QUOTES) market.setQuote(l.streamerSymbol, bid, ask);
  const log = createLogger({ level: 'silent', pretty: false });
  const alerts: string[] = [];
  const alert = createAlerter({ store, log });
  const ctx: ExecContext = {
    store,
    broker,
    marketData: market,
    rules,
    jobs: { enqueueExecute: async () => {} },
    log,
    alert: async (kind, message, data) => {
      alerts.push(kind);
      await alert(kind, message, data);
    },
    now: clock.now,
    sleep: clock.sleep,
  };
  return { ctx, store, broker, market, clock, alerts };
}

/**
 * A pending condor trade of `ruleName` whose entry group executeGroup plans and runs; with `approvalDeadline` it is
 * proposed instead (awaiting_approval until then, as a manual rule set's scan leaves it).
 */
export async function pendingCondor(
  h: ExecHarness,
  ruleName: string,
  quantity = 1,
  approvalDeadline?: Date,
): Promise<TradeRow> {
  const rs = h.ctx.rules.get(ruleName);
  if (!rs) throw new Error(`rule set ${ruleName} not loaded`);
  const id = newId();
  const inserted = await h.store.trades.insertPendingWithinLimit({
    id,
    ruleSet: rs.name,
    rulesHash: rs.hash,
    candidateId: null,
    strategy: 'iron-condor',
    underlying: 'SPY',
    expiration: EXPIRATION,
    quantity,
    legs: CONDOR_LEGS,
    entryGroupId: deterministicId('entry-group', id),
    riskCents: 90_000,
    expectedCreditCents: 100,
    facts: {},
    ...(approvalDeadline ? { approvalDeadline } : {}),
  });
  if (!('trade' in inserted)) throw new Error(`trade blocked by ${inserted.blockedBy.id}`);
  return inserted.trade;
}

/** An exit group closing every leg of an open trade at natural (`limitCents`, signed), the trade moved to closing. */
export async function exitGroup(
  h: ExecHarness,
  trade: TradeRow,
  { mode = 'combo', limitCents = -120 }: { mode?: 'combo' | 'legged'; limitCents?: number } = {},
): Promise<string> {
  const now = (await h.store.trades.get(trade.id))!;
  const intent: GroupIntent = {
    tradeId: trade.id,
    kind: 'exit',
    mode,
    quantity: now.quantity,
    legs: now.legs.map((l) => ({
      symbol: l.symbol,
      instrumentType: 'Equity Option',
      action: closingAction(l.action),
      ratio: l.quantity,
    })),
    pricing: {
      startCents: limitCents,
      floorCents: limitCents,
      stepCents: 1,
      stepEverySeconds: 1,
      maxSteps: 0,
      fillTimeoutSeconds: 5,
    },
    partialFill: 'keep',
    ruleSet: now.ruleSet,
    rulesHash: now.rulesHash,
    reason: 'take_profit',
  };
  const groupId = deterministicId('exit-group', trade.id);
  if (!(await h.store.trades.move(trade.id, 'ExitStarted'))) throw new Error(`trade ${trade.id} is ${now.status}`);
  await h.store.groups.insert(groupId, intent);
  return groupId;
}

/** Signed non-zero contracts per symbol our records say a trade holds. */
export async function heldByTrade(h: ExecHarness, tradeId: string): Promise<Map<string, number>> {
  return new Map(
    (await h.store.positions.ofTrade(tradeId)).filter((p) => p.quantity !== 0).map((p) => [p.symbol, p.quantity]),
  );
}
