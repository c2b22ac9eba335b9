// Owns the trade state machine: which event may move a trade from which statuses, and to what. A literal table, so a
// status with no way out is visible here; the table test proves every non-terminal status reaches an end. Pure.

export const TRADE_STATUSES = [
  'awaiting_approval',
  'pending',
  'opening',
  'open',
  'closing',
  'closed',
  'rejected',
  'rolled_back',
  'broken',
] as const;
export type TradeStatus = (typeof TRADE_STATUSES)[number];

/** Settled for good: nothing held, nothing working. `broken` is NOT terminal: it holds positions and stays managed. */
export const TERMINAL_TRADE_STATUSES: ReadonlySet<TradeStatus> = new Set(['closed', 'rejected', 'rolled_back']);
export const isTerminalTrade = (s: TradeStatus): boolean => TERMINAL_TRADE_STATUSES.has(s);

/**
 * From selection until nothing is held: these count toward every risk limit and busy underlying. A trade awaiting
 * approval holds no position, but it holds its underlying (no second proposal or trade there) and its risk budget (it
 * may be approved and fill).
 */
export const ACTIVE_TRADE_STATUSES: readonly TradeStatus[] = [
  'awaiting_approval',
  'pending',
  'opening',
  'open',
  'closing',
  'broken',
];

export type TradeEventType =
  /** A human approved a proposed trade (rule set with `execution.approval: manual`): its entry is planned now. */
  | 'Approve'
  /** A human rejected a proposed trade. */
  | 'Reject'
  /** Nobody decided on a proposed trade before its approval deadline. */
  | 'ApprovalExpired'
  /** The entry's first order is about to be sent. */
  | 'EntrySent'
  /** The entry filled (whole or the kept part of a partial fill): the structure is held. */
  | 'Opened'
  /** The entry was denied, or ended with nothing filled. */
  | 'EntryRejected'
  /** A partial entry was flattened by compensation. */
  | 'EntryRolledBack'
  /**
   * A rollback flattened everything but longs nobody bids for (worth nothing, covering nothing: see `nobodyBids` in
   * closing-legs.ts): the trade keeps them, open, managed by the exit cycle until a bid appears or they expire.
   */
  | 'RemainderKept'
  /** An exit group was created for it. */
  | 'ExitStarted'
  /** An exit ended without closing everything (nothing filled, deferred, part left): managed again by the exit rules. */
  | 'ExitEnded'
  /** Nothing is held any more after an exit. */
  | 'Closed'
  /** A rollback or exit could not flatten what it holds: a human is alerted; exits and flatten keep managing it. */
  | 'Broken'
  /** A settled trade turns out to hold legs at the broker (a late fill, a submit adopted after it was declared absent). */
  | 'PositionFound';

export interface TradeTransition {
  from: readonly TradeStatus[];
  to: TradeStatus;
}

/** Every edge of the machine. Each event has exactly one destination; `from` lists where it may be applied. */
export const TRADE_TRANSITIONS: { readonly [E in TradeEventType]: TradeTransition } = {
  Approve: { from: ['awaiting_approval'], to: 'pending' },
  Reject: { from: ['awaiting_approval'], to: 'rejected' },
  ApprovalExpired: { from: ['awaiting_approval'], to: 'rejected' },
  EntrySent: { from: ['pending', 'opening'], to: 'opening' },
  Opened: { from: ['pending', 'opening'], to: 'open' },
  EntryRejected: { from: ['pending', 'opening'], to: 'rejected' },
  EntryRolledBack: { from: ['pending', 'opening'], to: 'rolled_back' },
  RemainderKept: { from: ['pending', 'opening'], to: 'open' },
  ExitStarted: { from: ['open', 'broken'], to: 'closing' },
  ExitEnded: { from: ['closing'], to: 'open' },
  Closed: { from: ['open', 'closing', 'broken'], to: 'closed' },
  Broken: { from: ['pending', 'opening', 'open', 'closing', 'broken'], to: 'broken' },
  // The one edge out of a terminal status: broker truth says the trade still holds something
  PositionFound: { from: ['closed', 'rejected', 'rolled_back'], to: 'broken' },
};

export type TradeTransitionResult = { ok: true; status: TradeStatus; changed: boolean } | { ok: false; error: string };

export function applyTradeEvent(status: TradeStatus, event: TradeEventType): TradeTransitionResult {
  const edge = TRADE_TRANSITIONS[event];
  if (!edge.from.includes(status))
    return { ok: false, error: `trade event ${event} is not allowed in status ${status}` };
  return { ok: true, status: edge.to, changed: edge.to !== status };
}

/** The statuses an event may be applied from (what a compare-and-set update matches). */
export const tradeEventSources = (event: TradeEventType): readonly TradeStatus[] => TRADE_TRANSITIONS[event].from;
