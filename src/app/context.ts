// Owns the composition root: builds every adapter from the configuration once and hands ports to the pipeline.
import { loadConfig, type AppConfig } from '../config/env.js';
import { createLogger, type Logger } from '../log.js';
import { createTastytradeClient } from '../broker/tastytrade/client.js';
import { createTastytradeBroker } from '../broker/tastytrade/broker.js';
import { createTastytradeMarketData } from '../broker/tastytrade/market-data.js';
import type { ApprovalNotifier, Broker, Clock, MarketData } from '../pipeline/ports.js';
import { NO_APPROVAL_NOTIFIER } from '../pipeline/approval.js';
import { wallClock } from '../clock/wall-clock.js';
import { createVenueClock } from '../clock/venue-clock.js';
import type { ScanContext } from '../pipeline/scan/scan-stage.js';
import { AccountRulesRegistry, accountFileIn } from '../rules/account-loader.js';
import { RuleRegistry } from '../rules/loader.js';
import { createDb, waitForDatabase, type Sql } from '../store/db.js';
import { migrate } from '../store/migrate.js';
import { createPostgresStore } from '../store/postgres-store.js';
import type { Store } from '../pipeline/store-port.js';
import { bindStoreClock } from '../store/store-clock.js';
import { createQueues, type Queues } from '../queue/queues.js';
import { bullScanJobs } from '../queue/scan-jobs.js';
import { createBrokerStats, type BrokerStats } from '../queue/broker-stats.js';
import { createChatStatusBoard, type ChatStatusBoard } from '../queue/chat-status-board.js';
import type { PolicyEvent } from '../broker/tastytrade/http-policy.js';

export interface AppContext {
  config: Readonly<AppConfig>;
  log: Logger;
  /** The one clock: every decision, deadline, stored timestamp that is later compared, and schedule reads it. */
  clock: Clock;
  sql: Sql;
  /** The pipeline's Store port over `sql`. */
  store: Store;
  broker: Broker;
  marketData: MarketData;
  rules: RuleRegistry;
  /** rules/account.yaml: account limits and failsafes (hot-reloaded; none when the file is missing). */
  accountRules: AccountRulesRegistry;
  queues: Queues;
  /** Broker call counts and latency, shared by every process through Redis. */
  brokerStats: BrokerStats;
  /** The Discord bot's connection status, shared through Redis (written by the `chat` role, read by /api/ready). */
  chatStatus: ChatStatusBoard;
  scan: ScanContext;
  /** Where trade proposals (manual approval) are announced and their outcome told; a no-op until Discord plugs in. */
  approvals: ApprovalNotifier;
  close(): Promise<void>;
}

export interface AppOptions {
  config?: Readonly<AppConfig>;
  log?: Logger;
  /** BullMQ key prefix (default: the config's LEGWORK_QUEUE_PREFIX, "legwork"); tests use their own. */
  queuePrefix?: string;
  rulesDir?: string;
  /** Today in New York; by default each scan reads it off the broker's chain (else the clock's date). */
  today?: () => string;
  /** Overrides the clock the configuration chooses (tests). */
  clock?: Clock;
  /** Announces trade proposals and their outcome (the Discord bot); default: none (only audited). */
  approvals?: ApprovalNotifier;
}

/** Wall time for Tastytrade (and LEGWORK_CLOCK=wall); the venue's clock under TT_ENV=sim. */
export async function createClock(config: Readonly<AppConfig>, log: Logger): Promise<Clock> {
  if (config.broker.env !== 'sim' || config.clock === 'wall') return wallClock();
  let failing = false;
  return createVenueClock({
    venueUrl: config.broker.baseUrl,
    onSyncError: (error) => {
      if (!failing)
        log.warn({ err: error }, 'venue clock: re-sync failed; running on the last model until the venue answers');
      failing = true;
    },
  });
}

export async function createAppContext(options: AppOptions = {}): Promise<AppContext> {
  const config = options.config ?? loadConfig();
  const log = options.log ?? createLogger({ level: config.logLevel });
  const clock = options.clock ?? (await createClock(config, log));
  // Timestamps that decisions later compare are written in broker time (one clock per process: one broker)
  bindStoreClock(clock.now);
  const sql = createDb(config.databaseUrl);
  await waitForDatabase(sql, 60_000, (error) =>
    log.warn({ err: error }, 'PostgreSQL is not reachable yet; waiting up to 60 s'),
  );
  await migrate(sql);
  const client = createTastytradeClient(config.broker, log.child({ component: 'tastytrade' }));
  const prefix = options.queuePrefix ?? config.queuePrefix;
  const brokerStats = createBrokerStats(config.redisUrl, prefix);
  const chatStatus = createChatStatusBoard(config.redisUrl, prefix);
  // Every broker call's duration and outcome, shared across processes for /metrics
  const policy = {
    onEvent: (e: PolicyEvent) => (e.kind === 'call' ? brokerStats.record({ ...e, at: clock.now() }) : undefined),
  };
  const broker = await createTastytradeBroker({
    client,
    ...(config.broker.accountNumber ? { accountNumber: config.broker.accountNumber } : {}),
    log: log.child({ component: 'broker' }),
    policy,
  });
  const marketData = createTastytradeMarketData({
    client,
    log: log.child({ component: 'market-data' }),
    policy,
    now: clock.now,
  });
  const rules = new RuleRegistry(options.rulesDir ?? config.rulesDir);
  await rules.reload();
  const accountRules = new AccountRulesRegistry(accountFileIn(options.rulesDir ?? config.rulesDir), {
    log: log.child({ component: 'account-rules' }),
    now: () => new Date(clock.now()),
  });
  await accountRules.reload();
  const queueLog = log.child({ component: 'queue' });
  const queues = createQueues({ redisUrl: config.redisUrl, prefix }, (queue, error) =>
    queueLog.warn({ queue, err: error }, `queue ${queue}: Redis connection error`),
  );
  const store = createPostgresStore(sql, config.broker.env);
  const approvals = options.approvals ?? NO_APPROVAL_NOTIFIER;
  const scan: ScanContext = {
    store,
    broker,
    marketData,
    rules,
    jobs: bullScanJobs(queues),
    log: log.child({ component: 'scan' }),
    now: clock.now,
    approvals,
    ...(options.today ? { today: options.today } : {}),
  };
  return {
    config,
    log,
    clock,
    sql,
    store,
    broker,
    marketData,
    rules,
    accountRules,
    queues,
    brokerStats,
    chatStatus,
    scan,
    approvals,
    async close() {
      await Promise.allSettled([queues.close(), marketData.close(), brokerStats.close(), chatStatus.close()]);
      await sql.end({ timeout: 5 });
      clock.close();
    },
  };
}
