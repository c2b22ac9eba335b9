// Owns who may do what in chat: a message counts only in a listed channel from an allow-listed user; viewers may run
// the commands that read, traders every command. Pure: the lists come from the configuration (LEGWORK_DISCORD_*).
import type { ChatRole } from '../config/env.js';
import { type CommandName, COMMANDS } from './commands.js';

export type { ChatRole };

/** What each role may run: a viewer reads, a trader also changes (halt, resume, approve, reject). */
export const ROLE_MAY: Readonly<Record<ChatRole, (command: CommandName) => boolean>> = {
  viewer: (command) => !COMMANDS.find((c) => c.name === command)!.changes,
  trader: () => true,
};

export interface ChatAccess {
  channels: readonly string[];
  users: readonly { id: string; role: ChatRole }[];
}

/** Whether anything from this user in this channel is heard at all; `why` names the list it is missing from. */
export type Admission =
  | { ok: true; role: ChatRole }
  | { ok: false; why: 'channel_not_listed' | 'user_not_listed'; message: string };

export function admit(access: ChatAccess, who: { userId: string; channelId: string }): Admission {
  if (!access.channels.includes(who.channelId))
    return {
      ok: false,
      why: 'channel_not_listed',
      message: `channel ${who.channelId} is not on LEGWORK_DISCORD_CHANNELS`,
    };
  const user = access.users.find((u) => u.id === who.userId);
  if (!user)
    return { ok: false, why: 'user_not_listed', message: `user ${who.userId} is not on LEGWORK_DISCORD_USERS` };
  return { ok: true, role: user.role };
}

export function mayRun(role: ChatRole, command: CommandName): boolean {
  return ROLE_MAY[role](command);
}
