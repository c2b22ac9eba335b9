// Owns what tests (and people) do to the server from outside Discord's API: act as users (post a message, run a slash
// command, click a button or pick from a select), read what the bot posted and how it answered interactions, add a
// channel, break the gateway (drop connections, an outage, unanswered heartbeats), inject REST faults, reset.
import type { Core } from './core/core.js';
import { DiscordApiError } from './core/errors.js';
import {
  type ComponentRequest,
  type CommandRequest,
  ControlError,
  type SimInteraction,
  startCommand,
  useComponent,
} from './core/interactions.js';
import { MESSAGE_FLAG } from './core/message-body.js';
import { createMessage } from './core/messaging.js';
import type { DropMode, Gateway, GatewayState, OutageMode } from './gateway/gateway.js';
import type { RateLimiter, RestFault } from './http/rate-limit.js';
import { INTENT } from './intents.js';
import type { Json, StoredMessage } from './types.js';
import { channelObject } from './wire/guild.js';
import { messageObject } from './wire/messages.js';
import { discordTimestamp } from './wire/time.js';

export interface MessageSummary {
  id: string;
  kind: StoredMessage['kind'];
  channelId: string;
  authorId: string;
  author: string;
  content: string;
  embeds: Json[];
  components: Json[];
  attachments: Json[];
  flags: number;
  ephemeral: boolean;
  /** A deferred interaction response not answered yet. */
  loading: boolean;
  deleted: boolean;
  createdAt: string;
  editedAt: string | null;
  interactionId?: string;
  replyTo?: string;
  /** The message object exactly as the REST API returns it. */
  message: Json;
}

export interface InteractionSummary {
  id: string;
  token: string;
  kind: 'command' | 'component';
  channelId: string;
  userId: string;
  command?: string;
  customId?: string;
  values?: string[];
  messageId?: string;
  /** The initial response's callback type (4, 5, 6, 7, 9), null while unanswered. */
  callbackType: number | null;
  respondedAfterMs: number | null;
  /** Unanswered past the deadline: Discord shows the user "The application did not respond". */
  expired: boolean;
  loading: boolean;
  responseMessageId: string | null;
  followupIds: string[];
  modal?: Json;
}

export interface SimState {
  bot: { id: string; username: string; applicationId: string };
  guild: { id: string; name: string };
  channels: { id: string; name: string | null }[];
  users: { id: string; username: string | undefined }[];
  gateway: GatewayState;
  restFaults: RestFault[];
}

export interface UserMessageRequest {
  channelId?: string;
  userId: string;
  username?: string;
  content: string;
  /** Post in the user's DM with the bot (channelId not needed). */
  dm?: boolean;
  /** Reply to this message. */
  replyTo?: string;
}

