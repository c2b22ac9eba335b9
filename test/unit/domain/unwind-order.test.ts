// The unwind order, table-driven: shorts first; a long is released only once the shorts it covers on its side
// (underlying, expiration, right) are flat; longs covering shorts outside the plan are held back; never an opening step.
import { describe, expect, it } from 'vitest';
import { sideOf, unwindWaves, type HeldLeg } from '../../../src/domain/unwind-order.js';

const occ = (right: 'C' | 'P', strike: number, exp = '261218', root = 'SPY') =>
  `${root.padEnd(6, ' ')}${exp}${right}${String(strike * 1000).padStart(8, '0')}`;
const LP = occ('P', 540);
const SP = occ('P', 550);
const SC = occ('C', 600);
const LC = occ('C', 610);
const LP_OTHER_EXP = occ('P', 540, '270115');
const QQQ_LP = occ('P', 540, '261218', 'QQQ');

type Row = [name: string, legs: HeldLeg[], other: [string, number][], waves: string[][], heldBack: string[]];
const step = (side: 'buy' | 'sell', symbol: string, q = 1) => `${side} ${q} ${symbol}`;

const TABLE: Row[] = [
  [
    'condor: shorts first, then the wings',
    [
      { symbol: LP, quantity: 1 },
      { symbol: SP, quantity: -1 },
      { symbol: SC, quantity: -1 },
      { symbol: LC, quantity: 1 },
    ],
    [],
    [
      [step('buy', SP), step('buy', SC)],
      [step('sell', LP), step('sell', LC)],
    ],
    [],
  ],
  [
    'rollback after the short call failed: the long call covers nothing and goes at once; the long put waits for its short',
    [
      { symbol: LP, quantity: 1 },
      { symbol: LC, quantity: 1 },
      { symbol: SP, quantity: -1 },
    ],
    [],
    [[step('buy', SP), step('sell', LC)], [step('sell', LP)]],
    [],
  ],
  [
    'only longs: one wave',
    [
      { symbol: LP, quantity: 1 },
      { symbol: LC, quantity: 1 },
    ],
    [],
    [[step('sell', LP), step('sell', LC)]],
    [],
  ],
  ['only shorts: one wave', [{ symbol: SP, quantity: -2 }], [], [[step('buy', SP, 2)]], []],
  [
    "a long in excess of its side's shorts: the excess goes at once",
    [
      { symbol: LP, quantity: 3 },
      { symbol: SP, quantity: -1 },
    ],
    [],
    [[step('buy', SP), step('sell', LP, 2)], [step('sell', LP, 1)]],
    [],
  ],
  [
    'another expiration does not cover',
    [
      { symbol: LP_OTHER_EXP, quantity: 1 },
      { symbol: SP, quantity: -1 },
    ],
    [],
    [[step('buy', SP), step('sell', LP_OTHER_EXP)]],
    [],
  ],
  [
    'another underlying does not cover',
    [
      { symbol: QQQ_LP, quantity: 1 },
      { symbol: SP, quantity: -1 },
    ],
    [],
    [[step('buy', SP), step('sell', QQQ_LP)]],
    [],
  ],
  [
    'a short leg still working: the long put covering it is held back',
    [
      { symbol: LP, quantity: 1 },
      { symbol: LC, quantity: 1 },
    ],
    [[SP, 1]],
    [[step('sell', LC)]],
    [step('sell', LP)],
  ],
  [
    'a kept short of 1 and a short to close: 2 longs, one held back for good, one after the short',
    [
      { symbol: LP, quantity: 2 },
      { symbol: SP, quantity: -1 },
    ],
    [[SP, 1]],
    [[step('buy', SP)], [step('sell', LP)]],
    [step('sell', LP)],
  ],
  ['nothing held: no wave', [], [], [], []],
];

describe('unwindWaves', () => {
  it.each(TABLE)('%s', (_name, legs, other, waves, heldBack) => {
    const plan = unwindWaves(legs, new Map(other));
    expect(plan.waves.map((w) => w.map((s) => step(s.side, s.symbol, s.quantity)))).toEqual(waves);
    expect(plan.heldBack.map((s) => step(s.side, s.symbol, s.quantity))).toEqual(heldBack);
  });

  it('after every wave, no side holds more shorts than longs (no naked short at any point)', () => {
    for (const [, legs, other] of TABLE) {
      const held = new Map(legs.map((l) => [l.symbol, l.quantity]));
      for (const [s, q] of other) held.set(s, (held.get(s) ?? 0) - q);
      const naked = () => {
        const book = new Map<string, number>();
        for (const [s, q] of held) book.set(sideOf(s), (book.get(sideOf(s)) ?? 0) + q);
        return [...book.values()].some((net) => net < 0);
      };
      const nakedBefore = naked();
      for (const wave of unwindWaves(legs, new Map(other)).waves) {
        // Worst case inside a wave: every sale fills before any buy-back
        for (const s of wave.filter((x) => x.side === 'sell')) held.set(s.symbol, held.get(s.symbol)! - s.quantity);
        if (!nakedBefore) expect(naked()).toBe(false);
        for (const s of wave.filter((x) => x.side === 'buy')) held.set(s.symbol, held.get(s.symbol)! + s.quantity);
      }
    }
  });
});
