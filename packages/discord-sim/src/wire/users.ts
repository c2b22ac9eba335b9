// Owns the user and guild member objects on the wire (Discord docs: resources/user#user-object,
// resources/guild#guild-member-object).
import type { World } from '../core/world.js';
import type { Json, SimUser } from '../types.js';
import { BOT_ROLE_PERMISSIONS, EVERYONE_PERMISSIONS, PERMISSION, wirePermissions } from './permissions.js';
import { discordTimestamp } from './time.js';

export function userObject(user: SimUser): Json {
  return {
    id: user.id,
    username: user.username,
    discriminator: '0',
    global_name: user.globalName,
    avatar: null,
    avatar_decoration_data: null,
    ...(user.bot ? { bot: true } : {}),
    public_flags: 0,
    flags: 0,
  };
}

/** The bot's own user as READY and GET /users/@me return it (with the private fields of the current user). */
export function currentUserObject(user: SimUser): Json {
  return { ...userObject(user), verified: true, mfa_enabled: false, email: null, locale: 'en-US', premium_type: 0 };
}

export function memberRoleIds(world: World, userId: string): string[] {
  return userId === world.bot.id ? [world.guild.botRoleId] : [];
}

/** The member's permissions in the guild (the owner has them all). */
export function memberPermissions(world: World, userId: string): bigint {
  if (userId === world.guild.ownerId) return EVERYONE_PERMISSIONS | BOT_ROLE_PERMISSIONS | PERMISSION.ADMINISTRATOR;
  return userId === world.bot.id ? BOT_ROLE_PERMISSIONS : EVERYONE_PERMISSIONS;
}

/**
 * A guild member. `withUser: false` for the partial member of MESSAGE_CREATE (whose author is the message's author);
 * `withPermissions` for interactions (member.permissions).
 */
export function memberObject(
  world: World,
  userId: string,
  opts: { withUser: boolean; withPermissions?: boolean },
): Json {
  const user = world.user(userId);
  const joined = world.memberJoinedAt(userId) ?? Date.now();
  return {
    ...(opts.withUser && user ? { user: userObject(user) } : {}),
    nick: null,
    avatar: null,
    banner: null,
    roles: memberRoleIds(world, userId),
    joined_at: discordTimestamp(joined),
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: null,
    ...(opts.withPermissions ? { permissions: wirePermissions(memberPermissions(world, userId)) } : {}),
  };
}
