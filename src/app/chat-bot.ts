// Owns assembling the Discord bot from the app context: the chat commands' dependencies (the same pipeline functions
// the CLI and the HTTP API use), the chat service, the audit-log feed to the alert channel, the discord.js adapter,
// the lease that makes it the one active bot for its token (else a standby, logged out), and the status shared for
// /api/ready. Started by the `chat` role (workers/chat.worker.ts).
import type { ChatDeps, HaltOutcome } from '../chat/chat-deps.js';
import { createChatService, type ChatService } from '../chat/chat-service.js';
import type { ChatStatus } from '../chat/chat-status.js';
import { createDiscordBot, type DiscordBot, type DiscordBotOptions } from '../chat/discord-client.js';
import { createChatFeed, type ChatFeed, type FeedState } from '../chat/feed.js';
import type { DiscordConfig } from '../config/env.js';
import { type LeaseRole, leaseTimings } from '../domain/lease.js';
import type { ApprovalNotifier } from '../pipeline/ports.js';
import { riskReport } from '../pipeline/account/account-stage.js';
import { createAlerter } from '../pipeline/alerts.js';
import { decideApproval } from '../pipeline/approval.js';
import { flattenAll } from '../pipeline/exit/exit-stage.js';
import { failsafeStates } from '../pipeline/failsafe-check.js';
import { loadTradePnl } from '../pipeline/pnl.js';
import { resumeTrading } from '../pipeline/resume.js';
import { chatLeaseKey, createRedisLease, leaseHolderId } from '../queue/redis-lease.js';
import { auditAfter, latestAuditId } from '../store/audit.repo.js';
import { latestRankedCandidates } from '../store/scans.repo.js';
import { getSetting, putSetting } from '../store/settings.repo.js';
import type { AppContext } from './context.js';
import { createExecContext } from './exec-context.js';
import { createLeaseKeeper, type LeaseKeeper } from './lease-keeper.js';

/** Where the feed keeps its place in the audit log (table settings). */
export const FEED_SETTING = 'chat_feed';
/** How often the chat role re-writes its status for /api/ready (its Redis entry expires after 20 s). */
const STATUS_REFRESH_MS = 5_000;

/** What the chat commands need, over the app's adapters. */
export function createChatDeps(app: AppContext): ChatDeps {
  const log = app.log.child({ component: 'chat' });
  // Alerts raised from chat (a halt) are logged as the chat's
  const exec = createExecContext(app, {
    log,
    alert: createAlerter({ store: app.store, log, webhookUrl: app.config.alertWebhookUrl }),
  });
  const environment = app.config.broker.env;
  return {
    store: app.store,
    now: app.clock.now,
    account: { environment, accountNumber: app.broker.accountNumber },
    failsafes: () => (exec.account ? failsafeStates(exec, exec.account) : Promise.resolve([])),
    tradePnl: async (trades) =>
      (await loadTradePnl({ store: app.store, marketData: app.marketData }, trades, { timeoutMs: 1500 })).pnl,
    brokerPositions: () => app.broker.positions(),
    riskReport: () => riskReport(exec, environment),
    candidates: (limit) => latestRankedCandidates(app.sql, limit),
    async rules() {
      // This process may run no scan role (which re-reads rules/ every few seconds): read the folder now
      await app.rules.reload().catch((error: unknown) => log.warn({ err: error }, 'chat: rules folder unreadable'));
      return {
        active: app.rules
          .active()
          .map((r) => ({ name: r.name, file: r.file, hash: r.hash, enabled: r.enabled, strategy: r.strategy })),
        refused: app.rules.errors().map((e) => ({
          file: e.file,
          since: e.since,
          activeHash: e.activeHash,
          problems: e.problems.map((p) => ({ line: p.line, col: p.col, message: p.message })),
        })),
      };
    },
    // As `legwork halt [--flatten]` and POST /api/halt: persisted with its audit event, alerted, flatten queued
    async halt(by, options): Promise<HaltOutcome> {
      const before = await app.store.tradingState.get();
      const state = await app.store.tradingState.set(
        'halted',
        by,
        options.reason,
        options.flatten ? { flatten: true } : {},
      );
      await exec.alert('halt', `trading halted by ${by}${options.reason ? `: ${options.reason}` : ''}`, {
        by,
        ...(options.reason ? { reason: options.reason } : {}),
        flatten: options.flatten,
      });
      if (!options.flatten) return { state, before };
      try {
        return { state, before, flatten: await flattenAll(exec, by) };
      } catch (error) {
        return { state, before, flattenError: error instanceof Error ? error.message : String(error) };
      }
    },
    resume: (by, options) => resumeTrading(app.store, by, options),
    // As `legwork approve|reject` and POST /api/trades/:id/approve|reject: one decision per trade, audited, queued
    decideApproval: (tradeId, request) => decideApproval(exec, tradeId, request),
  };
}

