// The trade state machine, table-driven: every cell of (status × event), every non-terminal status (broken and
// awaiting_approval included) has a way out, the only edge out of a terminal status is PositionFound, and risk counts
// every status from selection until settled.
import { describe, expect, it } from 'vitest';
import {
  ACTIVE_TRADE_STATUSES,
  applyTradeEvent,
  isTerminalTrade,
  TRADE_STATUSES,
  TRADE_TRANSITIONS,
  type TradeEventType,
  type TradeStatus,
} from '../../../src/domain/trade-transitions.js';

const EVENTS = Object.keys(TRADE_TRANSITIONS) as TradeEventType[];

const EXPECTED: Record<TradeStatus, Partial<Record<TradeEventType, TradeStatus>>> = {
  // A proposal holds nothing: a human approves it (planned then), rejects it, or it expires; nothing else moves it
  awaiting_approval: { Approve: 'pending', Reject: 'rejected', ApprovalExpired: 'rejected' },
  pending: {
    EntrySent: 'opening',
    Opened: 'open',
    EntryRejected: 'rejected',
    EntryRolledBack: 'rolled_back',
    RemainderKept: 'open',
    Broken: 'broken',
  },
  opening: {
    EntrySent: 'opening',
    Opened: 'open',
    EntryRejected: 'rejected',
    EntryRolledBack: 'rolled_back',
    RemainderKept: 'open',
    Broken: 'broken',
  },
  open: { ExitStarted: 'closing', Closed: 'closed', Broken: 'broken' },
  closing: { ExitEnded: 'open', Closed: 'closed', Broken: 'broken' },
  broken: { ExitStarted: 'closing', Closed: 'closed', Broken: 'broken' },
  closed: { PositionFound: 'broken' },
  rejected: { PositionFound: 'broken' },
  rolled_back: { PositionFound: 'broken' },
};

describe('trade transition table', () => {
  const cells = TRADE_STATUSES.flatMap((s) => EVENTS.map((e) => [s, e] as const));
  it.each(cells)('%s --%s-->', (status, event) => {
    const result = applyTradeEvent(status, event);
    const to = EXPECTED[status][event];
    if (to === undefined) {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toBe(`trade event ${event} is not allowed in status ${status}`);
    } else {
      expect(result).toEqual({ ok: true, status: to, changed: to !== status });
    }
  });

  it('leaves a terminal status only when the broker shows it still holds something', () => {
    for (const status of TRADE_STATUSES.filter(isTerminalTrade)) {
      const exits = EVENTS.filter((e) => applyTradeEvent(status, e).ok);
      expect(exits).toEqual(['PositionFound']);
    }
  });

  it('gives every non-terminal status a path to a terminal one', () => {
    for (const start of TRADE_STATUSES.filter((s) => !isTerminalTrade(s))) {
      const seen = new Set<TradeStatus>([start]);
      const queue = [start];
      while (queue.length > 0) {
        const s = queue.shift()!;
        for (const e of EVENTS) {
          const r = applyTradeEvent(s, e);
          if (r.ok && !isTerminalTrade(s) && !seen.has(r.status)) {
            seen.add(r.status);
            queue.push(r.status);
          }
        }
      }
      expect([...seen].some(isTerminalTrade), `${start} has no way out`).toBe(true);
    }
  });

  it('counts every status from selection until settled as active (risk limits, busy underlyings), proposals included', () => {
    expect([...ACTIVE_TRADE_STATUSES].sort()).toEqual(TRADE_STATUSES.filter((s) => !isTerminalTrade(s)).sort());
    expect(ACTIVE_TRADE_STATUSES).toContain('awaiting_approval');
  });

  it('settles a proposal only from awaiting_approval: a second decision finds nothing to move', () => {
    for (const event of ['Approve', 'Reject', 'ApprovalExpired'] as const) {
      expect(TRADE_STATUSES.filter((s) => applyTradeEvent(s, event).ok)).toEqual(['awaiting_approval']);
    }
    // Once approved it is an ordinary pending trade: no approval event applies any more
    expect(applyTradeEvent('pending', 'Reject')).toEqual({
      ok: false,
      error: 'trade event Reject is not allowed in status pending',
    });
  });
});
