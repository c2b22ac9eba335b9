// Owns a stand-alone executor process for crash tests: reconcile on startup, then run every group reconciliation hands
// back (in process, one run per group at a time), plus a short periodic reconcile. Env: LEGWORK_VENUE_URL, DATABASE_URL,
// REDIS_URL, LW_QUEUE_PREFIX, LW_RECONCILE_EVERY_MS. Prints EXECUTOR_READY once startup reconciliation is done.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppContext } from '../../src/app/context.js';
import { loadConfig } from '../../src/config/env.js';
import { createLogger } from '../../src/log.js';
import { createAlerter } from '../../src/pipeline/alerts.js';
import type { ExecContext, ExecJobs } from '../../src/pipeline/execution-context.js';
import { executeGroup } from '../../src/pipeline/execute/execute-group.js';
import { reconcile, reconcileOnStartup, type ReconcileOptions } from '../../src/pipeline/reconcile/reconcile.js';

const env = process.env;
const config = loadConfig({
  LEGWORK_VENUE_URL: env['LEGWORK_VENUE_URL'],
  DATABASE_URL: env['DATABASE_URL'],
  REDIS_URL: env['REDIS_URL'],
  LOG_LEVEL: env['LOG_LEVEL'] ?? 'warn',
  LEGWORK_CLOCK: env['LEGWORK_CLOCK'] ?? 'wall',
});
const log = createLogger({ level: config.logLevel, pretty: false });
const app = await createAppContext({
  config,
  log,
  queuePrefix: env['LW_QUEUE_PREFIX'] ?? 'lwexec',
  rulesDir: mkdtempSync(join(tmpdir(), 'lw-exec-rules-')),
});

const running = new Map<string, { again: boolean }>();
const run = (tradeId: string, groupId: string): void => {
  const active = running.get(groupId);
  if (active) {
    active.again = true;
    return;
  }
  const state = { again: false };
  running.set(groupId, state);
  void (async () => {
    do {
      state.again = false;
      const result = await executeGroup(exec, tradeId, groupId).catch((error: unknown) => ({ error: String(error) }));
      log.warn({ groupId, result }, 'executor run done');
    } while (state.again);
    running.delete(groupId);
  })();
};
const jobs: ExecJobs = {
  async enqueueExecute(tradeId, groupId, options) {
    if (options?.delayMs) setTimeout(() => run(tradeId, groupId), options.delayMs);
    else run(tradeId, groupId);
  },
};
const exec: ExecContext = {
  store: app.store,
  broker: app.broker,
  marketData: app.marketData,
  rules: app.rules,
  jobs,
  log,
  alert: createAlerter({ store: app.store, log }),
  now: app.clock.now,
  sleep: (ms) => app.clock.sleep(ms),
};
const options: Partial<ReconcileOptions> = { absentChecks: 2, absentWindowMs: 1000, groupIdleMs: 3000 };
await reconcileOnStartup(exec, options);
process.stdout.write('EXECUTOR_READY\n');
const every = Number(env['LW_RECONCILE_EVERY_MS'] ?? 1000);
// Tests can hand a group over directly: a line "run <tradeId> <groupId>" on stdin
process.stdin.setEncoding('utf8').on('data', (chunk: string) => {
  for (const line of chunk.split('\n')) {
    const [cmd, tradeId, groupId] = line.trim().split(' ');
    if (cmd === 'run' && tradeId && groupId) run(tradeId, groupId);
  }
});
if (every > 0)
  setInterval(
    () =>
      void reconcile(exec, 'periodic', options).catch((error: unknown) =>
        log.warn({ err: error }, 'periodic reconcile failed'),
      ),
    every,
  );
