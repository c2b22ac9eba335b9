// Owns accounts' money and positions in integer cents: netted positions, fills, fees, balances and buying power.
import { requirementCents, type MarginPosition } from './margin.js';
import type { InstrumentType, LegAction } from './validate.js';
import { isBuy, isClosing } from './validate.js';
import type { TransactionRecord } from './transactions.js';

export interface InstrumentInfo {
  symbol: string;
  instrumentType: Extract<InstrumentType, 'Equity' | 'Equity Option'>;
  underlying: string;
  multiplier: number;
  option?: { right: 'C' | 'P'; strike: number; expirationDate: string };
  expiresAt?: number;
}

export interface PositionRecord extends InstrumentInfo {
  /** Signed: positive long, negative short. */
  quantity: number;
  /** Σ open price (cents per share) × open quantity, for the quantity still open. */
  openCostCents: number;
  createdAt: number;
  updatedAt: number;
  /** Realized P&L (cents, signed) on `realizedDate` (New York trading date). */
  realizedCents: number;
  realizedDate: string;
}

export interface AccountRecord {
  accountNumber: string;
  nickname: string;
  marginOrCash: 'Margin' | 'Cash';
  initialCashCents: number;
  cashCents: number;
  positions: Map<string, PositionRecord>;
  /** One Trade transaction per leg fill, with its fees (GET /accounts/{n}/transactions). */
  transactions: TransactionRecord[];
  openedAt: number;
  updatedAt: number;
}

export function createAccount(
  spec: { accountNumber: string; cashCents: number; nickname?: string; marginOrCash?: 'Margin' | 'Cash' },
  now: number,
): AccountRecord {
  return {
    accountNumber: spec.accountNumber,
    nickname: spec.nickname ?? (spec.marginOrCash === 'Cash' ? 'Cash account' : 'Individual'),
    marginOrCash: spec.marginOrCash ?? 'Margin',
    initialCashCents: spec.cashCents,
    cashCents: spec.cashCents,
    positions: new Map(),
    transactions: [],
    openedAt: now,
    updatedAt: now,
  };
}

/** Applies one leg fill: cash moves by price × qty × multiplier; the position nets (a close realizes P&L). */
export function applyLegFill(
  account: AccountRecord,
  instrument: InstrumentInfo,
  action: LegAction,
  qty: number,
  priceCents: number,
  now: number,
  tradingDate: string,
): PositionRecord {
  const signed = isBuy(action) ? qty : -qty;
  account.cashCents -= signed * priceCents * instrument.multiplier;
  account.updatedAt = now;
  let pos = account.positions.get(instrument.symbol);
  if (!pos) {
    pos = {
      ...instrument,
      quantity: 0,
      openCostCents: 0,
      createdAt: now,
      updatedAt: now,
      realizedCents: 0,
      realizedDate: tradingDate,
    };
    account.positions.set(instrument.symbol, pos);
  }
  if (pos.realizedDate !== tradingDate) {
    pos.realizedCents = 0;
    pos.realizedDate = tradingDate;
  }
  const held = Math.abs(pos.quantity);
  if (pos.quantity === 0 || Math.sign(pos.quantity) === Math.sign(signed)) {
    if (pos.quantity === 0) pos.createdAt = now;
    pos.openCostCents += qty * priceCents;
  } else {
    const closed = Math.min(qty, held);
    const costPart = Math.round((pos.openCostCents * closed) / held);
    const proceeds = closed * priceCents;
    pos.realizedCents += (pos.quantity > 0 ? proceeds - costPart : costPart - proceeds) * pos.multiplier;
    pos.openCostCents -= costPart;
    if (qty > held) {
      pos.openCostCents = (qty - held) * priceCents; // flipped through zero: the rest opens the other way
      pos.createdAt = now;
    }
  }
  pos.quantity += signed;
  if (pos.quantity === 0) pos.openCostCents = 0;
  pos.updatedAt = now;
  if (pos.quantity === 0) account.positions.delete(instrument.symbol);
  return pos;
}

