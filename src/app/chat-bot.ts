// Owns assembling the Discord bot from the app context: the chat commands' dependencies (the same pipeline functions
// the CLI and the HTTP API use), the chat service, the audit-log feed to the alert channel, the discord.js adapter,
// and the status shared for /api/ready. Started by the `chat` role (workers/chat.worker.ts).
import type { ChatDeps, HaltOutcome } from '../chat/chat-deps.js';
import { createChatService, type ChatService } from '../chat/chat-service.js';
import type { ChatStatus } from '../chat/chat-status.js';
import { createDiscordBot, type DiscordBot, type DiscordBotOptions } from '../chat/discord-client.js';
import { createChatFeed, type ChatFeed, type FeedState } from '../chat/feed.js';
import type { DiscordConfig } from '../config/env.js';
import type { ApprovalNotifier } from '../pipeline/ports.js';
import { riskReport } from '../pipeline/account/account-stage.js';
import { createAlerter } from '../pipeline/alerts.js';
import { decideApproval } from '../pipeline/approval.js';
import { flattenAll } from '../pipeline/exit/exit-stage.js';
import { failsafeStates } from '../pipeline/failsafe-check.js';
import { loadTradePnl } from '../pipeline/pnl.js';
import { resumeTrading } from '../pipeline/resume.js';
import { auditAfter, latestAuditId } from '../store/audit.repo.js';
import { latestRankedCandidates } from '../store/scans.repo.js';
import { getSetting, putSetting } from '../store/settings.repo.js';
import type { AppContext } from './context.js';
import { createExecContext } from './exec-context.js';

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
}

/** Starts the bot in the background: it never waits for Discord and never throws for it. */
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
  let feed: ChatFeed | undefined;
  const publish = (status: ChatStatus) => void app.chatStatus.publish(status);
  const bot = createDiscordBot({
    config,
    service,
    log,
    ...options.discord,
    onStatus: (status) => {
      publish(status);
      options.discord?.onStatus?.(status);
    },
    onConnected: () => feed?.nudge(),
  });
  feed = createChatFeed({
    source: feedSource(app),
    poster: bot,
    fills: config.fills,
    log,
    ...(options.feedPollMs ? { pollMs: options.feedPollMs } : {}),
    ...(options.feedSettleMs ? { settleMs: options.feedSettleMs } : {}),
  });
  const nudge = async () => feed?.nudge();
  options.relay?.attach({ proposed: nudge, resolved: nudge });
  publish(bot.status());
  const refresh = setInterval(() => publish(bot.status()), STATUS_REFRESH_MS);
  refresh.unref();
  bot.start();
  feed.start();
  return {
    bot,
    feed,
    service,
    status: () => bot.status(),
    async stop() {
      clearInterval(refresh);
      await feed.stop();
      await bot.stop();
      await app.chatStatus.publish(bot.status());
    },
  };
}
