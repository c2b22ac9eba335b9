// Owns the guild, role and channel objects on the wire (Discord docs: resources/guild#guild-object,
// topics/permissions#role-object, resources/channel#channel-object) and GUILD_CREATE's extra fields
// (topics/gateway-events#guild-create).
import type { World } from '../core/world.js';
import type { Json, SimChannel } from '../types.js';
import { BOT_ROLE_PERMISSIONS, EVERYONE_PERMISSIONS, wirePermissions } from './permissions.js';
import { discordTimestamp } from './time.js';
import { memberObject, userObject } from './users.js';

function roleObject(id: string, name: string, position: number, permissions: bigint, managed: boolean): Json {
  return {
    id,
    name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position,
    permissions: wirePermissions(permissions),
    managed,
    mentionable: false,
    flags: 0,
  };
}

export function roleObjects(world: World): Json[] {
  return [
    roleObject(world.guild.everyoneRoleId, '@everyone', 0, EVERYONE_PERMISSIONS, false),
    roleObject(world.guild.botRoleId, world.bot.username, 1, BOT_ROLE_PERMISSIONS, true),
  ];
}

export function channelObject(world: World, channel: SimChannel): Json {
  if (channel.type === 1) {
    const recipient = channel.recipientId ? world.user(channel.recipientId) : undefined;
    return {
      id: channel.id,
      type: 1,
      last_message_id: channel.lastMessageId,
      flags: 0,
      recipients: recipient ? [userObject(recipient)] : [],
    };
  }
  return {
    id: channel.id,
    type: 0,
    guild_id: channel.guildId,
    name: channel.name,
    position: channel.position,
    permission_overwrites: [],
    parent_id: null,
    topic: channel.topic,
    nsfw: false,
    last_message_id: channel.lastMessageId,
    rate_limit_per_user: 0,
    flags: 0,
  };
}

/** The guild object (what GET /guilds/:id returns). */
export function guildObject(world: World): Json {
  return {
    id: world.guild.id,
    name: world.guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: world.guild.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    widget_enabled: false,
    verification_level: 0,
    default_message_notifications: 1,
    explicit_content_filter: 0,
    roles: roleObjects(world),
    emojis: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    max_members: 500000,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: 'en-US',
    public_updates_channel_id: null,
    nsfw_level: 0,
    stickers: [],
    premium_progress_bar_enabled: false,
    safety_alerts_channel_id: null,
  };
}

/** GUILD_CREATE: the guild with its channels, the bot's member (no presences intent) and the other extra fields. */
export function guildCreatePayload(world: World): Json {
  return {
    ...guildObject(world),
    joined_at: discordTimestamp(world.guild.joinedAt),
    large: false,
    unavailable: false,
    member_count: world.memberIds().length,
    voice_states: [],
    members: [memberObject(world, world.bot.id, { withUser: true })],
    channels: world.guildChannels().map((c) => {
      const { guild_id: _omit, ...rest } = channelObject(world, c);
      return rest;
    }),
    threads: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}
