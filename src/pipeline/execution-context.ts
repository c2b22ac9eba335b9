// Owns what the executor, reconciliation, the fill monitor and exits need from the outside world, in one place.
import type { AccountLimits } from '../domain/account-limits.js';
import type { FailsafeLimits } from '../domain/failsafes.js';
import type { Environment } from '../domain/portfolio.js';
import type { Logger } from '../log.js';
import type { RuleRegistry } from '../rules/loader.js';
import type { ApprovalNotifier, Broker, MarketData } from './ports.js';
import type { Store } from './store-port.js';

/** How execution reaches the queue (BullMQ in src/queue); job ids are deterministic so a retry cannot duplicate. */
export interface ExecJobs {
  /** Runs (or resumes) the executor for a group. `attempt` > 0 gives a new job id for a deliberate resume. */
  enqueueExecute(
    tradeId: string,
    groupId: string,
    options?: { attempt?: number; delayMs?: number; priority?: number },
  ): Promise<void>;
}

export type AlertKind =
  | 'broken_group'
  | 'emergency_flatten'
  | 'halt'
  | 'broker_errors'
  | 'reconcile_mismatch'
  | 'late_order_adopted'
  | 'exit_incomplete'
  | 'assignment'
  /** A trader closed (part of) a trade by hand outside Legwork: recorded against the trade, nothing to do. */
  | 'closed_outside'
  | 'failsafe';

/** The account as a whole (rules/account.yaml): its limits, its failsafes, and what they read beyond the Store. */
export interface AccountContext {
  /** The portfolio's key with the broker's account number. */
  environment: Environment;
  /**
   * rules/account.yaml as in force now (re-read: hot reload); `hash` null when there is no valid version (no account
   * limits). `refused` says why the file's current content is refused (the last good version stays in force).
   */
  rules(): Promise<{ limits: AccountLimits; failsafes: FailsafeLimits; hash: string | null; refused: string | null }>;
  /** Broker rejections and errors (every process's) that ended at or after `sinceMs`, broker time. */
  brokerErrorsSince(sinceMs: number): Promise<number>;
}

export interface ExecContext {
  store: Store;
  broker: Broker;
  marketData: MarketData;
  rules: RuleRegistry;
  jobs: ExecJobs;
  log: Logger;
  /** Always logged and recorded as an audit event; posted to LEGWORK_ALERT_WEBHOOK when set. */
  alert(kind: AlertKind, message: string, data?: Record<string, unknown>): Promise<void>;
  now(): number;
  /**
   * Every wait of the pipeline goes through here (price-walk steps, leg and cancel polls, lock waits). When `signal` is
   * aborted (the process is stopping) it rejects with ShutdownError (src/util/sleep.ts): the run stops at its next
   * wait and leaves the group as Postgres has it, for the next start (or another worker) to resume.
   */
  sleep(ms: number): Promise<void>;
  /** Aborted when the process stops; see `sleep`. */
  signal?: AbortSignal;
  /** Account limits and failsafes; absent = none (tests of one trade, tools). */
  account?: AccountContext;
  /** Told how proposals end (approved, rejected, expired, refused at approval); absent: only audited. */
  approvals?: ApprovalNotifier;
}