export function createControl(core: Core, gateway: Gateway, limiter: RateLimiter) {
  const { ctx } = core;
  const { world, messages } = ctx;

  const summary = (m: StoredMessage): MessageSummary => ({
    id: m.id,
    kind: m.kind,
    channelId: m.channelId,
    authorId: m.authorId,
    author: world.user(m.authorId)?.username ?? m.authorId,
    content: m.content,
    embeds: m.embeds,
    components: m.components,
    attachments: m.attachments,
    flags: m.flags,
    ephemeral: (m.flags & MESSAGE_FLAG.EPHEMERAL) !== 0,
    loading: (m.flags & MESSAGE_FLAG.LOADING) !== 0,
    deleted: m.deleted,
    createdAt: discordTimestamp(m.createdAt),
    editedAt: m.editedAt === null ? null : discordTimestamp(m.editedAt),
    ...(m.interaction ? { interactionId: m.interaction.id } : {}),
    ...(m.reference ? { replyTo: m.reference.messageId } : {}),
    message: messageObject(world, messages, m),
  });

  const interactionSummary = (i: SimInteraction): InteractionSummary => ({
    id: i.id,
    token: i.token,
    kind: i.type === 2 ? 'command' : 'component',
    channelId: i.channelId,
    userId: i.userId,
    ...(i.commandName !== undefined ? { command: i.commandName } : {}),
    ...(i.customId !== undefined ? { customId: i.customId } : {}),
    ...(i.values !== undefined ? { values: i.values } : {}),
    ...(i.messageId !== undefined ? { messageId: i.messageId } : {}),
    callbackType: i.ack?.type ?? null,
    respondedAfterMs: i.ack ? i.ack.at - i.createdAt : null,
    expired: !i.ack && ctx.now() > i.createdAt + ctx.config.interactionDeadlineMs,
    loading: i.loading,
    responseMessageId: i.type === 2 || i.ack?.type === 4 || i.ack?.type === 5 ? i.originalMessageId : null,
    followupIds: [...i.followupIds],
    ...(i.modal ? { modal: i.modal } : {}),
  });

  /** Control requests fail with a status and a sentence; Discord's own refusals keep their code. */
  const asControl = <T>(run: () => T): T => {
    try {
      return run();
    } catch (error) {
      if (error instanceof DiscordApiError) throw new ControlError(error.status, `${error.message} (${error.code})`);
      throw error;
    }
  };

  return {
    postMessage(req: UserMessageRequest): MessageSummary {
      const user = world.ensureUser(req.userId, req.username);
      const channel = req.dm ? world.dmChannelWith(user.id) : world.channel(req.channelId ?? '');
      if (!channel) throw new ControlError(404, `no channel ${req.channelId ?? '(none given)'}`);
      if (channel.type === 1 && channel.recipientId !== user.id)
        throw new ControlError(403, `channel ${channel.id} is another user's DM`);
      if (req.content.length > 2000) throw new ControlError(400, 'content is over 2000 characters');
      return summary(
        asControl(() =>
          createMessage(ctx, {
            channelId: channel.id,
            authorId: user.id,
            kind: 'user',
            input: { content: req.content, ...(req.replyTo ? { messageReference: { message_id: req.replyTo } } : {}) },
          }),
        ),
      );
    },

    runCommand(req: CommandRequest): InteractionSummary {
      return interactionSummary(startCommand(ctx, core.commands, core.interactions, req));
    },

    useComponent(req: ComponentRequest): InteractionSummary {
      return interactionSummary(useComponent(ctx, core.interactions, req));
    },

    channelMessages(channelId: string, opts: { all?: boolean; deleted?: boolean } = {}): MessageSummary[] {
      if (!world.channel(channelId)) throw new ControlError(404, `no channel ${channelId}`);
      return messages
        .inChannel(channelId, opts.deleted === true)
        .filter((m) => opts.all === true || m.authorId === world.bot.id)
        .map(summary);
    },

    message(id: string): MessageSummary {
      const m = messages.get(id);
      if (!m) throw new ControlError(404, `no message ${id}`);
      return summary(m);
    },

    interaction(id: string): InteractionSummary {
      const i = core.interactions.get(id);
      if (!i) throw new ControlError(404, `no interaction ${id}`);
      return interactionSummary(i);
    },

    interactions(): InteractionSummary[] {
      return core.interactions.all().map(interactionSummary);
    },

    commands(): { global: Json[]; guild: Json[] } {
      return {
        global: core.commands.list(null) as unknown as Json[],
        guild: core.commands.list(world.guild.id) as unknown as Json[],
      };
    },

    addChannel(name: string): Json {
      const channel = world.addTextChannel(name);
      ctx.emit({ t: 'CHANNEL_CREATE', d: channelObject(world, channel), intent: INTENT.GUILDS });
      return channelObject(world, channel);
    },

    drop(opts: { mode: DropMode; code?: number; invalidate?: boolean; resumable?: boolean }): number {
      return gateway.drop(opts);
    },

    outage(ms: number, mode: OutageMode): void {
      gateway.outage(ms, mode);
    },

    heartbeatAcks(enabled: boolean): void {
      gateway.setHeartbeatAcks(enabled);
    },

    fault(fault: RestFault): void {
      limiter.inject(fault);
    },

    state(): SimState {
      return {
        bot: { id: world.bot.id, username: world.bot.username, applicationId: world.applicationId },
        guild: { id: world.guild.id, name: world.guild.name },
        channels: world.guildChannels().map((c) => ({ id: c.id, name: c.name })),
        users: world.memberIds().map((id) => ({ id, username: world.user(id)?.username })),
        gateway: gateway.state(),
        restFaults: limiter.pendingFaults(),
      };
    },

    /** Forgets messages, interactions, files and pending faults; keeps the world, commands and sessions. */
    reset(): void {
      messages.clear();
      core.interactions.clear();
      core.attachments.clear();
      limiter.clearFaults();
      gateway.outage(0, 'refuse');
      gateway.setHeartbeatAcks(true);
    },
  };
}

export type DiscordSimControl = ReturnType<typeof createControl>;
