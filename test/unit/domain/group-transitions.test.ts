// The order-group state machine, table-driven: every cell of (status × event), every non-terminal status has a way
// out to a terminal one, terminal statuses are never left, and the table names only real statuses.
import { describe, expect, it } from 'vitest';
import { applyGroupEvent, GROUP_TRANSITIONS, type GroupEventType } from '../../../src/domain/group-transitions.js';
import { GROUP_STATUSES, isTerminalGroup, type GroupStatus } from '../../../src/domain/order-group.js';

const EVENTS = Object.keys(GROUP_TRANSITIONS) as GroupEventType[];

/** The whole machine written out once more by hand: status → event → destination (absent = refused). */
const EXPECTED: Record<GroupStatus, Partial<Record<GroupEventType, GroupStatus>>> = {
  planned: {
    Denied: 'denied',
    SlotClaimed: 'submitting',
    AwaitingReconcile: 'submitting',
    Working: 'working',
    Filled: 'filled',
    Cancelled: 'cancelled',
    CompensationStarted: 'compensating',
    Broken: 'broken',
  },
  submitting: {
    Denied: 'denied',
    SlotClaimed: 'submitting',
    AwaitingReconcile: 'submitting',
    Working: 'working',
    Filled: 'filled',
    Cancelled: 'cancelled',
    CompensationStarted: 'compensating',
    Broken: 'broken',
  },
  working: {
    AwaitingReconcile: 'submitting',
    Working: 'working',
    Filled: 'filled',
    Cancelled: 'cancelled',
    CompensationStarted: 'compensating',
    Broken: 'broken',
  },
  compensating: {
    Cancelled: 'cancelled',
    CompensationStarted: 'compensating',
    RolledBack: 'rolled_back',
    Broken: 'broken',
  },
  denied: {},
  filled: {},
  cancelled: {},
  rolled_back: {},
  broken: {},
};

describe('group transition table', () => {
  const cells = GROUP_STATUSES.flatMap((s) => EVENTS.map((e) => [s, e] as const));
  it.each(cells)('%s --%s-->', (status, event) => {
    const result = applyGroupEvent(status, event);
    const to = EXPECTED[status][event];
    if (to === undefined) {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toBe(`group event ${event} is not allowed in status ${status}`);
    } else {
      expect(result).toEqual({ ok: true, status: to, changed: to !== status });
    }
  });

  it('never leaves a terminal status', () => {
    for (const status of GROUP_STATUSES.filter(isTerminalGroup)) {
      for (const event of EVENTS) expect(applyGroupEvent(status, event).ok).toBe(false);
    }
  });

  it('gives every non-terminal status a path to a terminal one', () => {
    for (const start of GROUP_STATUSES.filter((s) => !isTerminalGroup(s))) {
      const seen = new Set<GroupStatus>([start]);
      const queue = [start];
      while (queue.length > 0) {
        const s = queue.shift()!;
        for (const e of EVENTS) {
          const r = applyGroupEvent(s, e);
          if (r.ok && !seen.has(r.status)) {
            seen.add(r.status);
            queue.push(r.status);
          }
        }
      }
      expect([...seen].some(isTerminalGroup), `${start} has no way out`).toBe(true);
    }
  });

  it('names only statuses the database accepts', () => {
    for (const edge of Object.values(GROUP_TRANSITIONS)) {
      expect(GROUP_STATUSES).toContain(edge.to);
      for (const s of edge.from) expect(GROUP_STATUSES).toContain(s);
    }
  });
});
