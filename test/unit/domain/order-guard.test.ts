// The order guard, table-driven: group kinds, trading states and held quantities decide what may reach the broker.
import { describe, expect, it } from 'vitest';
import {
  checkOrder,
  type GuardGroupKind,
  type GuardLeg,
  type GuardTradingState,
} from '../../../src/domain/order-guard.js';

const P = 'SPY   261218P00550000';
const C = 'SPY   261218C00650000';
const bto = (symbol: string, quantity = 1): GuardLeg => ({ symbol, action: 'Buy to Open', quantity });
const sto = (symbol: string, quantity = 1): GuardLeg => ({ symbol, action: 'Sell to Open', quantity });
const btc = (symbol: string, quantity = 1): GuardLeg => ({ symbol, action: 'Buy to Close', quantity });
const stc = (symbol: string, quantity = 1): GuardLeg => ({ symbol, action: 'Sell to Close', quantity });
/** Short 2 puts, long 2 calls. */
const HELD = new Map([
  [P, -2],
  [C, 2],
]);
const NONE = new Map<string, number>();

type Row = [string, GuardGroupKind, GuardTradingState, GuardLeg[], ReadonlyMap<string, number>, RegExp | null];

describe('checkOrder', () => {
  it.each<Row>([
    // entries open, only while active
    ['entry opens while active', 'entry', 'active', [sto(P), bto(C)], NONE, null],
    ['entry opening while halted', 'entry', 'halted', [sto(P)], NONE, /trading is halted: no opening order/],
    ['entry opening while reducing', 'entry', 'reducing', [bto(C)], NONE, /trading is reducing/],
    // exits and compensations close only, in any state
    ['exit closes what is held', 'exit', 'active', [btc(P, 2), stc(C, 2)], HELD, null],
    ['exit closes while halted', 'exit', 'halted', [btc(P, 1)], HELD, null],
    ['exit closes while reducing', 'exit', 'reducing', [stc(C, 2)], HELD, null],
    ['exit with an opening leg', 'exit', 'active', [sto(P)], HELD, /exit group closes only: Sell to Open/],
    ['exit with Buy to Open', 'exit', 'halted', [btc(P), bto(C)], HELD, /exit group closes only: Buy to Open/],
    ['compensation with an opening leg', 'compensation', 'active', [bto(P)], HELD, /compensation group closes only/],
    ['compensation closes', 'compensation', 'reducing', [btc(P, 2)], HELD, null],
    [
      'equity Buy in an exit',
      'exit',
      'active',
      [{ symbol: 'SPY', action: 'Buy', quantity: 1 }],
      HELD,
      /closes only: Buy SPY/,
    ],
    // quantities never exceed what is held
    ['buys back more than is short', 'exit', 'active', [btc(P, 3)], HELD, /buys 3 .* but -2 is held/],
    ['sells more than is long', 'compensation', 'active', [stc(C, 3)], HELD, /sells 3 .* but 2 is held/],
    ['buys back a long (crosses zero)', 'exit', 'active', [btc(C, 1)], HELD, /buys 1 .* but 2 is held/],
    ['sells a short (the wrong side)', 'exit', 'active', [stc(P, 1)], HELD, /sells 1 .* but -2 is held/],
    ['closes what is not held at all', 'exit', 'active', [btc(P, 1)], NONE, /but 0 is held/],
    ['two legs on one symbol are netted', 'exit', 'active', [btc(P, 1), btc(P, 2)], HELD, /buys 3/],
    ['entry closing leg beyond holdings', 'entry', 'active', [btc(P, 5)], HELD, /buys 5/],
    // malformed
    ['no legs', 'exit', 'active', [], HELD, /without legs/],
    ['zero quantity', 'entry', 'active', [sto(P, 0)], NONE, /quantity 0/],
  ])('%s', (_name, groupKind, tradingState, legs, held, refused) => {
    const decision = checkOrder({ groupKind, tradingState, legs, held });
    if (refused === null) expect(decision).toEqual({ ok: true });
    else {
      expect(decision.ok).toBe(false);
      if (!decision.ok) {
        expect(decision.reason).toMatch(/^guard: /);
        expect(decision.reason).toMatch(refused);
      }
    }
  });
});
