// Owns what the executor, reconciliation, the fill monitor and exits need from the outside world, in one place.
import type { Logger } from '../log.js';
import type { RuleRegistry } from '../rules/loader.js';
import type { Broker, MarketData } from './ports.js';
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
  | 'assignment';

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
}
