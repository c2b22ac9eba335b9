// Owns what the chat commands need from Legwork, as one interface: the Store port's repositories, the broker's positions,
// the account's failsafes and risk report, candidates, rule sets, and the kill switch and approval decisions as the
// CLI and the HTTP API use them. src/app/chat-deps.ts builds it from the app context; tests pass fakes.
import type { Position } from '../domain/account.js';
import type { FailsafeCheck } from '../domain/failsafes.js';
import type { Environment } from '../domain/portfolio.js';
import type { CandidateRow, TradeRow, TradingStateValue } from '../domain/records.js';
import type { RiskReport } from '../pipeline/account/account-stage.js';
import type { ApprovalRequest, ApprovalResult } from '../pipeline/approval.js';
import type { TradePnl } from '../pipeline/pnl.js';
import type { ResumeResult } from '../pipeline/resume.js';
import type { Store } from '../pipeline/store-port.js';

export interface RuleSetSummary {
  name: string;
  file: string;
  hash: string;
  enabled: boolean;
  strategy: string;
}

export interface RefusedRuleFile {
  file: string;
  since: string;
  /** The version still in force, or null when the file never was valid. */
  activeHash: string | null;
  problems: { line: number; col: number; message: string }[];
}

export interface HaltOutcome {
  state: TradingStateValue;
  before: TradingStateValue;
  /** With `flatten`: the exit groups queued and the trades not flattened yet (or why flattening could not start). */
  flatten?: { flattened: { tradeId: string; groupId: string }[]; skipped: { tradeId: string; reason: string }[] };
  flattenError?: string;
}

export interface ChatDeps {
  store: Pick<Store, 'trades' | 'groups' | 'positions' | 'tradingState' | 'failsafes' | 'portfolio'>;
  /** Broker time, epoch ms. */
  now(): number;
  /** The account's portfolio key (its snapshots give the day's change of net liq). */
  account: { environment: Environment; accountNumber: string };
  /** Each failsafe as it stands now (asks the broker for net liq). */
  failsafes(): Promise<FailsafeCheck[]>;
  /** P&L of trades (realised when flat, unrealised at the marks while held). */
  tradePnl(trades: readonly TradeRow[]): Promise<Map<string, TradePnl>>;
  /** What the broker holds now. */
  brokerPositions(): Promise<Position[]>;
  riskReport(): Promise<RiskReport>;
  /** The ranked candidates of the latest completed scan of each rule set, best first. */
  candidates(limit: number): Promise<CandidateRow[]>;
  /** The rule sets in force and the refused edits, re-read from the rules folder. */
  rules(): Promise<{ active: RuleSetSummary[]; refused: RefusedRuleFile[] }>;
  /** `legwork halt [--flatten]`: persisted, audited, alerted; flatten queues the exits. */
  halt(by: string, options: { flatten: boolean; reason?: string }): Promise<HaltOutcome>;
  /** `legwork resume [--force]`: refused while something is broken unless forced with a reason. */
  resume(by: string, options: { force: boolean; reason?: string }): Promise<ResumeResult>;
  /** Approves or rejects a trade awaiting approval (src/pipeline/approval.ts decideApproval). */
  decideApproval(tradeId: string, request: ApprovalRequest): Promise<ApprovalResult>;
}

/** Who runs a command, as the audit and the pipeline name them: `discord:<user id>`. */
export interface ChatActor {
  userId: string;
  role: 'trader' | 'viewer';
  by: string;
}
