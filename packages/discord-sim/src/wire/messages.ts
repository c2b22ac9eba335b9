// Owns the message object on the wire (Discord docs: resources/message#message-object), with a reply's
// referenced_message, interaction_metadata (and the deprecated `interaction`) of interaction responses, and the extra
// fields of MESSAGE_CREATE / MESSAGE_UPDATE (topics/gateway-events#message-create: guild_id, member, mentions with
// member, channel_type).
import type { MessageStore } from '../core/message-store.js';
import type { World } from '../core/world.js';
import type { Json, StoredMessage } from '../types.js';
import { MESSAGE_FLAG } from '../core/message-body.js';
import { discordTimestamp } from './time.js';
import { memberObject, userObject } from './users.js';

function interactionMetadata(world: World, m: StoredMessage): Json | undefined {
  const i = m.interaction;
  if (!i) return undefined;
  const user = world.user(i.userId);
  const channel = world.channel(m.channelId);
  return {
    id: i.id,
    type: i.type,
    ...(i.name !== undefined ? { name: i.name } : {}),
    user: user ? userObject(user) : null,
    authorizing_integration_owners: { '0': channel?.guildId ?? '0' },
    ...(i.originalResponseMessageId ? { original_response_message_id: i.originalResponseMessageId } : {}),
    ...(i.interactedMessageId ? { interacted_message_id: i.interactedMessageId } : {}),
  };
}

/** The message as the REST API returns it. */
export function messageObject(world: World, store: MessageStore, m: StoredMessage, depth = 0): Json {
  const author = world.user(m.authorId);
  const out: Json = {
    id: m.id,
    channel_id: m.channelId,
    author: author ? userObject(author) : { id: m.authorId },
    content: m.content,
    timestamp: discordTimestamp(m.createdAt),
    edited_timestamp: m.editedAt === null ? null : discordTimestamp(m.editedAt),
    tts: m.tts,
    mention_everyone: m.mentionEveryone,
    mentions: m.mentionIds.flatMap((id) => {
      const u = world.user(id);
      return u ? [userObject(u)] : [];
    }),
    mention_roles: [],
    attachments: m.attachments,
    embeds: m.flags & MESSAGE_FLAG.SUPPRESS_EMBEDS ? [] : m.embeds,
    pinned: false,
    type: m.type,
    flags: m.flags,
    components: m.components,
  };
  if (m.nonce !== undefined) out['nonce'] = m.nonce;
  if (m.webhookId) out['webhook_id'] = m.webhookId;
  if (m.applicationId) out['application_id'] = m.applicationId;
  if (m.reference) {
    out['message_reference'] = {
      type: m.reference.type,
      message_id: m.reference.messageId,
      channel_id: m.reference.channelId,
      ...(m.reference.guildId ? { guild_id: m.reference.guildId } : {}),
    };
    if (m.type === 19 && depth === 0) {
      const ref = store.get(m.reference.messageId);
      out['referenced_message'] = ref ? messageObject(world, store, ref, depth + 1) : null;
    }
  }
  const meta = interactionMetadata(world, m);
  if (meta) {
    out['interaction_metadata'] = meta;
    if (m.type === 20 && m.interaction?.name !== undefined) {
      out['interaction'] = {
        id: m.interaction.id,
        type: m.interaction.type,
        name: m.interaction.name,
        user: meta['user'],
      };
    }
  }
  return out;
}

/** The message as MESSAGE_CREATE / MESSAGE_UPDATE carry it. Ephemeral messages have no guild_id or member. */
export function gatewayMessage(world: World, store: MessageStore, m: StoredMessage): Json {
  const out = messageObject(world, store, m);
  const channel = world.channel(m.channelId);
  out['channel_type'] = channel?.type ?? 0;
  const ephemeral = (m.flags & MESSAGE_FLAG.EPHEMERAL) !== 0;
  if (channel?.guildId && !ephemeral) {
    out['guild_id'] = channel.guildId;
    if (!m.webhookId) out['member'] = memberObject(world, m.authorId, { withUser: false });
    out['mentions'] = m.mentionIds.flatMap((id) => {
      const u = world.user(id);
      return u ? [{ ...userObject(u), member: memberObject(world, id, { withUser: false }) }] : [];
    });
  }
  return out;
}
