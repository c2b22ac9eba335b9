// Owns the one check every order (and every replace, which is a new order at the broker) passes before it is sent:
// the group's kind allows its actions, the trading state allows them, closing quantities never exceed what is held. Pure.
import type { LegAction } from './broker-order.js';

/** `compensation`: the closing orders of a rollback (role 'compensation' inside an entry group). */
export type GuardGroupKind = 'entry' | 'exit' | 'compensation';
export type GuardTradingState = 'active' | 'halted' | 'reducing';

export interface GuardLeg {
  symbol: string;
  action: LegAction;
  /** Contracts this order would still trade on this leg. */
  quantity: number;
}

export interface GuardInput {
  groupKind: GuardGroupKind;
  tradingState: GuardTradingState;
  legs: readonly GuardLeg[];
  /**
   * Signed contracts the trade holds per symbol (long +, short −) from its net fills, less what its other live
   * closing orders may still close.
   */
  held: ReadonlyMap<string, number>;
}

export type GuardDecision = { ok: true } | { ok: false; reason: string };

export const isClosingAction = (action: LegAction): boolean => action === 'Buy to Close' || action === 'Sell to Close';

const refuse = (why: string): GuardDecision => ({ ok: false, reason: `guard: ${why}` });

export function checkOrder({ groupKind, tradingState, legs, held }: GuardInput): GuardDecision {
  if (legs.length === 0) return refuse('an order without legs');
  const bad = legs.find((l) => !Number.isInteger(l.quantity) || l.quantity <= 0);
  if (bad) return refuse(`quantity ${bad.quantity} on ${bad.symbol}`);

  const opening = legs.find((l) => !isClosingAction(l.action));
  if (opening && groupKind !== 'entry')
    return refuse(`a ${groupKind} group closes only: ${opening.action} ${opening.symbol} refused`);
  if (opening && tradingState !== 'active')
    return refuse(`trading is ${tradingState}: no opening order (${opening.action} ${opening.symbol})`);

  // Closing legs, netted per symbol: each may only move the holding toward zero, never through it
  const change = new Map<string, number>();
  for (const l of legs.filter((x) => isClosingAction(x.action))) {
    change.set(l.symbol, (change.get(l.symbol) ?? 0) + (l.action === 'Buy to Close' ? l.quantity : -l.quantity));
  }
  for (const [symbol, delta] of change) {
    const h = held.get(symbol) ?? 0;
    const fits = delta > 0 ? h < 0 && h + delta <= 0 : h > 0 && h + delta >= 0;
    if (!fits) return refuse(`closing ${delta > 0 ? 'buys' : 'sells'} ${Math.abs(delta)} ${symbol} but ${h} is held`);
  }
  return { ok: true };
}