/** The feed's reads and its place, in Postgres. */
function feedSource(app: AppContext) {
  return {
    after: (afterId: number, kinds: readonly string[], limit: number) => auditAfter(app.sql, afterId, kinds, limit),
    latestId: () => latestAuditId(app.sql),
    trade: (id: string) => app.store.trades.get(id),
    loadState: async () => (await getSetting<FeedState>(app.sql, FEED_SETTING)) ?? null,
    saveState: (state: FeedState) => putSetting(app.sql, FEED_SETTING, state),
  };
}

export interface RunningChatBot {
  /** This chat process's id in the lease (`host:pid:nonce`): what a standby's `activeIn` names. */
  id: string;
  bot: DiscordBot;
  feed: ChatFeed;
  service: ChatService;
  status(): ChatStatus;
  stop(): Promise<void>;
}

/**
 * The app context's ApprovalNotifier when the bot runs in this process: the context is built before the bot, so it
 * forwards to whatever the bot attaches. The bot's notifier only nudges its feed: the proposal and its outcome are
 * audit events the feed posts (once, from any process); the nudge posts them now rather than at the next poll.
 */
export interface ApprovalRelay extends ApprovalNotifier {
  attach(target: ApprovalNotifier): void;
}

export function approvalRelay(): ApprovalRelay {
  let target: ApprovalNotifier | undefined;
  return {
    attach: (t) => {
      target = t;
    },
    proposed: async (trade) => target?.proposed(trade),
    resolved: async (trade, outcome) => target?.resolved(trade, outcome),
  };
}

export interface ChatBotOptions {
  /** Given to createAppContext as `approvals`: the bot attaches its notifier to it. */
  relay?: ApprovalRelay;
  /** Overrides of the adapter's timings (tests). */
  discord?: Partial<Omit<DiscordBotOptions, 'config' | 'service' | 'log'>>;
  feedPollMs?: number;
  feedSettleMs?: number;
  /** The lease's timings (tests): by default a 15 s ttl, renewed every 5 s, a standby trying every 5 s. */
  lease?: { ttlMs?: number; retryMs?: number };
}

/**
 * Starts the chat process in the background: it never waits for Discord and never throws for it. It is the active bot
 * only while it holds the lease for its token in Redis (one bot per token and deployment: docs/decisions.md, one chat
 * process); until then it stands by, logged out, and tries again every few seconds.
 */
