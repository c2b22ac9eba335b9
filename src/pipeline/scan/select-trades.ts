// Owns turning a scan's ranked candidates into at most five validated trades: kill switch, busy underlyings,
// sizing, account limits and buying power (the broker's dry-run). Pure decisions; the dry-run is a port call.
import type { DryRunResult } from '../../domain/account.js';
import type { OrderRequest } from '../../domain/broker-order.js';
import { BrokerError } from '../../domain/broker-error.js';
import type { Cents } from '../../domain/money.js';
import type { NewTrade } from '../../domain/records.js';
import type { RuleSet } from '../../rules/schema.js';
import type { Candidate } from '../../strategies/types.js';

export const MAX_TRADES_PER_SCAN = 5;

export interface OpenRisk {
  openTrades: number;
  totalRiskCents: Cents;
  riskByUnderlying: ReadonlyMap<string, Cents>;
}

export interface SelectionInput {
  ruleSet: Pick<RuleSet, 'name' | 'sizing' | 'risk' | 'entry'>;
  /** Best first. */
  ranked: readonly { candidate: Candidate; score: number }[];
  tradingAllowed: { allowed: true } | { allowed: false; reason: string };
  /** Underlyings with an active trade or a working order at the broker: no second structure there. */
  busyUnderlyings: ReadonlySet<string>;
  /** This rule set's trades from selection until closed. */
  openRisk: OpenRisk;
}

export interface SelectedTrade {
  candidate: Candidate;
  score: number;
  quantity: number;
  /** Max loss × quantity (defined risk) or the buying-power effect (undefined risk). */
  riskCents: Cents;
  /** The opening order as the executor will first price it (mid credit, rounded to the package tick). */
  order: OrderRequest;
  dryRun: DryRunResult;
}

export interface SkippedCandidate {
  candidateId: string;
  underlying: string;
  reason: string;
}

export interface Selection {
  selected: SelectedTrade[];
  skipped: SkippedCandidate[];
}

/** The opening order of a candidate: one multi-leg limit order for a credit at the mid. */
export function openingOrder(candidate: Candidate, quantity: number): OrderRequest {
  return {
    orderType: 'Limit',
    timeInForce: 'Day',
    limitPriceCents: candidate.creditMidCents,
    legs: candidate.legs.map((leg) => ({
      symbol: leg.symbol,
      instrumentType: 'Equity Option',
      quantity: leg.ratio * quantity,
      action: leg.action,
    })),
  };
}

/** Structures per trade: the rule's quantity, lowered to fit maxRiskPerTrade; 0 when even one does not fit. */
export function sizeTrade(candidate: Candidate, sizing: SelectionInput['ruleSet']['sizing']): number {
  const maxLoss = candidate.facts.max_loss;
  if (maxLoss === null || sizing.maxRiskPerTrade === undefined) return sizing.quantity;
  if (maxLoss <= 0) return sizing.quantity;
  return Math.min(sizing.quantity, Math.floor(sizing.maxRiskPerTrade / maxLoss));
}

