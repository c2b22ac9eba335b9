// The repair decision, table-driven: every trade status × the groups it may have × how long nothing moved, and what an
// ended entry left (whole structure, flat with or without fills, part of one).
import { describe, expect, it } from 'vitest';
import type { GroupStatus } from '../../../src/domain/order-group.js';
import { GROUP_STATUSES } from '../../../src/domain/order-group.js';
import {
  entryOutcome,
  repairDecision,
  REPAIR_AFTER_MS,
  STALE_ENTRY_MS,
  type RepairDecision,
  type RepairGroup,
} from '../../../src/domain/trade-repair.js';
import { TRADE_STATUSES, type TradeStatus } from '../../../src/domain/trade-transitions.js';

const NOW = Date.parse('2026-11-17T15:00:00Z');
const ago = (ms: number) => new Date(NOW - ms);
const OLD = REPAIR_AFTER_MS + 1;
const trade = (status: TradeStatus, quietMs = OLD, createdMs = quietMs) => ({
  status,
  entryGroupId: 'entry',
  createdAt: ago(createdMs),
  updatedAt: ago(quietMs),
});
const entry = (status: GroupStatus, quietMs = OLD): RepairGroup => ({
  id: 'entry',
  kind: 'entry',
  status,
  updatedAt: ago(quietMs),
});
const exit = (status: GroupStatus, quietMs = OLD): RepairGroup => ({
  id: 'exit',
  kind: 'exit',
  status,
  updatedAt: ago(quietMs),
});

const LIVE: GroupStatus[] = ['planned', 'submitting', 'working', 'compensating'];
const ENDED: GroupStatus[] = GROUP_STATUSES.filter((s) => !LIVE.includes(s));

type Row = [string, TradeStatus, RepairGroup[], RepairDecision['kind'], number?, number?];
const TABLE: Row[] = [
  // Settled or managed elsewhere (a proposal by its human or the approval sweep, however old): never touched
  ['awaiting_approval, quiet for long', 'awaiting_approval', [], 'none', STALE_ENTRY_MS, STALE_ENTRY_MS],
  ...(['open', 'broken', 'closed', 'rejected', 'rolled_back'] as TradeStatus[]).map(
    (s): Row => [`${s}, no groups`, s, [], 'none'],
  ),
  ...(['open', 'broken'] as TradeStatus[]).flatMap((s) =>
    ENDED.map((g): Row => [`${s}, exit ${g}`, s, [entry('filled'), exit(g)], 'none']),
  ),
  // A live group moves the trade: nothing to repair, whatever the status
  ...(['pending', 'opening', 'closing'] as TradeStatus[]).flatMap((s) =>
    LIVE.filter((g) => g !== 'planned').map(
      (g): Row => [`${s} with a ${g} group`, s, s === 'closing' ? [entry('filled'), exit(g)] : [entry(g)], 'none'],
    ),
  ),
  // …except a group left planned with nothing moving it: its execute job is gone, a new one is enqueued
  ...(['pending', 'opening', 'closing'] as TradeStatus[]).map(
    (s): Row => [
      `${s} with a planned group, quiet`,
      s,
      s === 'closing' ? [entry('filled'), exit('planned')] : [entry('planned')],
      'requeue_group',
    ],
  ),
  ['closing with an exit planned moments ago', 'closing', [entry('filled'), exit('planned', 1000)], 'none'],
  ['pending with an entry planned, trade moved moments ago', 'pending', [entry('planned')], 'none', 1000],
  // closing with no live group → ExitEnded
  ...ENDED.map((g): Row => [`closing, exit ${g}`, 'closing', [entry('filled'), exit(g)], 'exit_ended']),
  ['closing, no exit group at all', 'closing', [entry('filled')], 'exit_ended'],
  ['closing, exit ended moments ago', 'closing', [entry('filled'), exit('cancelled', 1000)], 'none'],
  ['closing, trade moved moments ago', 'closing', [entry('filled'), exit('cancelled')], 'none', 1000],
  // pending
  ['pending, never planned', 'pending', [], 'requeue_entry'],
  ['pending, never planned, just created', 'pending', [], 'none', 1000],
  ['pending, never planned for too long', 'pending', [], 'reject_entry', OLD, STALE_ENTRY_MS],
  ['pending, entry denied', 'pending', [entry('denied')], 'reject_entry'],
  ...(['filled', 'cancelled', 'rolled_back', 'broken'] as GroupStatus[]).map(
    (g): Row => [`pending, entry ${g}`, 'pending', [entry(g)], 'reconcile_entry'],
  ),
  // opening: the entry ended but the trade did not follow
  ...ENDED.map((g): Row => [`opening, entry ${g}`, 'opening', [entry(g)], 'reconcile_entry']),
  ['opening, no entry group', 'opening', [], 'reconcile_entry'],
  ['opening, entry ended moments ago', 'opening', [entry('filled', 1000)], 'none'],
];