export function startChatBot(app: AppContext, config: DiscordConfig, options: ChatBotOptions = {}): RunningChatBot {
  const log = app.log.child({ component: 'chat' });
  if (config.users.length === 0)
    log.warn('discord: LEGWORK_DISCORD_USERS is empty: every command is refused; the bot only posts alerts');
  const deps = createChatDeps(app);
  const service = createChatService({
    access: { channels: config.channels, users: config.users },
    deps,
    audit: (event) => app.store.audit.append(event),
    log,
  });
  const id = leaseHolderId();
  const timings = leaseTimings(options.lease?.ttlMs, options.lease?.retryMs);
  const lease = createRedisLease({
    redisUrl: app.queues.settings.redisUrl,
    key: chatLeaseKey(app.queues.settings.prefix, config.token),
    holder: id,
    ttlMs: timings.ttlMs,
  });
  const keeper: LeaseKeeper = createLeaseKeeper({
    store: lease,
    me: id,
    timings,
    log: log.child({ lease: 'chat' }),
    onChange: onLeaseChange,
  });
  /** Asked before every answer and every post: the lease is surely still this process's. */
  const holding = () => keeper.valid();
  const publish = (status: ChatStatus) => void app.chatStatus.publish(status);
  let standbySince = new Date().toISOString();
  const status = (): ChatStatus => {
    switch (keeper.role()) {
      case 'active':
        return { ...bot.status(), role: 'active', activeIn: id };
      case 'standby':
        return {
          configured: true,
          connected: false,
          since: standbySince,
          lastError: null,
          role: 'standby',
          activeIn: keeper.holder(),
        };
      case 'stopped':
        return bot.status();
    }
  };
  const bot = createDiscordBot({
    config,
    service,
    log,
    ...options.discord,
    mayAct: holding,
    onStatus: (s) => {
      // Only the active process's bot speaks for the token (a bot stopping as it steps down does not)
      if (keeper.role() === 'active') publish(status());
      options.discord?.onStatus?.(s);
    },
    onConnected: () => feed.nudge(),
  });
  const notHolding = () => Promise.reject(new Error('this chat process no longer holds the lease'));
  const source = feedSource(app);
  const feed = createChatFeed({
    // Fenced by the lease: a process that may have lost it neither posts nor moves the feed's place
    source: { ...source, saveState: (state) => (holding() ? source.saveState(state) : notHolding()) },
    poster: {
      connected: () => holding() && bot.connected(),
      send: (reply) => (holding() ? bot.send(reply) : notHolding()),
      edit: (messageId, reply) => (holding() ? bot.edit(messageId, reply) : notHolding()),
    },
    fills: config.fills,
    log,
    ...(options.feedPollMs ? { pollMs: options.feedPollMs } : {}),
    ...(options.feedSettleMs ? { settleMs: options.feedSettleMs } : {}),
  });
  let acting = false;
  let toldHolder: string | null | undefined;

  /** Active: log in, feed on. Standby or stopped: at once no more answers, no more posts, logged out. */
  async function onLeaseChange(role: LeaseRole, holder: string | null): Promise<void> {
    if (role === 'active') {
      acting = true;
      toldHolder = undefined;
      log.info({ process: id }, 'chat: this process holds the lease for the token: active, logging in to Discord');
      feed.start();
      bot.start();
      publish(status());
      return;
    }
    const wasActing = acting;
    if (acting) {
      acting = false;
      await feed.stop();
      await bot.stop();
    }
    if (role === 'stopped') {
      // Before the lease is given up: a successor's status is not overwritten with this one's
      if (wasActing) await app.chatStatus.publish({ ...bot.status(), role: 'active', activeIn: id });
      return;
    }
    if (wasActing) {
      standbySince = new Date().toISOString();
      await app.chatStatus.withdraw(id);
      log.warn(
        { activeIn: holder },
        `chat: lost the lease${holder ? ` to ${holder}` : ''}: logged out of Discord, feed stopped; standby`,
      );
    } else if (holder !== null && holder !== toldHolder)
      log.info({ activeIn: holder }, `standby: chat bot active in ${holder}`);
    toldHolder = holder;
    publish(status());
  }

  const nudge = async () => feed.nudge();
  options.relay?.attach({ proposed: nudge, resolved: nudge });
  const refresh = setInterval(() => keeper.role() !== 'stopped' && publish(status()), STATUS_REFRESH_MS);
  refresh.unref();
  keeper.start();
  return {
    id,
    bot,
    feed,
    service,
    status,
    async stop() {
      clearInterval(refresh);
      await keeper.stop();
      await lease.close();
    },
  };
}
