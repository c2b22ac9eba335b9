// Owns Legwork's Discord connection (discord.js; the only file that imports it): the client with the Guilds,
// GuildMessages and MessageContent intents, pointed at DISCORD_API_URL when set (discord.js's `rest.api`; the gateway
// URL then comes from that server's `GET /gateway/bot`); slash commands registered in the guilds of the listed channels;
// `!` messages and slash commands and Approve/Reject buttons handed to the chat service, answered within 2 s (deferred,
// or a "working on it" message edited later, when the work takes longer); long answers cut into 2000-character pages;
// and the alert channel as the feed's poster. discord.js reconnects and resumes on its own; a watchdog logs in afresh
// (backing off) when it stays down. Nothing here can stop trading: every failure is logged and shown in `status()`.
import {
  ActionRowBuilder,
  ApplicationCommandOptionType,
  ButtonBuilder,
  ButtonStyle,
  Client,
  Events,
  GatewayIntentBits,
  type Interaction,
  type Message,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
  Status,
} from 'discord.js';
import type { DiscordConfig } from '../config/env.js';
import type { Logger } from '../log.js';
import { within } from '../util/within.js';
import type { ChatResult, ChatService } from './chat-service.js';
import type { ChatStatus } from './chat-status.js';
import { COMMANDS, commandText, type SlashInput } from './commands.js';
import type { FeedPoster } from './feed.js';
import { type ChatButton, type ChatReply, paginate } from './format.js';
import { admit } from './permissions.js';

export interface DiscordBotOptions {
  config: DiscordConfig;
  service: ChatService;
  log: Logger;
  /** Told every change of the status (the chat role shares it through Redis for /api/ready). */
  onStatus?: (status: ChatStatus) => void;
  /** Told when the bot (re)connects: the feed posts what waited. */
  onConnected?: () => void;
  /**
   * Asked before a message or an interaction is handled: false ignores it (not handled, not audited, not answered).
   * The chat role answers false once its lease (one bot per token) may have passed to another process.
   */
  mayAct?: () => boolean;
  /** How long a command may run before the answer is deferred (Discord wants one within 3 s). */
  deferAfterMs?: number;
  /** Down this long (no ready gateway session) → the watchdog logs in afresh. */
  reloginAfterMs?: number;
  /** Pause after a failed login, doubling up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** How often the watchdog looks. */
  watchdogMs?: number;
  /** A login that has not reached a ready session by then has failed. */
  loginTimeoutMs?: number;
}

export interface DiscordBot extends FeedPoster {
  /** Starts connecting (in the background: never throws, never waits for Discord). */
  start(): void;
  stop(): Promise<void>;
  status(): ChatStatus;
}

/** Why a gateway closed, for people (close codes Discord will not recover from). */
const CLOSE_REASONS: Record<number, string> = {
  4004: 'authentication failed: DISCORD_TOKEN is wrong or was reset',
  4013: 'invalid intents',
  4014: 'disallowed intents: turn on MESSAGE CONTENT INTENT under Bot in the Developer Portal',
};

/** The slash commands as Discord's API wants them, from the command table. */
export function slashCommandDefinitions(): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return COMMANDS.map((c) => ({
    name: c.name,
    description: c.description,
    options: c.options.map((o) =>
      o.kind === 'flag'
        ? { type: ApplicationCommandOptionType.Boolean, name: o.name, description: o.description, required: o.required }
        : {
            type: ApplicationCommandOptionType.String,
            name: o.name,
            description: o.description,
            required: o.required,
            ...(o.kind === 'text' ? { max_length: 500 } : {}),
          },
    ),
  }));
}

const STYLE: Record<ChatButton['style'], ButtonStyle> = {
  success: ButtonStyle.Success,
  danger: ButtonStyle.Danger,
  secondary: ButtonStyle.Secondary,
};

function components(buttons: readonly ChatButton[] | undefined): ActionRowBuilder<ButtonBuilder>[] {
  if (!buttons || buttons.length === 0) return [];
  return [
    new ActionRowBuilder<ButtonBuilder>().addComponents(
      buttons.map((b) => new ButtonBuilder().setCustomId(b.customId).setLabel(b.label).setStyle(STYLE[b.style])),
    ),
  ];
}

