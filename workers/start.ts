// Owns `legwork start` and `legwork worker ROLE`: migrate, (paper mode) make sure the local venue runs, start workers and
// schedulers, print where to look, stop gracefully on SIGINT/SIGTERM.
import { fileURLToPath } from 'node:url';
import { readArgs } from '../src/util/cli-args.js';

const USAGE = `usage: legwork start            every worker and scheduler (paper mode starts the local venue if it is not running;
                                the Discord bot too when DISCORD_TOKEN is set)
       legwork worker ROLE[,ROLE…]  some roles in one process: reconcile, monitor, execute, exit, scan, api (the HTTP
                                server, PORT), chat (the Discord bot, DISCORD_TOKEN)`;

/** The roles that open trades: in production they start only when every enabled rule set is promoted. */
const TRADING_ROLES: readonly string[] = ['scan', 'execute'];

/** A stop finishes within this (Ctrl-C, SIGTERM); docker-compose.yml gives the container 40 s (stop_grace_period). */
const STOP_GRACE_MS = 25_000;

async function venueReachable(baseUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${baseUrl}/__sim/state`, { signal: AbortSignal.timeout(1500) });
    return res.ok;
  } catch {
    return false;
  }
}

export async function runStart(argv: string[], mode: 'start' | 'worker'): Promise<number> {
  const parsed = readArgs(argv, { help: { type: 'boolean', short: 'h' } }, { positionals: mode === 'worker' });
  if (typeof parsed === 'string') {
    console.error(`legwork ${mode}: ${parsed}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  const [{ loadConfig, ConfigError }, { ROLES }] = await Promise.all([
    import('../src/config/env.js'),
    import('./index.js'),
  ]);
  const roles =
    mode === 'start' ? [...ROLES] : parsed.positionals.length === 1 ? parsed.positionals[0]!.split(',') : [];
  if (
    mode === 'worker' &&
    (roles.length === 0 ||
      new Set(roles).size !== roles.length ||
      roles.some((r) => !(ROLES as readonly string[]).includes(r)))
  ) {
    console.error(
      `legwork worker: give one role or a comma-separated list of distinct roles (${ROLES.join(', ')})\n\n${USAGE}`,
    );
    return 2;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  if (mode === 'start' && !config.discord) roles.splice(roles.indexOf('chat'), 1);
  if (mode === 'worker' && roles.includes('chat') && !config.discord) {
    console.error(
      'legwork worker: the chat role is the Discord bot: set DISCORD_TOKEN and LEGWORK_DISCORD_CHANNELS (docs/operations.md: Discord)',
    );
    return 2;
  }
  const { createLogger } = await import('../src/log.js');
  const log = createLogger({ level: config.logLevel });
  const stops: (() => Promise<void>)[] = [];

  // Production: every enabled rule set must be promoted at its current hash, checked before anything reaches the broker
  // (roles that open trades only; exits, reconciliation, the monitor and the API keep managing what is held)
  if (config.broker.env === 'production' && roles.some((r) => TRADING_ROLES.includes(r))) {
    const { productionGate } = await import('../src/app/promotion-gate.js');
    let refusal: string[] | null;
    try {
      refusal = await productionGate(config, log);
    } catch (error) {
      console.error(
        `legwork ${mode}: cannot check the promotions of the rule sets (PostgreSQL, ${config.rulesDir}) before trading in production: ${error instanceof Error ? error.message : String(error)}`,
      );
      return 2;
    }
    if (refusal) {
      console.error(`legwork ${mode}: refused to start.\n${refusal.join('\n')}`);
      return 2;
    }
    log.info('every enabled rule set is promoted at its current hash (production gate)');
  }

  if (config.broker.env === 'sim' && mode === 'start' && !(await venueReachable(config.broker.baseUrl))) {
    const { loadVenue, VenueNotInstalledError } = await import('./venue.js');
    let venueModule: typeof import('@legwork/venue');
    try {
      venueModule = await loadVenue(
        `legwork start (paper mode, no venue answers at ${config.broker.baseUrl})`,
        () => import('@legwork/venue'),
      );
    } catch (error) {
      if (!(error instanceof VenueNotInstalledError)) throw error;
      log.error(error.message);
      return 2;
    }
    const { startVenue, parseClockSpec, venueSetting, VenueStateError } = venueModule;
    const { paperStateFile } = await import('./venue.js');
    const url = new URL(config.broker.baseUrl);
    const clock = venueSetting('CLOCK');
    const seed = venueSetting('SEED');
    // The paper account outlives the process, as the trades Postgres keeps for it do (docs/venue.md)
    const stateFile = paperStateFile(
      venueSetting('STATE_FILE').value,
      config.databaseUrl,
      fileURLToPath(new URL('..', import.meta.url)),
    );
    const venue = await startVenue({
      port: Number(url.port || 80),
      host: url.hostname,
      clock: parseClockSpec(clock.value, clock.name),
      seed: Number(seed.value ?? 42),
      ...(stateFile ? { stateFile } : {}),
    }).catch((error: NodeJS.ErrnoException) => {
      if (error instanceof VenueStateError) {
        console.error(`legwork start: ${error.message}`);
        return null;
      }
      if (error.code !== 'EADDRINUSE' && error.code !== 'EACCES') throw error;
      console.error(
        `legwork start: cannot start the local venue on ${url.host} (${error.code}): something else holds that port. Stop it, or set LEGWORK_VENUE_URL to a free port.`,
      );
      return null;
    });
    if (!venue) return 2;
    stops.push(() => venue.close());
    log.info({ baseUrl: venue.baseUrl }, `local Tastytrade venue listening on ${venue.baseUrl} (paper trading)`);
    const restored = venue.state?.restored;
    if (!venue.state) {
      log.warn(
        'VENUE_STATE_FILE=off: the paper account lives in memory only; after a restart its open trades in the database hold nothing at the venue',
      );
    } else if (restored) {
      log.info(
        { stateFile: venue.state.file, ...restored, savedAt: new Date(restored.savedAt).toISOString() },
        `paper account restored from ${venue.state.file}: ${restored.positions} position(s), ${restored.orders} order(s)`,
      );
    } else {
      log.info({ stateFile: venue.state.file }, `new paper account, kept in ${venue.state.file}`);
    }
  }

  const { createAppContext } = await import('../src/app/context.js');
  const { runWorkers } = await import('./index.js');
  // Proposals made in this process reach the bot at once (others through the audit log it tails)
  const relay = roles.includes('chat') ? (await import('../src/app/chat-bot.js')).approvalRelay() : undefined;
  const ctx = await createAppContext({ config, log, ...(relay ? { approvals: relay } : {}) });
  const running = await runWorkers(ctx, roles as (typeof ROLES)[number][], relay ? { chat: { relay } } : {});
  log.info(
    {
      roles,
      broker: config.broker.env,
      rules: ctx.rules.active().map((r) => `${r.name}${r.enabled ? '' : ' (disabled)'}`),
      rulesRefused: ctx.rules.errors().map((e) => e.file),
    },
    `legwork ${mode === 'start' ? 'started' : `worker ${roles.join(',')} started`} against ${config.broker.env === 'sim' ? `the local venue at ${config.broker.baseUrl}` : `Tastytrade ${config.broker.env}`}`,
  );

  if (running.http) {
    const u = running.http.url;
    const admin =
      running.http.adminSource === 'env'
        ? 'admin login: LEGWORK_ADMIN_USER / LEGWORK_ADMIN_PASSWORD'
        : 'admin login: user "admin" with the generated password logged above (loopback clients only; set LEGWORK_ADMIN_USER/LEGWORK_ADMIN_PASSWORD to choose one)';
    const viewer = config.http.viewer
      ? 'viewer login (read-only): LEGWORK_VIEWER_USER / LEGWORK_VIEWER_PASSWORD'
      : 'no viewer login (set LEGWORK_VIEWER_USER/LEGWORK_VIEWER_PASSWORD for read-only access)';
    const banner = [
      '',
      `  Dashboard   ${u}/`,
      `  Bull Board  ${u}/admin/queues  (admin; read-only view for viewers: ${u}/admin/queues-view)`,
      `  API         ${u}/api  (health: ${u}/api/health, readiness: ${u}/api/ready)`,
      `  Metrics     ${u}/metrics  (Prometheus; viewer/admin, or no login from this machine)`,
      `  ${admin}`,
      `  ${viewer}`,
      '',
    ];
    process.stdout.write(`${banner.join('\n')}\n`);
  }
  if (running.chat && config.discord) {
    const d = config.discord;
    process.stdout.write(
      `  Discord     the bot answers in ${d.channels.length} channel(s), alerts to ${d.alertChannel}; ${d.users.length} allow-listed user(s) (connection: /api/ready → checks.chat)\n\n`,
    );
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        // A second Ctrl-C: stop now. Unfinished work is in Postgres (and its jobs in Redis): the next start resumes it.
        if (signal === 'SIGINT') {
          log.warn(
            { signal, waitingFor: running.active.list() },
            `second ${signal}: exiting now; unfinished work resumes from Postgres at the next start`,
          );
          process.exit(130);
        }
        return;
      }
      stopping = true;
      log.info({ signal, graceMs: STOP_GRACE_MS }, 'stopping: no new jobs, waiting for active ones');
      // Whatever happens below, the process is gone shortly after the grace period
      setTimeout(() => {
        log.warn({ waitingFor: running.active.list() }, 'stop took longer than the grace period; exiting');
        process.exit(1);
      }, STOP_GRACE_MS + 5_000).unref();
      void (async () => {
        await running.stop(STOP_GRACE_MS);
        await ctx.close();
        for (const s of stops) await s();
        log.info('stopped');
        resolve(0);
        // Nothing may keep the process alive after this (an interrupted run's late timers, a socket still closing)
        setTimeout(() => process.exit(0), 2_000).unref();
      })();
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}
