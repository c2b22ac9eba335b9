// Owns the order group: one trading decision (open or close a structure), its statuses and its intent. Pure.
import type { Cents } from './money.js';
import type { LegAction, OrderRequest } from './broker-order.js';

export const GROUP_STATUSES = [
  'planned',
  'denied',
  'submitting',
  'working',
  'filled',
  'compensating',
  'rolled_back',
  'cancelled',
  'broken',
] as const;
export type GroupStatus = (typeof GROUP_STATUSES)[number];

/** Terminal: the decision is settled. `broken` is terminal for the executor and needs a human. */
export const TERMINAL_GROUP_STATUSES: ReadonlySet<GroupStatus> = new Set([
  'denied',
  'filled',
  'rolled_back',
  'cancelled',
  'broken',
]);
export const isTerminalGroup = (s: GroupStatus): boolean => TERMINAL_GROUP_STATUSES.has(s);

export interface IntentLeg {
  symbol: string;
  /** `Equity`: shares an assignment or exercise delivered into the trade, closed like its options. */
  instrumentType: 'Equity Option' | 'Equity';
  action: LegAction;
  /** Contracts per structure unit. */
  ratio: number;
}

export interface PricingPlan {
  /** Net price of the first attempt, signed (credit +, debit −), on the package tick. */
  startCents: Cents;
  /** Worst acceptable net price (minimum credit / maximum debit), signed. */
  floorCents: Cents;
  /** How far each step moves toward natural, in cents. */
  stepCents: Cents;
  stepEverySeconds: number;
  maxSteps: number;
  /** Cancel what is left after this long. */
  fillTimeoutSeconds: number;
}

export interface GroupIntent {
  tradeId: string;
  kind: 'entry' | 'exit';
  mode: 'combo' | 'legged';
  /** Structure units wanted. */
  quantity: number;
  legs: IntentLeg[];
  pricing: PricingPlan;
  partialFill: 'keep' | 'close';
  ruleSet: string;
  rulesHash: string;
  /** Exit groups: the rule that fired. */
  reason?: string;
}

/** The whole structure as one day limit order: each leg × the group's quantity, at `limitPriceCents` when given. */
export const packageRequest = (
  intent: Pick<GroupIntent, 'legs' | 'quantity'>,
  limitPriceCents?: number,
): OrderRequest => ({
  orderType: 'Limit',
  timeInForce: 'Day',
  ...(limitPriceCents !== undefined ? { limitPriceCents } : {}),
  legs: intent.legs.map((l) => ({
    symbol: l.symbol,
    instrumentType: l.instrumentType,
    quantity: l.ratio * intent.quantity,
    action: l.action,
  })),
});

/** Tastytrade fills up to 4 distinct option legs of one underlying as one package order. */
export const fitsOneOrder = (legs: readonly IntentLeg[]): boolean =>
  legs.length <= 4 && new Set(legs.map((l) => l.symbol)).size === legs.length;

/** The price `step` steps from the start toward the floor, never past it. */
export function priceAtStep(plan: PricingPlan, step: number): Cents {
  const direction = plan.floorCents >= plan.startCents ? 1 : -1;
  const moved = plan.startCents + direction * plan.stepCents * step;
  return direction > 0 ? Math.min(moved, plan.floorCents) : Math.max(moved, plan.floorCents);
}

/** The opposite action, to close what a leg opened. */
export function closingAction(action: LegAction): LegAction {
  switch (action) {
    case 'Buy to Open':
      return 'Sell to Close';
    case 'Sell to Open':
      return 'Buy to Close';
    case 'Buy to Close':
      return 'Sell to Open';
    case 'Sell to Close':
      return 'Buy to Open';
    case 'Buy':
      return 'Sell';
    case 'Sell':
      return 'Buy';
  }
}
