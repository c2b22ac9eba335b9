// Owns the order-group state machine: which event may move a group from which statuses, and to what. A literal table,
// so a status with no way out is visible here and the table test proves every non-terminal status reaches an end. Pure.
import { TERMINAL_GROUP_STATUSES, type GroupStatus } from './order-group.js';

export type GroupEventType =
  /** The pre-trade gate refused it before anything was sent. */
  | 'Denied'
  /** A working-group slot was claimed: the first order is about to be sent. */
  | 'SlotClaimed'
  /** An order of the group has an unknown outcome: the group waits for reconciliation. */
  | 'AwaitingReconcile'
  /** The broker has the group's order(s). */
  | 'Working'
  /** Everything the group set out to do filled (or the kept part of a partial fill). */
  | 'Filled'
  /** It ended with nothing to undo: nothing filled, an exit deferred or abandoned (the trade keeps being managed). */
  | 'Cancelled'
  /** A partial or failed entry is being flattened by compensation orders. */
  | 'CompensationStarted'
  /** Compensation closed what had filled. */
  | 'RolledBack'
  /** Compensation could not flatten it: a human is needed. */
  | 'Broken';

export interface GroupTransition {
  from: readonly GroupStatus[];
  to: GroupStatus;
}

/** Every edge of the machine. Each event has exactly one destination; `from` lists where it may be applied. */
export const GROUP_TRANSITIONS: { readonly [E in GroupEventType]: GroupTransition } = {
  Denied: { from: ['planned', 'submitting'], to: 'denied' },
  SlotClaimed: { from: ['planned', 'submitting'], to: 'submitting' },
  AwaitingReconcile: { from: ['planned', 'submitting', 'working'], to: 'submitting' },
  Working: { from: ['planned', 'submitting', 'working'], to: 'working' },
  Filled: { from: ['planned', 'submitting', 'working'], to: 'filled' },
  Cancelled: { from: ['planned', 'submitting', 'working', 'compensating'], to: 'cancelled' },
  CompensationStarted: { from: ['planned', 'submitting', 'working', 'compensating'], to: 'compensating' },
  RolledBack: { from: ['compensating'], to: 'rolled_back' },
  Broken: { from: ['planned', 'submitting', 'working', 'compensating'], to: 'broken' },
};

export type GroupTransitionResult = { ok: true; status: GroupStatus; changed: boolean } | { ok: false; error: string };

/** Applies one event to a status: the destination, or why the table does not allow it. */
export function applyGroupEvent(status: GroupStatus, event: GroupEventType): GroupTransitionResult {
  const edge = GROUP_TRANSITIONS[event];
  if (!edge.from.includes(status))
    return { ok: false, error: `group event ${event} is not allowed in status ${status}` };
  return { ok: true, status: edge.to, changed: edge.to !== status };
}

/** The statuses an event may be applied from (what a compare-and-set update matches). */
export const groupEventSources = (event: GroupEventType): readonly GroupStatus[] => GROUP_TRANSITIONS[event].from;

/** Terminal statuses are never left: no edge starts at one. */
export const isTerminalGroupStatus = (s: GroupStatus): boolean => TERMINAL_GROUP_STATUSES.has(s);
