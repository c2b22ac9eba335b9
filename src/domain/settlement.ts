// Owns the broker's settlements as domain events: what a Receive Deliver transaction did to a position without an
// order of ours (an option expired, was assigned or exercised; shares were delivered for it), and which share delivery
// belongs to which assignment or exercise. Pure.
import type { InstrumentType, LegAction } from './broker-order.js';

/**
 * - `expiration`: an option removed at expiration (worthless)
 * - `assignment`: a short option removed because it was assigned
 * - `exercise`: a long option removed because it was exercised
 * - `delivery`: shares (or contracts) delivered by the broker for one of those, with the action that moved them
 * - `other`: any other Receive Deliver sub-type (ACAT, splits, symbol changes): never explains a difference by itself
 */
export type SettlementKind = 'expiration' | 'assignment' | 'exercise' | 'delivery' | 'other';

export interface Settlement {
  /** The broker's transaction id. */
  id: number;
  kind: SettlementKind;
  /** The broker's `transaction-sub-type`, verbatim. */
  subType: string;
  symbol: string;
  instrumentType: InstrumentType | string;
  underlyingSymbol: string;
  /** Contracts or shares, unsigned. */
  quantity: number;
  /** Deliveries: the action that moved the position (`Buy to Open` for shares a short put delivers); null otherwise. */
  action: LegAction | null;
  /** Per unit, unsigned, cents (the strike for shares delivered by an assignment); 0 when the row has none. */
  priceCents: number;
  /** Fees charged on the row as a cost in cents. */
  feeCents: number;
  /** ISO time of the settlement at the broker. */
  executedAt: string;
}

const OPTION_REMOVALS: ReadonlySet<SettlementKind> = new Set(['expiration', 'assignment', 'exercise']);
export const removesOption = (s: Pick<Settlement, 'kind'>): boolean => OPTION_REMOVALS.has(s.kind);

const SUB_TYPES: Readonly<Record<string, SettlementKind>> = {
  Expiration: 'expiration',
  Assignment: 'assignment',
  'Cash Settled Assignment': 'assignment',
  Exercise: 'exercise',
  'Cash Settled Exercise': 'exercise',
  'Buy to Open': 'delivery',
  'Sell to Open': 'delivery',
  'Buy to Close': 'delivery',
  'Sell to Close': 'delivery',
};

/** The kind of a Receive Deliver `transaction-sub-type`. */
export const settlementKindOf = (subType: string): SettlementKind => SUB_TYPES[subType] ?? 'other';

/** Signed change of a delivery to the position it moved (long +). */
export function deliveryChange(s: Pick<Settlement, 'action' | 'quantity'>): number {
  if (s.action === null) return 0;
  return s.action.startsWith('Buy') ? s.quantity : -s.quantity;
}

export interface SettledOption {
  /** The option's removal (expiration, assignment or exercise). */
  removal: Settlement;
  /** The shares delivered for it (assignment, exercise); null for an expiration or when the broker has not listed them. */
  delivery: Settlement | null;
}

/**
 * Pairs every option removal with the share delivery the broker listed for it: the same underlying, the same instant,
 * `quantity × 100` shares, each delivery used once (Tastytrade lists them as two rows, the removal without an action).
 */
export function pairSettlements(settlements: readonly Settlement[], sharesPerContract = 100): SettledOption[] {
  const used = new Set<number>();
  const deliveries = settlements.filter((s) => s.kind === 'delivery');
  return settlements.filter(removesOption).map((removal) => {
    if (removal.kind === 'expiration') return { removal, delivery: null };
    const delivery =
      deliveries.find(
        (d) =>
          !used.has(d.id) &&
          d.underlyingSymbol === removal.underlyingSymbol &&
          Date.parse(d.executedAt) === Date.parse(removal.executedAt) &&
          d.quantity === removal.quantity * sharesPerContract,
      ) ?? null;
    if (delivery) used.add(delivery.id);
    return { removal, delivery };
  });
}