describe('repairDecision', () => {
  it.each(TABLE)('%s', (_name, status, groups, expected, quietMs = OLD, createdMs = quietMs) => {
    expect(repairDecision(trade(status, quietMs, createdMs), groups, NOW).kind).toBe(expected);
  });

  it('covers every trade status', () => {
    expect(new Set(TABLE.map((r) => r[1]))).toEqual(new Set(TRADE_STATUSES));
  });

  it('counts an approved entry as stale from its approval, not from its proposal', () => {
    const approved = { ...trade('pending', OLD, STALE_ENTRY_MS + 1), approvalAt: ago(OLD) };
    expect(repairDecision(approved, [], NOW).kind).toBe('requeue_entry');
    expect(repairDecision({ ...approved, approvalAt: ago(STALE_ENTRY_MS) }, [], NOW).kind).toBe('reject_entry');
  });

  it('repairAfterMs is an option', () => {
    expect(repairDecision(trade('closing', 10), [exit('denied', 10)], NOW, { repairAfterMs: 0 }).kind).toBe(
      'exit_ended',
    );
  });
});

describe('entryOutcome', () => {
  const legs = [
    { symbol: 'LP', action: 'Buy to Open' as const, quantity: 1 },
    { symbol: 'SP', action: 'Sell to Open' as const, quantity: 1 },
    { symbol: 'SC', action: 'Sell to Open' as const, quantity: 1 },
    { symbol: 'LC', action: 'Buy to Open' as const, quantity: 1 },
  ];
  const pos = (q: number, cash: number[]) =>
    legs.map((l, i) => ({ symbol: l.symbol, quantity: l.action === 'Sell to Open' ? -q : q, cashCents: cash[i]! }));

  it('whole structures held → Opened with the units and the credit per share', () => {
    expect(entryOutcome(legs, pos(2, [-200, 800, 700, -100]))).toEqual({
      event: 'Opened',
      units: 2,
      entryCreditCents: 6,
    });
  });
  it('nothing filled → EntryRejected', () => {
    expect(entryOutcome(legs, [])).toEqual({ event: 'EntryRejected' });
  });
  it('flat after fills → EntryRolledBack with the cost', () => {
    expect(entryOutcome(legs, pos(0, [-20, 5, 0, 0]))).toEqual({ event: 'EntryRolledBack', realizedPnlCents: -15 });
  });
  it('part of a structure → Broken', () => {
    const positions = pos(1, [0, 0, 0, 0]).map((p) => (p.symbol === 'LC' ? { ...p, quantity: 0 } : p));
    expect(entryOutcome(legs, positions)).toMatchObject({ event: 'Broken' });
  });
  it('uneven units → Broken', () => {
    const positions = pos(1, [0, 0, 0, 0]).map((p) => (p.symbol === 'SP' ? { ...p, quantity: -2 } : p));
    expect(entryOutcome(legs, positions)).toMatchObject({ event: 'Broken' });
  });
  it('a symbol that is not a leg → Broken', () => {
    expect(entryOutcome(legs, [...pos(1, [0, 0, 0, 0]), { symbol: 'X', quantity: 1, cashCents: 0 }])).toMatchObject({
      event: 'Broken',
    });
  });
});
