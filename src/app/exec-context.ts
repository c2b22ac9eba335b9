// Owns building the executor's context from the app's adapters: ports, the BullMQ executor jobs, the alerter, the app's one clock.
import type { ExecContext } from '../pipeline/execution-context.js';
import { createAlerter } from '../pipeline/alerts.js';
import { bullExecJobs } from '../queue/exec-jobs.js';
import type { AppContext } from './context.js';

/** `overrides.signal` makes every `sleep` of the pipeline abortable (runWorkers aborts it when the process stops). */
export function createExecContext(app: AppContext, overrides: Partial<ExecContext> = {}): ExecContext {
  const log = app.log.child({ component: 'execute' });
  return {
    store: app.store,
    broker: app.broker,
    marketData: app.marketData,
    rules: app.rules,
    jobs: bullExecJobs(app.queues),
    log,
    alert: createAlerter({ store: app.store, log, webhookUrl: app.config.alertWebhookUrl }),
    now: app.clock.now,
    sleep: (ms) => app.clock.sleep(ms, overrides.signal),
    approvals: app.approvals,
    account: {
      environment: app.config.broker.env,
      async rules() {
        await app.accountRules.reload();
        const { rules, hash } = app.accountRules.current();
        const refusal = app.accountRules.refused();
        const refused = refusal
          ? `${refusal.file} refused: ${refusal.problems.map((p) => `${p.line}:${p.col} ${p.message}`).join('; ')}`
          : null;
        return { limits: rules, failsafes: rules.failsafes, hash, refused };
      },
      brokerErrorsSince: (sinceMs) => app.brokerStats.errorsSince(sinceMs),
    },
    ...overrides,
  };
}
