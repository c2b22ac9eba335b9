// Owns explaining differences between the positions at the broker and what trades hold, per symbol: an option that
// expired, was assigned or exercised (the broker's settlements say so), shares delivered for one of a trade's options,
// a position a trader closed by hand outside Legwork (the broker's fills of an order not ours say so), a position no
// trade owns, or a difference nothing explains. Pure.
import { parseOcc } from './instrument.js';
import { brokerOrdersText, outsideCloseOf, type OutsideCloseVerdict, type OutsideEvidence } from './outside-close.js';
import { deliveryChange, pairSettlements, removesOption, type Settlement } from './settlement.js';

export type DifferenceKind =
  /** An option a trade held is gone after its expiration, with the broker's Expiration row. */
  | 'expired'
  /** A short option a trade held is gone with an Assignment row. */
  | 'assigned'
  /** A long option a trade held is gone with an Exercise row. */
  | 'exercised'
  /** Shares (or contracts) the broker delivered for an assignment or exercise of an option a trade held. */
  | 'delivered'
  /**
   * What a trade held was closed by hand outside Legwork: fills of a broker order that is not ours, closing toward flat,
   * are exactly the difference (src/domain/outside-close.ts).
   */
  | 'closed_outside'
  /** A position at the broker that no trade owns and no settlement of ours explains. */
  | 'foreign'
  /** Trades hold it, the broker has none, and no settlement says why. */
  | 'missing'
  /** Both hold it in different quantities and no settlement explains the difference. */
  | 'unexplained';

export interface HeldByTrade {
  tradeId: string;
  symbol: string;
  /** Signed, long +. */
  quantity: number;
}

export interface PositionDifference {
  symbol: string;
  /** Signed quantities: the sum over trades, and the broker's. */
  ours: number;
  broker: number;
  kind: DifferenceKind;
  /** The trades the difference belongs to: those holding the symbol, or (delivered) the option that caused it. */
  tradeIds: string[];
  /** The broker transactions that explain it (Receive Deliver rows; for `closed_outside` the Trade transactions). */
  settlementIds: number[];
  /** `closed_outside`: the broker orders (not ours) whose fills closed it. */
  brokerOrderIds?: number[];
  detail: string;
  /** Whether someone must act: everything but a worthless expiration (which only closes the trade's legs at 0). */
  needsAction: boolean;
}

export interface ExplainInput {
  held: readonly HeldByTrade[];
  broker: readonly { symbol: string; quantity: number }[];
  /** The broker's recent Receive Deliver transactions. */
  settlements: readonly Settlement[];
  /** The broker clock's New York date, YYYY-MM-DD. */
  today: string;
  /**
   * Option symbols whose assignment or exercise a trade has already recorded, and that trade: it owns the shares
   * delivered for them even when the broker lists the delivery after the removal.
   */
  settledBy?: ReadonlyMap<string, string>;
  /** Settlements already recorded against trades: they explain nothing new (they only pair deliveries). */
  recorded?: ReadonlySet<number>;
  /** Fills of broker orders that are not ours, and the trades that may take them (a close by hand). */
  outside?: OutsideEvidence;
}

const optionExpiration = (symbol: string): string | null => {
  try {
    return parseOcc(symbol).expiration;
  } catch {
    return null;
  }
};

const REMOVAL_KIND = { expiration: 'expired', assignment: 'assigned', exercise: 'exercised' } as const;

