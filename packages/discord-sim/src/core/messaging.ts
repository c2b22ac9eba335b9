// Owns creating, editing and deleting messages (the bot's over REST and interactions, users' through the control API)
// and the MESSAGE_CREATE / MESSAGE_UPDATE / MESSAGE_DELETE events each one fires, tagged with the intent they need and
// whether their content is guarded by MESSAGE_CONTENT (not for the app's own messages, DMs, or messages mentioning it).
import { INTENT } from '../intents.js';
import type { Json, MessageInteractionMeta, MessageKind, OutboundEvent, StoredMessage } from '../types.js';
import { gatewayMessage } from '../wire/messages.js';
import type { CoreContext } from './context.js';
import { errors, invalidFormBody } from './errors.js';
import { type AllowedMentions, isEmptyMessage, MESSAGE_FLAG, type MessageInput } from './message-body.js';

/** User mentions (<@id>, <@!id>) of known users and @everyone/@here, filtered by allowed_mentions when given. */
export function parseMentions(
  content: string,
  isKnownUser: (id: string) => boolean,
  allowed?: AllowedMentions,
): { ids: string[]; everyone: boolean } {
  const ids = [...new Set([...content.matchAll(/<@!?(\d{1,20})>/g)].map((m) => m[1]!))].filter(isKnownUser);
  const everyone = /@(everyone|here)\b/.test(content);
  if (!allowed) return { ids, everyone };
  const parse = new Set(allowed.parse ?? []);
  const users = new Set(allowed.users ?? []);
  return {
    ids: ids.filter((id) => parse.has('users') || users.has(id)),
    everyone: everyone && parse.has('everyone'),
  };
}

export function messageEvent(
  ctx: CoreContext,
  t: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE',
  m: StoredMessage,
): OutboundEvent {
  const channel = ctx.world.channel(m.channelId);
  const inGuild = channel?.guildId != null && (m.flags & MESSAGE_FLAG.EPHEMERAL) === 0;
  const own = m.authorId === ctx.world.bot.id;
  const guard = !own && inGuild && !m.mentionIds.includes(ctx.world.bot.id);
  return {
    t,
    d: gatewayMessage(ctx.world, ctx.messages, m),
    intent: inGuild ? INTENT.GUILD_MESSAGES : INTENT.DIRECT_MESSAGES,
    contentGuard: guard,
  };
}

export interface NewMessage {
  channelId: string;
  authorId: string;
  kind: MessageKind;
  type?: number;
  input: MessageInput;
  /** Attachments of uploaded files (multipart requests). */
  uploaded?: Json[];
  interaction?: MessageInteractionMeta;
  /** The application's webhook messages: interaction responses and followups. */
  webhook?: boolean;
  /** Set by the server itself (LOADING of a deferred response). */
  extraFlags?: number;
  /** A deferred response's "thinking" message may be empty. */
  allowEmpty?: boolean;
}

function referenceOf(ctx: CoreContext, channelId: string, input: MessageInput): StoredMessage['reference'] {
  const ref = input.messageReference;
  if (!ref) return undefined;
  const target = ctx.messages.get(ref.message_id);
  if (!target || target.channelId !== (ref.channel_id ?? channelId)) {
    if (ref.fail_if_not_exists === false) return undefined;
    throw invalidFormBody([
      { path: ['message_reference'], code: 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', message: 'Unknown message' },
    ]);
  }
  const guildId = ctx.world.channel(channelId)?.guildId ?? undefined;
  return { messageId: target.id, channelId: target.channelId, type: ref.type ?? 0, ...(guildId ? { guildId } : {}) };
}

export function createMessage(ctx: CoreContext, n: NewMessage): StoredMessage {
  const channel = ctx.world.channel(n.channelId);
  if (!channel) throw errors.unknownChannel();
  const { input } = n;
  const content = input.content ?? '';
  const embeds = input.embeds ?? [];
  const components = input.components ?? [];
  const attachments = n.uploaded ?? [];
  if (
    !n.allowEmpty &&
    isEmptyMessage({ content, embeds, components, attachments, stickerIds: input.stickerIds, poll: input.poll })
  )
    throw errors.emptyMessage();
  const reference = referenceOf(ctx, n.channelId, input);
  const mentions = parseMentions(content, (id) => ctx.world.user(id) !== undefined, input.allowedMentions);
  const m: StoredMessage = {
    id: ctx.ids.next(),
    channelId: n.channelId,
    authorId: n.authorId,
    kind: n.kind,
    type: n.type ?? (reference && reference.type === 0 ? 19 : 0),
    content,
    embeds,
    components,
    attachments,
    flags: (input.flags ?? 0) | (n.extraFlags ?? 0),
    tts: input.tts ?? false,
    ...(input.nonce !== undefined ? { nonce: input.nonce } : {}),
    mentionIds: mentions.ids,
    mentionEveryone: mentions.everyone,
    createdAt: ctx.now(),
    editedAt: null,
    ...(reference ? { reference } : {}),
    ...(n.webhook ? { webhookId: ctx.world.applicationId, applicationId: ctx.world.applicationId } : {}),
    ...(n.interaction ? { interaction: n.interaction } : {}),
    deleted: false,
  };
  ctx.messages.add(m);
  channel.lastMessageId = m.id;
  ctx.emit(messageEvent(ctx, 'MESSAGE_CREATE', m));
  return m;
}

/** Applies an edit (fields absent from `input` stay); `clearFlags` drops server-set bits (LOADING once answered). */
export function editMessage(
  ctx: CoreContext,
  m: StoredMessage,
  input: MessageInput,
  opts: { uploaded?: Json[]; clearFlags?: number } = {},
): StoredMessage {
  const content = input.content ?? m.content;
  const embeds = input.embeds ?? m.embeds;
  const components = input.components ?? m.components;
  const kept = input.attachments
    ? m.attachments.filter((a) => input.attachments!.some((keep) => String(keep['id']) === String(a['id'])))
    : m.attachments;
  const attachments = [...kept, ...(opts.uploaded ?? [])];
  if (isEmptyMessage({ content, embeds, components, attachments })) throw errors.emptyMessage();
  if (input.content !== undefined) {
    const mentions = parseMentions(content, (id) => ctx.world.user(id) !== undefined, input.allowedMentions);
    m.mentionIds = mentions.ids;
    m.mentionEveryone = mentions.everyone;
  }
  m.content = content;
  m.embeds = embeds;
  m.components = components;
  m.attachments = attachments;
  if (input.flags !== undefined) m.flags = input.flags;
  if (opts.clearFlags) m.flags &= ~opts.clearFlags;
  m.editedAt = ctx.now();
  ctx.emit(messageEvent(ctx, 'MESSAGE_UPDATE', m));
  return m;
}

export function deleteMessage(ctx: CoreContext, m: StoredMessage): void {
  m.deleted = true;
  const channel = ctx.world.channel(m.channelId);
  const inGuild = channel?.guildId != null && (m.flags & MESSAGE_FLAG.EPHEMERAL) === 0;
  ctx.emit({
    t: 'MESSAGE_DELETE',
    d: { id: m.id, channel_id: m.channelId, ...(inGuild ? { guild_id: channel!.guildId } : {}) },
    intent: inGuild ? INTENT.GUILD_MESSAGES : INTENT.DIRECT_MESSAGES,
  });
}

/** The bot may edit only what its user wrote (its own messages and the application's interaction messages). */
export function requireOwnMessage(ctx: CoreContext, m: StoredMessage): void {
  if (m.authorId !== ctx.world.bot.id) throw errors.notAuthor();
}
