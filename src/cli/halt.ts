// Owns the kill switch on the command line: `legwork halt [--flatten] [--reason TEXT]` and `legwork resume`. The state is
// persisted in Postgres (survives restarts), audited and alerted; `--flatten` also closes everything held and the
// request stands (exit cycles keep flattening); `resume` is refused while anything is broken unless `--force --reason`.
import type { AppContext } from '../app/context.js';
import type { ExecContext } from '../pipeline/execution-context.js';
import { readArgs } from '../util/cli-args.js';

export const HALT_USAGE = `usage: legwork halt [--flatten] [--reason TEXT]
       legwork resume [--force] [--reason TEXT]

  halt       stop new entries (exits are still managed); persisted, audited and alerted
  --flatten  also close EVERY position Legwork holds (open, broken, partial; opening/closing ones once their working
             group settles), from each trade's actual positions; the request stands and every exit cycle keeps
             flattening until nothing is held or you resume (needs Redis)
  --reason   why, recorded with the state and the audit event
  resume     allow new entries again; refused while any trade or group is broken
  --force    resume anyway while something is broken (needs --reason; audited with the ids it overrides)`;

export interface HaltArgs {
  flatten: boolean;
  force: boolean;
  reason: string | undefined;
}

export function parseHaltArgs(argv: string[], command: 'halt' | 'resume'): HaltArgs | string {
  const parsed = readArgs(
    argv,
    command === 'halt'
      ? { flatten: { type: 'boolean' }, reason: { type: 'string' } }
      : { force: { type: 'boolean' }, reason: { type: 'string' } },
  );
  if (typeof parsed === 'string') return parsed;
  const values: { flatten?: boolean; force?: boolean; reason?: string } = parsed.values;
  if (values.reason !== undefined && values.reason.trim() === '') return '--reason needs TEXT';
  return { flatten: values.flatten ?? false, force: values.force ?? false, reason: values.reason };
}

/** Who is at the keyboard, for the audit trail. */
export const operator = (): string => `cli:${process.env['USER'] ?? process.env['USERNAME'] ?? 'unknown'}`;

/** The executor's context for a CLI process (the same one the workers use). */
export async function cliExecContext(app: AppContext): Promise<ExecContext> {
  const { createExecContext } = await import('../app/exec-context.js');
  return createExecContext(app);
}

async function openApp(
  full: boolean,
): Promise<
  { app: Pick<AppContext, 'sql' | 'store' | 'log' | 'config'> & Partial<AppContext>; close(): Promise<void> } | string
> {
  const { ConfigError, loadConfig } = await import('../config/env.js');
  try {
    const config = loadConfig();
    const { createLogger } = await import('../log.js');
    const log = createLogger({ level: config.logLevel === 'info' ? 'warn' : config.logLevel });
    if (full) {
      const { createAppContext } = await import('../app/context.js');
      const app = await createAppContext({ config, log });
      return { app, close: () => app.close() };
    }
    // A plain halt needs Postgres only: it must work while the broker or Redis is down
    const [{ createDb }, { migrate }, { createPostgresStore }] = await Promise.all([
      import('../store/db.js'),
      import('../store/migrate.js'),
      import('../store/postgres-store.js'),
    ]);
    const sql = createDb(config.databaseUrl);
    await migrate(sql);
    return {
      app: { sql, store: createPostgresStore(sql, config.broker.env), log, config },
      close: () => sql.end({ timeout: 5 }),
    };
  } catch (error) {
    return error instanceof ConfigError
      ? error.message
      : `cannot open Legwork (Postgres${full ? ', Redis, broker' : ''}): ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** `deps.app` lets tests (and `legwork start`) pass an open context; otherwise one is built from the environment. */
export async function runHalt(
  argv: string[],
  command: 'halt' | 'resume',
  deps: { app?: AppContext; out?: (s: string) => void } = {},
): Promise<number> {
  const out = deps.out ?? ((s: string) => process.stdout.write(`${s}\n`));
  if (argv.includes('--help') || argv.includes('-h')) {
    out(HALT_USAGE);
    return 0;
  }
  const args = parseHaltArgs(argv, command);
  if (typeof args === 'string') {
    process.stderr.write(`legwork ${command}: ${args}\n\n${HALT_USAGE}\n`);
    return 2;
  }
  const opened = deps.app
    ? { app: deps.app, close: async () => {} }
    : await openApp(command === 'halt' && args.flatten);
  if (typeof opened === 'string') {
    process.stderr.write(`legwork ${command}: ${opened}\n`);
    return 2;
  }
  const { app } = opened;
  try {
    const { setTradingState, getTradingState } = await import('../store/settings.repo.js');
    const by = operator();
    let before = await getTradingState(app.sql);
    let state: Awaited<ReturnType<typeof setTradingState>>;
    if (command === 'resume') {
      const { resumeTrading } = await import('../pipeline/resume.js');
      const resumed = await resumeTrading(app.store, by, { reason: args.reason, force: args.force });
      if (!resumed.ok) {
        process.stderr.write(`legwork resume: ${resumed.message}\n`);
        for (const id of resumed.blocking.trades) process.stderr.write(`  broken trade ${id}\n`);
        for (const id of resumed.blocking.groups) process.stderr.write(`  broken group ${id}\n`);
        return 1;
      }
      ({ state, before } = resumed);
      for (const trip of resumed.failsafesReset) out(`reset ${trip.reason}`);
      if (resumed.overridden)
        out(
          `forced past ${resumed.overridden.trades.length} broken trade(s), ${resumed.overridden.groups.length} broken group(s): ${args.reason}`,
        );
    } else {
      state = await setTradingState(app.sql, 'halted', by, args.reason, args.flatten ? { flatten: true } : {});
    }
    const { createAlerter } = await import('../pipeline/alerts.js');
    const alert = createAlerter({ store: app.store, log: app.log, webhookUrl: app.config.alertWebhookUrl });
    if (command === 'halt') {
      await alert('halt', `trading halted by ${by}${args.reason ? `: ${args.reason}` : ''}`, {
        by,
        ...(args.reason ? { reason: args.reason } : {}),
        flatten: args.flatten,
      });
    }
    out(`trading ${state.state} (was ${before.state})${args.reason ? `: ${args.reason}` : ''}`);
    if (command === 'halt' && args.flatten) {
      const { flattenAll } = await import('../pipeline/exit/exit-stage.js');
      const result = await flattenAll(await cliExecContext(app as AppContext), by);
      out(
        `flatten: ${result.flattened.length} exit group${result.flattened.length === 1 ? '' : 's'} queued; the request stands until nothing is held`,
      );
      for (const f of result.flattened) out(`  trade ${f.tradeId} → exit group ${f.groupId}`);
      for (const s of result.skipped) out(`  not yet trade ${s.tradeId}: ${s.reason}`);
    }
    return 0;
  } catch (error) {
    process.stderr.write(`legwork ${command}: failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await opened.close();
  }
}