export function explainPositions(input: ExplainInput): PositionDifference[] {
  const ours = new Map<string, number>();
  const owners = new Map<string, string[]>();
  for (const h of input.held) {
    if (h.quantity === 0) continue;
    ours.set(h.symbol, (ours.get(h.symbol) ?? 0) + h.quantity);
    owners.set(h.symbol, [...(owners.get(h.symbol) ?? []), h.tradeId]);
  }
  const theirs = new Map<string, number>();
  for (const p of input.broker) if (p.quantity !== 0) theirs.set(p.symbol, (theirs.get(p.symbol) ?? 0) + p.quantity);
  const paired = pairSettlements(input.settlements);

  const out: PositionDifference[] = [];
  type Base = { symbol: string; ours: number; broker: number; tradeIds: string[] };
  /** A close by hand explains it: pushed, true. Asked only once the settlements explained nothing. */
  const byHand = (base: Base, verdict: OutsideCloseVerdict): boolean => {
    if (verdict.kind !== 'closed') return false;
    const closed = verdict.fills.reduce((n, f) => n + f.quantity, 0);
    out.push({
      ...base,
      kind: 'closed_outside',
      settlementIds: verdict.fills.map((f) => f.transactionId),
      brokerOrderIds: [...new Set(verdict.fills.map((f) => f.brokerOrderId))],
      needsAction: false,
      detail: `${closed} ${base.symbol} of trade ${verdict.tradeId} closed outside Legwork by ${brokerOrdersText(verdict.fills)} (${verdict.fills.map((f) => `${f.action} ${f.quantity} @ ${(f.priceCents / 100).toFixed(2)}, broker transaction ${f.transactionId}`).join('; ')})`,
    });
    return true;
  };
  /** Fills by hand that explain it once the trade's live group of ours ends: said, not applied. */
  const waiting = (verdict: OutsideCloseVerdict): string =>
    verdict.kind === 'waiting'
      ? `; ${brokerOrdersText(verdict.fills)} closed it outside Legwork, recorded once the trade's live group ends`
      : '';
  for (const symbol of [...new Set([...ours.keys(), ...theirs.keys()])].sort()) {
    const a = ours.get(symbol) ?? 0;
    const b = theirs.get(symbol) ?? 0;
    if (a === b) continue;
    const base = { symbol, ours: a, broker: b, tradeIds: owners.get(symbol) ?? [] };
    // What fills by hand say of it, read once for both the explanation and the note on a waiting close
    const hand = outsideCloseOf(base, input.outside);
    const diff = b - a;
    const expiration = optionExpiration(symbol);

    if (expiration !== null && a !== 0) {
      // Removals move the position toward zero: a short is bought in, a long taken away
      const removals = input.settlements.filter(
        (s) => removesOption(s) && s.symbol === symbol && !input.recorded?.has(s.id),
      );
      const removed = removals.reduce((n, s) => n + s.quantity, 0);
      const towardZero = b === 0 || (Math.sign(b) === Math.sign(a) && Math.abs(b) < Math.abs(a));
      const kinds = [...new Set(removals.map((s) => s.kind))];
      if (removals.length > 0 && towardZero && removed === Math.abs(diff) && kinds.length === 1) {
        const kind = REMOVAL_KIND[kinds[0] as keyof typeof REMOVAL_KIND];
        const deliveries = paired.filter((p) => p.removal.symbol === symbol && p.delivery).map((p) => p.delivery!);
        const shares =
          deliveries.length > 0 ? `; ${deliveries.map((d) => `${d.action} ${d.quantity} ${d.symbol}`).join(', ')}` : '';
        out.push({
          ...base,
          kind,
          settlementIds: removals.map((s) => s.id),
          needsAction: kind !== 'expired',
          detail: `${removed} ${symbol} ${kind} (broker transaction${removals.length > 1 ? 's' : ''} ${removals.map((s) => s.id).join(', ')})${shares}`,
        });
        continue;
      }
      if (byHand(base, hand)) continue;
      if (b === 0 && removals.length === 0) {
        const after =
          expiration <= input.today
            ? `expired ${expiration} but the broker lists no Expiration for it yet`
            : 'gone at the broker without a settlement';
        out.push({
          ...base,
          kind: 'missing',
          settlementIds: [],
          needsAction: true,
          detail: `${symbol}: trades hold ${a}, ${after}${waiting(hand)}`,
        });
        continue;
      }
    }

    if (expiration === null) {
      // Shares delivered for the assignment or exercise of an option a trade held
      const ownersOf = (option: string): string[] =>
        owners.get(option) ?? (input.settledBy?.has(option) ? [input.settledBy.get(option)!] : []);
      const delivered = paired.filter(
        (p) =>
          p.delivery?.symbol === symbol && !input.recorded?.has(p.delivery.id) && ownersOf(p.removal.symbol).length > 0,
      );
      const change = delivered.reduce((n, p) => n + deliveryChange(p.delivery!), 0);
      if (delivered.length > 0 && change === diff) {
        const tradeIds = [...new Set(delivered.flatMap((p) => ownersOf(p.removal.symbol)))];
        out.push({
          ...base,
          kind: 'delivered',
          tradeIds,
          needsAction: true,
          settlementIds: delivered.flatMap((p) => [p.removal.id, p.delivery!.id]),
          detail: `${delivered.map((p) => `${p.delivery!.action} ${p.delivery!.quantity} ${symbol} for the ${p.removal.kind} of ${p.removal.quantity} ${p.removal.symbol}`).join(', ')}`,
        });
        continue;
      }
    }

    if (byHand(base, hand)) continue;
    if (a === 0) {
      out.push({
        ...base,
        kind: 'foreign',
        settlementIds: [],
        needsAction: true,
        detail: `${symbol}: the broker holds ${b} that no trade owns`,
      });
    } else {
      out.push({
        ...base,
        kind: 'unexplained',
        settlementIds: [],
        needsAction: true,
        detail: `${symbol}: trades hold ${a}, the broker ${b}, and no settlement explains it${waiting(hand)}`,
      });
    }
  }
  return out;
}