export async function selectTrades(
  input: SelectionInput,
  dryRun: (order: OrderRequest) => Promise<DryRunResult>,
): Promise<Selection> {
  const { ruleSet } = input;
  const selected: SelectedTrade[] = [];
  const skipped: SkippedCandidate[] = [];
  const skip = (c: Candidate, reason: string) => skipped.push({ candidateId: c.id, underlying: c.underlying, reason });
  if (!input.tradingAllowed.allowed) {
    for (const { candidate } of input.ranked) skip(candidate, input.tradingAllowed.reason);
    return { selected, skipped };
  }
  const limit = Math.min(MAX_TRADES_PER_SCAN, ruleSet.risk.maxNewTradesPerScan);
  let openTrades = input.openRisk.openTrades;
  let totalRisk = input.openRisk.totalRiskCents;
  const riskByUnderlying = new Map(input.openRisk.riskByUnderlying);
  const taken = new Set<string>();

  for (const { candidate, score } of input.ranked) {
    if (selected.length >= limit) break;
    const u = candidate.underlying;
    if (input.busyUnderlyings.has(u)) {
      skip(candidate, `${u} already has an open trade or a working order`);
      continue;
    }
    if (taken.has(u)) {
      skip(candidate, `${u} already chosen in this scan`);
      continue;
    }
    if (openTrades >= ruleSet.risk.maxOpenTrades) {
      skip(candidate, `maxOpenTrades ${ruleSet.risk.maxOpenTrades} reached`);
      continue;
    }
    if (ruleSet.entry.minCredit !== undefined && candidate.creditMidCents < Math.round(ruleSet.entry.minCredit * 100)) {
      skip(
        candidate,
        `mid credit ${candidate.creditMidCents / 100} is below entry.minCredit ${ruleSet.entry.minCredit}`,
      );
      continue;
    }
    const quantity = sizeTrade(candidate, ruleSet.sizing);
    if (quantity < 1) {
      skip(
        candidate,
        `max loss ${candidate.facts.max_loss} exceeds sizing.maxRiskPerTrade ${ruleSet.sizing.maxRiskPerTrade}`,
      );
      continue;
    }
    const order = openingOrder(candidate, quantity);
    let preview: DryRunResult;
    try {
      preview = await dryRun(order);
    } catch (error) {
      if (error instanceof BrokerError && error.kind === 'rejected') {
        skip(candidate, `broker preflight refused: ${error.message}`);
        continue;
      }
      throw error;
    }
    if (preview.newBuyingPowerCents < 0) {
      skip(candidate, 'not enough buying power');
      continue;
    }
    const maxLoss = candidate.facts.max_loss;
    const riskCents =
      maxLoss === null ? Math.max(0, -preview.buyingPowerChangeCents) : Math.round(maxLoss * 100) * quantity;
    if (
      maxLoss === null &&
      ruleSet.sizing.maxBuyingPowerPerTrade !== undefined &&
      riskCents > ruleSet.sizing.maxBuyingPowerPerTrade * 100
    ) {
      skip(
        candidate,
        `buying power ${riskCents / 100} exceeds sizing.maxBuyingPowerPerTrade ${ruleSet.sizing.maxBuyingPowerPerTrade}`,
      );
      continue;
    }
    if (totalRisk + riskCents > ruleSet.risk.maxTotalRisk * 100) {
      skip(candidate, `maxTotalRisk ${ruleSet.risk.maxTotalRisk} would be exceeded`);
      continue;
    }
    if ((riskByUnderlying.get(u) ?? 0) + riskCents > ruleSet.risk.maxRiskPerUnderlying * 100) {
      skip(candidate, `maxRiskPerUnderlying ${ruleSet.risk.maxRiskPerUnderlying} would be exceeded for ${u}`);
      continue;
    }
    selected.push({ candidate, score, quantity, riskCents, order, dryRun: preview });
    taken.add(u);
    openTrades += 1;
    totalRisk += riskCents;
    riskByUnderlying.set(u, (riskByUnderlying.get(u) ?? 0) + riskCents);
  }
  return { selected, skipped };
}

/** The pending trade a selected candidate becomes (the scan's, and `legwork trade`'s), under the caller's ids and facts. */
export function pendingTradeOf(
  s: SelectedTrade,
  owner: { id: string; entryGroupId: string; candidateId: string | null; ruleSet: { name: string; hash: string } },
  facts: Record<string, unknown> = {},
): NewTrade {
  return {
    id: owner.id,
    ruleSet: owner.ruleSet.name,
    rulesHash: owner.ruleSet.hash,
    candidateId: owner.candidateId,
    strategy: s.candidate.strategy,
    underlying: s.candidate.underlying,
    expiration: s.candidate.expiration,
    quantity: s.quantity,
    legs: s.candidate.legs.map((l) => ({
      symbol: l.symbol,
      streamerSymbol: l.streamerSymbol,
      action: l.action,
      quantity: l.ratio,
      strike: l.strike,
      right: l.right,
      expiration: l.expiration,
    })),
    entryGroupId: owner.entryGroupId,
    riskCents: s.riskCents,
    expectedCreditCents: s.candidate.creditMidCents,
    facts: { ...s.candidate.facts, ...facts },
  };
}
