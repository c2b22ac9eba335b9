// Owns fakes for the chat commands' unit tests: ChatDeps over the in-memory Store (halt and resume through the same
// state changes and the real resumeTrading), a silent logger, and trades in a chosen status.
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import type { ChatDeps } from '../../src/chat/chat-deps.js';
import type { TradeRow } from '../../src/domain/records.js';
import type { TradeEventType } from '../../src/domain/trade-transitions.js';
import { decideApproval } from '../../src/pipeline/approval.js';
import { loadTradePnl } from '../../src/pipeline/pnl.js';
import { resumeTrading } from '../../src/pipeline/resume.js';
import type { MemoryStore } from './memory-store.js';
import { sampleRiskReport } from './metrics-app.js';

export const silentLog = pino({ level: 'silent' });

/**
 * ChatDeps over the memory store; approvals through the real decideApproval, the entries it queues recorded in
 * `queued` (tradeId, groupId).
 */
export function memoryChatDeps(
  store: MemoryStore,
  now: () => number,
  overrides: Partial<ChatDeps> = {},
  queued: [string, string][] = [],
): ChatDeps {
  return {
    store,
    now,
    account: { environment: 'sim', accountNumber: '5WT00001' },
    failsafes: async () => [],
    tradePnl: async (trades) => (await loadTradePnl({ store }, trades)).pnl,
    brokerPositions: async () => [],
    riskReport: async () => sampleRiskReport(),
    candidates: async () => [],
    rules: async () => ({ active: [], refused: [] }),
    async halt(by, options) {
      const before = await store.tradingState.get();
      const state = await store.tradingState.set(
        'halted',
        by,
        options.reason,
        options.flatten ? { flatten: true } : {},
      );
      return { state, before, ...(options.flatten ? { flatten: { flattened: [], skipped: [] } } : {}) };
    },
    resume: (by, options) => resumeTrading(store, by, options),
    decideApproval: (tradeId, request) =>
      decideApproval(
        {
          store,
          jobs: { enqueueExecute: async (tradeId, groupId) => void queued.push([tradeId, groupId]) },
          log: silentLog,
          now,
        },
        tradeId,
        request,
      ),
    ...overrides,
  };
}

/** A trade moved through `events` (e.g. ['Opened'], ['Opened', 'Closed']); `fields` for the last move. */
export async function tradeIn(
  store: MemoryStore,
  events: TradeEventType[],
  options: {
    id?: string;
    underlying?: string;
    fields?: Parameters<MemoryStore['trades']['move']>[2];
    /** A proposal (awaiting approval until then). */
    approvalDeadline?: Date;
  } = {},
): Promise<TradeRow> {
  const id = options.id ?? randomUUID();
  await store.trades.insertPendingWithinLimit({
    id,
    ruleSet: 'ic',
    rulesHash: 'h1',
    candidateId: null,
    strategy: 'iron-condor',
    underlying: options.underlying ?? 'SPY',
    expiration: '2026-02-20',
    quantity: 1,
    legs: [
      {
        symbol: 'SPY   260220P00560000',
        streamerSymbol: '.SPY260220P560',
        action: 'Sell to Open',
        quantity: 1,
        strike: 560,
        right: 'P',
        expiration: '2026-02-20',
      },
      {
        symbol: 'SPY   260220P00555000',
        streamerSymbol: '.SPY260220P555',
        action: 'Buy to Open',
        quantity: 1,
        strike: 555,
        right: 'P',
        expiration: '2026-02-20',
      },
    ],
    entryGroupId: randomUUID(),
    riskCents: 40_000,
    expectedCreditCents: 123,
    facts: {},
    ...(options.approvalDeadline ? { approvalDeadline: options.approvalDeadline } : {}),
  });
  for (const [i, e] of events.entries())
    await store.trades.move(id, e, i === events.length - 1 ? options.fields : undefined);
  return (await store.trades.get(id))!;
}
