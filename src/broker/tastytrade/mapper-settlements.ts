// Owns Tastytrade Receive Deliver transactions → Legwork settlements (src/domain/settlement.ts): expirations,
// assignments, exercises and the share deliveries they cause, as GET /accounts/{n}/transactions lists them. Pure.
import { z } from 'zod';
import type { LegAction } from '../../domain/broker-order.js';
import { toCents } from '../../domain/money.js';
import { settlementKindOf, type Settlement } from '../../domain/settlement.js';
import { feeCents } from './mapper-account.js';
import { mapping, wireError } from './mapper-util.js';
import { parseWire, TtTransaction, unwrapEnvelope } from './wire.js';

const ACTIONS: readonly string[] = ['Buy to Open', 'Sell to Open', 'Buy to Close', 'Sell to Close', 'Buy', 'Sell'];

/** The Receive Deliver items of a transactions page as settlements; every other transaction type is skipped. */
export function parseSettlements(items: unknown): Settlement[] {
  const list = parseWire('transaction list', z.array(TtTransaction), unwrapEnvelope(items));
  return list.flatMap((t, i) => {
    if (t['transaction-type'] !== 'Receive Deliver') return [];
    const path = `$[${i}]`;
    const subType = t['transaction-sub-type'];
    if (!subType)
      throw wireError(
        'transaction',
        `${path}.transaction-sub-type`,
        'a Receive Deliver transaction needs its sub-type',
      );
    if (!t.symbol) throw wireError('transaction', `${path}.symbol`, 'a Receive Deliver transaction needs its symbol');
    const kind = settlementKindOf(subType);
    // The delivery's action is its sub-type (the recorded rows carry both, equal); removals carry none
    const action = kind === 'delivery' ? (t.action ?? subType) : null;
    if (action !== null && !ACTIONS.includes(action))
      throw wireError('transaction', `${path}.action`, `unknown action ${JSON.stringify(action)}`);
    const fees = (['commission', 'clearing-fees', 'regulatory-fees', 'proprietary-index-option-fees'] as const).reduce(
      (sum, key) => sum + feeCents(t, key, path),
      0,
    );
    return [
      {
        id: t.id,
        kind,
        subType,
        symbol: t.symbol,
        instrumentType: t['instrument-type'] ?? (t.symbol.length === 21 ? 'Equity Option' : 'Equity'),
        underlyingSymbol: t['underlying-symbol'] ?? t.symbol.slice(0, 6).trimEnd(),
        quantity: Math.abs(t.quantity ?? 0),
        action: action as LegAction | null,
        priceCents:
          t.price === undefined || t.price === null
            ? 0
            : Math.abs(mapping('transaction', `${path}.price`, () => toCents(t.price!))),
        feeCents: fees,
        executedAt: t['executed-at'],
      },
    ];
  });
}