// ---------------------------------------------------------------------------------------------------------------
// Fees (integer cents). Options: $1/contract to open capped at $10 per leg, $0 to close; clearing $0.10/contract;
// regulatory (ORF and friends) $0.03/contract. Equities: no commission; clearing $0.0008/share and, on sales,
// SEC $27.80 per $1M and FINRA TAF $0.000166/share, each rounded up to the cent.

export interface FeeLeg {
  instrumentType: InstrumentInfo['instrumentType'];
  action: LegAction;
  /** Contracts or shares of this leg filled so far (fees are computed on cumulative quantities). */
  quantity: number;
  priceCents: number;
}

export interface Fees {
  commission: number;
  clearing: number;
  orf: number;
  sec: number;
  taf: number;
  regulatory: number;
  total: number;
}

export function feesFor(legs: FeeLeg[]): Fees {
  const fees: Fees = { commission: 0, clearing: 0, orf: 0, sec: 0, taf: 0, regulatory: 0, total: 0 };
  for (const leg of legs) {
    if (leg.quantity <= 0) continue;
    if (leg.instrumentType === 'Equity Option') {
      if (!isClosing(leg.action)) fees.commission += Math.min(leg.quantity * 100, 1000);
      fees.clearing += leg.quantity * 10;
      fees.orf += leg.quantity * 3;
    } else {
      fees.clearing += Math.ceil(leg.quantity * 0.08);
      if (!isBuy(leg.action)) {
        fees.sec += Math.ceil((leg.quantity * leg.priceCents * 27.8) / 1_000_000);
        fees.taf += Math.ceil(leg.quantity * 0.0166);
      }
    }
  }
  fees.regulatory = fees.orf + fees.sec + fees.taf;
  fees.total = fees.commission + fees.clearing + fees.regulatory;
  return fees;
}

// ---------------------------------------------------------------------------------------------------------------
// Balances

export interface Marks {
  /** Mark (mid) of an instrument, cents per share; 0 when unknown or expired. */
  markCents(symbol: string): number;
  spot(underlying: string): number;
}

export interface BalanceFigures {
  cash: number;
  longEquity: number;
  shortEquity: number;
  longDerivative: number;
  shortDerivative: number;
  netLiq: number;
  marginEquity: number;
  requirement: number;
  derivativeBuyingPower: number;
  equityBuyingPower: number;
}

export function marginPositions(
  positions: Iterable<InstrumentInfo & { quantity: number }>,
  marks: Marks,
): MarginPosition[] {
  const out: MarginPosition[] = [];
  for (const p of positions) {
    const item: MarginPosition = {
      symbol: p.symbol,
      underlying: p.underlying,
      quantity: p.quantity,
      markCents: marks.markCents(p.symbol),
      multiplier: p.multiplier,
    };
    if (p.option) item.option = p.option;
    out.push(item);
  }
  return out;
}

/** Balance figures of an account with `cashCents` and `positions` (both may be hypothetical, for preflight). */
export function balanceFigures(
  cashCents: number,
  positions: Iterable<InstrumentInfo & { quantity: number }>,
  marginOrCash: 'Margin' | 'Cash',
  marks: Marks,
): BalanceFigures {
  const list = marginPositions(positions, marks);
  let longEquity = 0;
  let shortEquity = 0;
  let longDerivative = 0;
  let shortDerivative = 0;
  for (const p of list) {
    const value = Math.abs(p.quantity) * p.markCents * p.multiplier;
    if (p.option) {
      if (p.quantity > 0) longDerivative += value;
      else shortDerivative += value;
    } else if (p.quantity > 0) longEquity += value;
    else shortEquity += value;
  }
  const requirement = requirementCents(list, { spot: marks.spot, marginOrCash });
  const marginEquity = cashCents + longEquity - shortEquity;
  const derivativeBuyingPower = marginEquity - requirement;
  return {
    cash: cashCents,
    longEquity,
    shortEquity,
    longDerivative,
    shortDerivative,
    netLiq: cashCents + longEquity - shortEquity + longDerivative - shortDerivative,
    marginEquity,
    requirement,
    derivativeBuyingPower,
    equityBuyingPower:
      marginOrCash === 'Margin' && derivativeBuyingPower > 0 ? 2 * derivativeBuyingPower : derivativeBuyingPower,
  };
}
