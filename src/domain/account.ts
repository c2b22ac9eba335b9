// Owns what Legwork knows of the account at the broker: positions and balances. Pure types.
import type { Cents } from './money.js';
import type { InstrumentType } from './broker-order.js';

export interface Position {
  accountNumber: string;
  symbol: string;
  instrumentType: InstrumentType;
  underlyingSymbol: string;
  /** Signed: positive long, negative short. */
  quantity: number;
  multiplier: number;
  /** Per unit, unsigned. */
  averageOpenPriceCents: Cents;
  closePriceCents: Cents | null;
  /** Per unit mark when the broker sends one. */
  markCents: Cents | null;
  expiresAt: number | null; // epoch ms
  updatedAt: number | null;
}

export interface Balances {
  accountNumber: string;
  cashCents: Cents;
  netLiquidatingValueCents: Cents;
  derivativeBuyingPowerCents: Cents;
  equityBuyingPowerCents: Cents;
  maintenanceRequirementCents: Cents;
  updatedAt: number | null;
}

export interface DryRunResult {
  /** Signed change of buying power: negative uses buying power. Includes fees, as Tastytrade reports it. */
  buyingPowerChangeCents: Cents;
  /** Signed like money from its effect: a requirement that grows (Debit) is negative. */
  marginRequirementChangeCents: Cents;
  newBuyingPowerCents: Cents;
  /** Total fees as a cost: positive = paid, negative = a rebate. */
  feesCents: Cents;
  warnings: { code: string; message: string }[];
}

export interface MarketSessionInfo {
  state: 'Open' | 'Closed' | 'Pre-market' | 'Extended';
  openAt: number | null;
  closeAt: number | null;
  nextOpenAt: number | null;
}

/**
 * One Trade transaction of the broker (GET /accounts/{n}/transactions): a leg fill and what it cost in fees. Fees are
 * unsigned costs in cents (a rebate would be negative); `feeCents` is their sum.
 */
export interface BrokerTransaction {
  id: number;
  brokerOrderId: number;
  symbol: string;
  action: string;
  quantity: number;
  priceCents: number;
  commissionCents: number;
  clearingFeesCents: number;
  regulatoryFeesCents: number;
  proprietaryFeesCents: number;
  feeCents: number;
  executedAt: string;
}