/** A reply as Discord messages: pages of text, the buttons under the last one. */
function messagesOf(reply: ChatReply): { content: string; components: ActionRowBuilder<ButtonBuilder>[] }[] {
  const pages = paginate(reply.text === '' ? '(nothing to say)' : reply.text);
  return pages.map((content, i) => ({ content, components: i === pages.length - 1 ? components(reply.buttons) : [] }));
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function createDiscordBot(options: DiscordBotOptions): DiscordBot {
  const { config, service, log } = options;
  const deferAfterMs = options.deferAfterMs ?? 1500;
  const reloginAfterMs = options.reloginAfterMs ?? 60_000;
  const backoffMs = options.backoffMs ?? 5_000;
  const maxBackoffMs = options.maxBackoffMs ?? 300_000;
  const watchdogMs = options.watchdogMs ?? 5_000;
  const loginTimeoutMs = options.loginTimeoutMs ?? 30_000;
  const access = { channels: config.channels, users: config.users };
  // one-clock: connection bookkeeping is wall time (the network, not the market)
  const wall = () => Date.now();

  let client: Client | undefined;
  let connected = false;
  let since: number | null = null;
  let lastError: string | null = null;
  let downSince = wall();
  let nextAttemptAt = 0;
  let failures = 0;
  let logging: Promise<void> | undefined;
  let stopped = false;
  let watchdog: NodeJS.Timeout | undefined;
  let lastGatewayErrorLog = 0;
  /** Why the gateway of the current login closed for good (a close code discord.js does not retry). */
  let closedForGood: string | undefined;

  const status = (): ChatStatus => ({
    configured: true,
    connected,
    since: since === null ? null : new Date(since).toISOString(),
    lastError,
  });
  const setConnected = (value: boolean, why: string, error?: string) => {
    const changed = value !== connected || (error !== undefined && error !== lastError) || since === null;
    if (error !== undefined) lastError = error;
    if (value !== connected || since === null) {
      since = wall();
      if (!value) downSince = wall();
    }
    connected = value;
    if (!changed) return;
    if (value) {
      failures = 0;
      log.info({ why }, 'discord: connected');
      options.onConnected?.();
    } else log.warn({ why, lastError }, 'discord: disconnected; reconnecting');
    options.onStatus?.(status());
  };

  const gatewayReady = (c: Client) =>
    c.isReady() && c.ws.shards.size > 0 && c.ws.shards.every((s) => s.status === Status.Ready);

  async function registerCommands(c: Client<true>): Promise<void> {
    const guilds = new Set<string>();
    for (const id of config.channels) {
      try {
        const channel = await c.channels.fetch(id);
        if (channel && 'guildId' in channel && typeof channel.guildId === 'string') guilds.add(channel.guildId);
        else log.warn({ channelId: id }, 'discord: listed channel is not a server channel; no slash commands there');
      } catch (error) {
        log.warn(
          { channelId: id, err: error },
          `discord: channel ${id} (LEGWORK_DISCORD_CHANNELS) is not visible to the bot: is it invited to that server, is the id right?`,
        );
      }
    }
    const definitions = slashCommandDefinitions();
    for (const guildId of guilds) {
      try {
        await c.application.commands.set(definitions, guildId);
        log.info({ guildId, commands: definitions.length }, 'discord: slash commands registered');
      } catch (error) {
        lastError = `slash commands not registered in server ${guildId}: ${message(error)}`;
        log.warn({ guildId, err: error }, 'discord: slash commands not registered; ! messages still work');
      }
    }
  }

  async function sendReplyToMessage(m: Message, reply: ChatReply, placeholder: Message | undefined) {
    const [first, ...rest] = messagesOf(reply);
    if (placeholder) await placeholder.edit(first!);
    else await m.reply(first!);
    for (const page of rest) if (m.channel.isSendable()) await m.channel.send(page);
  }

  const mayAct = () => options.mayAct?.() ?? true;

  async function onMessage(m: Message): Promise<void> {
    if (m.author.bot || m.webhookId || !mayAct()) return;
    const text = commandText(m.content);
    if (text === null) return;
    const input = { userId: m.author.id, channelId: m.channelId, via: 'message' as const, input: text };
    const work = service.handle(input);
    if (!admit(access, input).ok) return void (await work);
    let placeholder: Message | undefined;
    const early = await Promise.race([work, new Promise<null>((r) => setTimeout(() => r(null), deferAfterMs))]);
    if (early === null) {
      const name = text.split(/\s+/)[0]!.toLowerCase();
      placeholder = await m.reply({ content: `⏳ working on \`${name}\`…` });
    }
    const result = early ?? (await work);
    if (!result.answer) return void (await placeholder?.delete().catch(() => {}));
    await sendReplyToMessage(m, result.reply, placeholder);
  }

  async function onInteraction(i: Interaction): Promise<void> {
    if ((!i.isChatInputCommand() && !i.isButton()) || !mayAct()) return;
    const channelId = i.channelId ?? '';
    let input: Parameters<ChatService['handle']>[0];
    if (i.isChatInputCommand()) {
      const spec = COMMANDS.find((c) => c.name === i.commandName);
      const values: SlashInput['options'] = {};
      for (const o of spec?.options ?? []) {
        const v = o.kind === 'flag' ? i.options.getBoolean(o.name) : i.options.getString(o.name);
        if (v !== null) values[o.name] = v;
      }
      input = { userId: i.user.id, channelId, via: 'slash', input: { command: i.commandName, options: values } };
    } else {
      input = { userId: i.user.id, channelId, via: 'button', input: i.customId };
    }
    const work = service.handle(input);
    // Not on the lists: no answer at all (Discord shows the user that the application did not respond)
    if (!admit(access, input).ok) return void (await work);
    const early = await Promise.race([work, new Promise<null>((r) => setTimeout(() => r(null), deferAfterMs))]);
    if (early === null) await i.deferReply();
    const result: ChatResult = early ?? (await work);
    if (!result.answer) return void (early === null ? await i.deleteReply().catch(() => {}) : undefined);
    const [first, ...rest] = messagesOf(result.reply);
    if (early === null) await i.editReply(first!);
    else await i.reply(first!);
    for (const page of rest) await i.followUp(page);
  }

  /** Events of a client being replaced or stopped say nothing about the connection in use. */
  const current = (c: Client) => client === c && !stopped;

  function makeClient(): Client {
    const c = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
      // A reason typed in chat is echoed back: never let it ping @everyone or anyone else
      allowedMentions: { parse: [] },
      ...(config.apiUrl ? { rest: { api: config.apiUrl } } : {}),
    });
    c.on(Events.ClientReady, (ready) => {
      if (!current(c)) return;
      setConnected(true, 'ready');
      void registerCommands(ready).catch((error: unknown) =>
        log.warn({ err: error }, 'discord: command registration failed'),
      );
    });
    // A shard's READY comes before the client's (which registers the commands): only a resume or a new session of an
    // already ready client counts here
    c.on(Events.ShardReady, () => current(c) && c.isReady() && setConnected(gatewayReady(c), 'session'));
    c.on(Events.ShardResume, () => current(c) && setConnected(gatewayReady(c), 'resumed'));
    c.on(Events.ShardReconnecting, () => current(c) && setConnected(false, 'gateway closed'));
    c.on(Events.ShardDisconnect, (event) => {
      if (!current(c)) return;
      closedForGood = `gateway closed (${event.code}${CLOSE_REASONS[event.code] ? `: ${CLOSE_REASONS[event.code]}` : ''})`;
      setConnected(false, 'gateway closed for good', closedForGood);
    });
    c.on(Events.ShardError, (error) => {
      if (!current(c)) return;
      lastError = `gateway: ${message(error)}`;
      // discord.js retries twice a second while the gateway is down: log a minute's worth once
      if (wall() - lastGatewayErrorLog < 60_000) return;
      lastGatewayErrorLog = wall();
      log.warn({ err: error }, 'discord: gateway error (discord.js keeps reconnecting)');
    });
    c.on(Events.Error, (error) => log.warn({ err: error }, 'discord: client error'));
    c.on(Events.Warn, (text) => log.warn(`discord: ${text}`));
    // A replaced client's socket may still hear a message the client in use hears too: only the one in use answers
    c.on(Events.MessageCreate, (m) => {
      if (!current(c)) return;
      void onMessage(m).catch((error: unknown) =>
        log.warn({ err: error, channelId: m.channelId }, 'discord: answering a message failed'),
      );
    });
    c.on(Events.InteractionCreate, (i) => {
      if (!current(c)) return;
      void onInteraction(i).catch((error: unknown) =>
        log.warn({ err: error, channelId: i.channelId }, 'discord: answering an interaction failed'),
      );
    });
    return c;
  }

  /** Logs in afresh: the old client (if any) is destroyed first. A failure backs off; the watchdog tries again. */
  async function login(): Promise<void> {
    const old = client;
    client = undefined;
    await old?.destroy().catch(() => {});
    if (stopped) return;
    const c = makeClient();
    client = c;
    closedForGood = undefined;
    try {
      await within(c.login(config.token), loginTimeoutMs, 'Discord login');
      if (gatewayReady(c)) setConnected(true, 'login');
    } catch (error) {
      failures += 1;
      const wait = Math.min(maxBackoffMs, backoffMs * 2 ** (failures - 1));
      nextAttemptAt = wall() + wait;
      // A close code Discord will not recover from says more than the error discord.js rejects with
      const why =
        (error as { code?: string }).code === 'TokenInvalid'
          ? 'DISCORD_TOKEN was refused'
          : (closedForGood ?? message(error));
      setConnected(false, 'login failed', `login failed: ${why}`);
      log.warn(
        { err: error, retryInMs: wait },
        `discord: login failed (${why}); trying again in ${Math.round(wait / 1000)} s`,
      );
      // A client that never became ready is dropped now (its sockets and timers with it)
      if (client === c) {
        client = undefined;
        await c.destroy().catch(() => {});
      }
    }
  }

  function check(): void {
    if (stopped || logging) return;
    const c = client;
    if (c && gatewayReady(c)) {
      if (!connected) setConnected(true, 'watchdog');
      return;
    }
    if (connected) setConnected(false, 'watchdog');
    const down = wall() - downSince;
    if ((!c || down >= reloginAfterMs) && wall() >= nextAttemptAt) {
      if (c) log.warn({ downMs: down }, 'discord: still not connected; logging in afresh');
      downSince = wall();
      logging = login().finally(() => {
        logging = undefined;
      });
    }
  }

  async function toAlertChannel() {
    const c = client;
    if (!c?.isReady()) throw new Error('Discord is not connected');
    const channel = await c.channels.fetch(config.alertChannel);
    if (!channel?.isSendable()) throw new Error(`alert channel ${config.alertChannel} cannot be posted to`);
    return channel;
  }

  return {
    start() {
      stopped = false;
      check();
      watchdog ??= setInterval(check, watchdogMs);
      watchdog.unref();
    },
    async stop() {
      stopped = true;
      if (watchdog) clearInterval(watchdog);
      watchdog = undefined;
      await logging?.catch(() => {});
      const c = client;
      client = undefined;
      await c?.destroy().catch(() => {});
      if (connected) {
        connected = false;
        since = wall();
        options.onStatus?.(status());
      }
    },
    status,
    connected: () => connected,
    async send(reply) {
      const channel = await toAlertChannel();
      let last = '';
      for (const page of messagesOf(reply)) last = (await channel.send(page)).id;
      return last;
    },
    async edit(messageId, reply) {
      const channel = await toAlertChannel();
      const [first] = messagesOf(reply);
      await channel.messages.edit(messageId, first!);
    },
  };
}
