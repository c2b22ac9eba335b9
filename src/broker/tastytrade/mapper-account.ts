// Owns Tastytrade account data → Legwork: positions (signed quantity, either multiplier spelling), balances in cents,
// and the login's accounts. Pure.
import type { Balances, BrokerTransaction, Position } from '../../domain/account.js';
import { toCents } from '../../domain/money.js';
import { mapping } from './mapper-util.js';
import { parseWire, TtAccountItem, TtBalances, TtPosition, TtTransaction, unwrapEnvelope } from './wire.js';
import { z } from 'zod';

function toPosition(p: TtPosition, path: string): Position {
  const kind = 'position';
  const size = Math.abs(p.quantity);
  const unsigned = (key: 'average-open-price' | 'close-price' | 'mark-price'): number | null => {
    const value = p[key];
    return value === undefined || value === null
      ? null
      : mapping(kind, `${path}.${key}`, () => Math.abs(toCents(value)));
  };
  return {
    accountNumber: p['account-number'],
    symbol: p.symbol,
    instrumentType: p['instrument-type'],
    underlyingSymbol: p['underlying-symbol'],
    // Tastytrade sends an unsigned quantity and the side in `quantity-direction`
    quantity: p['quantity-direction'] === 'Short' ? -size : p['quantity-direction'] === 'Long' ? size : 0,
    multiplier: p.multiplier,
    averageOpenPriceCents: unsigned('average-open-price') ?? 0,
    closePriceCents: unsigned('close-price'),
    markCents: unsigned('mark-price'),
    expiresAt: p['expires-at'] ?? null,
    updatedAt: p['updated-at'] ?? null,
  };
}

/** One position: a list item or a `CurrentPosition` notification's data. */
export function parsePosition(json: unknown): Position {
  return toPosition(parseWire('position', TtPosition, unwrapEnvelope(json)), '$');
}

/** GET /accounts/{n}/positions: the SDK's bare array, `{items}` or a full body. */
export function parsePositions(items: unknown): Position[] {
  return parseWire('position list', z.array(TtPosition), unwrapEnvelope(items)).map((p, i) => toPosition(p, `$[${i}]`));
}

/** GET /accounts/{n}/balances `data`, or an `AccountBalance` notification's data. Amounts are signed decimals. */
export function parseBalances(json: unknown): Balances {
  const b = parseWire('balances', TtBalances, unwrapEnvelope(json));
  const cents = (
    key:
      | 'cash-balance'
      | 'net-liquidating-value'
      | 'derivative-buying-power'
      | 'equity-buying-power'
      | 'maintenance-requirement',
  ) => mapping('balances', `$.${key}`, () => toCents(b[key]));
  return {
    accountNumber: b['account-number'],
    cashCents: cents('cash-balance'),
    netLiquidatingValueCents: cents('net-liquidating-value'),
    derivativeBuyingPowerCents: cents('derivative-buying-power'),
    equityBuyingPowerCents: cents('equity-buying-power'),
    maintenanceRequirementCents: cents('maintenance-requirement'),
    updatedAt: b['updated-at'] ?? null,
  };
}

/** GET /customers/me/accounts items (`{account: {...}, authority-level}`). */
export function parseAccounts(
  items: unknown,
): { accountNumber: string; nickname: string | null; marginOrCash: string | null; isClosed: boolean }[] {
  return parseWire('account list', z.array(TtAccountItem), unwrapEnvelope(items)).map(({ account: a }) => ({
    accountNumber: a['account-number'],
    nickname: a.nickname ?? null,
    marginOrCash: a['margin-or-cash'] ?? null,
    isClosed: a['is-closed'] ?? false,
  }));
}

/** A fee as a cost in cents: a Debit is a cost (+), a Credit a rebate (−), absent or None nothing. */
export function feeCents(
  t: TtTransaction,
  key: 'commission' | 'clearing-fees' | 'regulatory-fees' | 'proprietary-index-option-fees',
  path: string,
): number {
  const value = t[key];
  if (value === undefined || value === null) return 0;
  const cents = Math.abs(mapping('transaction', `${path}.${key}`, () => toCents(value)));
  const effect = t[`${key}-effect`];
  return effect === 'Credit' ? -cents : effect === 'None' ? 0 : cents;
}

/** GET /accounts/{n}/transactions items: the Trade transactions (leg fills) with their fees; other types are skipped. */
export function parseTransactions(items: unknown): BrokerTransaction[] {
  const list = parseWire('transaction list', z.array(TtTransaction), unwrapEnvelope(items));
  return list.flatMap((t, i) => {
    if (t['transaction-type'] !== 'Trade' || t['order-id'] === undefined || t['order-id'] === null) return [];
    const path = `$[${i}]`;
    const commissionCents = feeCents(t, 'commission', path);
    const clearingFeesCents = feeCents(t, 'clearing-fees', path);
    const regulatoryFeesCents = feeCents(t, 'regulatory-fees', path);
    const proprietaryFeesCents = feeCents(t, 'proprietary-index-option-fees', path);
    return [
      {
        id: t.id,
        brokerOrderId: t['order-id'],
        symbol: t.symbol ?? '',
        action: t.action ?? '',
        quantity: Math.abs(t.quantity ?? 0),
        priceCents:
          t.price === undefined || t.price === null
            ? 0
            : Math.abs(mapping('transaction', `${path}.price`, () => toCents(t.price!))),
        commissionCents,
        clearingFeesCents,
        regulatoryFeesCents,
        proprietaryFeesCents,
        feeCents: commissionCents + clearingFeesCents + regulatoryFeesCents + proprietaryFeesCents,
        executedAt: t['executed-at'],
      },
    ];
  });
}
