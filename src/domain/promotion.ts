// Owns the promotion rule (issue 15, sandbox before production): what makes a rule set's content hash ready to trade
// real money (enough paper trades with that very hash to a terminal state, no broken group), whether it was promoted,
// and which enabled rule sets production must refuse. Pure: the trades, groups and promotions are read at the edges.
import type { Environment } from './portfolio.js';
import { isTerminalTrade, type TradeStatus } from './trade-transitions.js';

export type { Environment };

/** Where evidence comes from: the local venue and Tastytrade's cert sandbox. Production trades never count. */
export const PAPER_ENVIRONMENTS: readonly Environment[] = ['sim', 'sandbox'];
export const isPaperEnvironment = (e: Environment): boolean => PAPER_ENVIRONMENTS.includes(e);

/** Paper trades needed when `promotion.minPaperTrades` in rules/account.yaml is null or the file is missing. */
export const DEFAULT_MIN_PAPER_TRADES = 5;

/** The hash as people read it: its first 12 hex digits. */
export const shortHash = (hash: string): string => hash.slice(0, 12);

/** A trade as evidence: which rules chose it, where it ran and how it ended. */
export interface EvidenceTrade {
  id: string;
  ruleSet: string;
  rulesHash: string;
  environment: Environment;
  status: TradeStatus;
  realizedPnlCents: number | null;
  closedAt: Date | null;
}

/** An order group in status `broken`, and the trade it belongs to. */
export interface BrokenGroupRef {
  groupId: string;
  tradeId: string;
}

/** One counted trade, as recorded in a promotion's evidence. */
export interface EvidenceEntry {
  tradeId: string;
  environment: Environment;
  status: TradeStatus;
  realizedPnlCents: number | null;
  closedAt: string | null;
}

export interface PromotionEvidence {
  /** The N in force when promoted. */
  minPaperTrades: number;
  trades: EvidenceEntry[];
  /** The database the trades were read from (no credentials): `DATABASE_URL` itself, or `--evidence-db`. */
  source: string;
}

export interface Promotion {
  ruleSet: string;
  rulesHash: string;
  promotedBy: string;
  promotedAt: Date;
  reason: string;
  evidence: PromotionEvidence;
}

export type PromotionState = 'promoted' | 'ready' | 'not_ready';

export interface PromotionStatus {
  state: PromotionState;
  /** Paper trades (sim, sandbox) of this rule set with this hash that reached a terminal state. */
  terminalPaperTrades: number;
  needed: number;
  /** Broken groups of this rule set's paper trades with this hash (ids, oldest first as given). */
  broken: string[];
  /** The trades counted, as a promotion records them. */
  evidence: EvidenceEntry[];
  promotedAt?: Date;
  by?: string;
}

/** The paper trades needed: the account file's value, or the default when it leaves it null. */
export const neededPaperTrades = (minPaperTrades: number | null): number => minPaperTrades ?? DEFAULT_MIN_PAPER_TRADES;

/** The promotion of exactly this content, if any: a promotion of another hash (an older edit) does not carry over. */
export const promotionOf = (
  ruleSet: { name: string; hash: string },
  promotions: readonly Promotion[],
): Promotion | undefined => promotions.find((p) => p.ruleSet === ruleSet.name && p.rulesHash === ruleSet.hash);

/**
 * Where a rule set stands at its current hash. `promoted` once someone promoted that hash; otherwise `ready` with at
 * least `needed` paper trades of that name and hash in a terminal state (closed, rejected, rolled back) and no broken
 * group among its paper trades of that hash, `not_ready` else. Trades of other rule sets, other hashes and production
 * are ignored.
 */
export function promotionStatus(
  ruleSet: { name: string; hash: string },
  trades: readonly EvidenceTrade[],
  brokenGroups: readonly BrokenGroupRef[],
  promotions: readonly Promotion[],
  minPaperTrades: number | null,
): PromotionStatus {
  const needed = neededPaperTrades(minPaperTrades);
  const mine = trades.filter(
    (t) => t.ruleSet === ruleSet.name && t.rulesHash === ruleSet.hash && isPaperEnvironment(t.environment),
  );
  const ids = new Set(mine.map((t) => t.id));
  const broken = brokenGroups.filter((g) => ids.has(g.tradeId)).map((g) => g.groupId);
  const counted = mine.filter((t) => isTerminalTrade(t.status));
  const evidence = counted.map((t) => ({
    tradeId: t.id,
    environment: t.environment,
    status: t.status,
    realizedPnlCents: t.realizedPnlCents,
    closedAt: t.closedAt ? t.closedAt.toISOString() : null,
  }));
  const base = { terminalPaperTrades: counted.length, needed, broken, evidence };
  const promotion = promotionOf(ruleSet, promotions);
  if (promotion) return { state: 'promoted', ...base, promotedAt: promotion.promotedAt, by: promotion.promotedBy };
  return { state: counted.length >= needed && broken.length === 0 ? 'ready' : 'not_ready', ...base };
}

/** Why a rule set is not ready, one clause per reason (empty when it is). */
export function notReadyReasons(status: PromotionStatus): string[] {
  const reasons: string[] = [];
  if (status.terminalPaperTrades < status.needed)
    reasons.push(
      `${status.terminalPaperTrades} of ${status.needed} paper trades with this hash reached a terminal state`,
    );
  if (status.broken.length > 0)
    reasons.push(
      `${status.broken.length} broken group${status.broken.length === 1 ? '' : 's'}: ${status.broken.join(', ')}`,
    );
  return reasons;
}

export interface GateRuleSet {
  name: string;
  hash: string;
  file: string;
  enabled: boolean;
}

/** The enabled rule sets production must refuse: not promoted at their current hash. Disabled ones never trade. */
export const unpromotedRuleSets = <R extends GateRuleSet>(
  ruleSets: readonly R[],
  promotions: readonly Promotion[],
): R[] => ruleSets.filter((r) => r.enabled && !promotionOf(r, promotions));

/** What to run to promote a rule set. */
export const promoteCommand = (name: string): string => `legwork promote ${name} --reason …`;
