// Owns the permission bits the server hands out (Discord's permission flags, as decimal strings on the wire).
const bit = (n: number) => 1n << BigInt(n);

export const PERMISSION = {
  ADMINISTRATOR: bit(3),
  ADD_REACTIONS: bit(6),
  VIEW_CHANNEL: bit(10),
  SEND_MESSAGES: bit(11),
  MANAGE_MESSAGES: bit(13),
  EMBED_LINKS: bit(14),
  ATTACH_FILES: bit(15),
  READ_MESSAGE_HISTORY: bit(16),
  MENTION_EVERYONE: bit(17),
  USE_EXTERNAL_EMOJIS: bit(18),
  USE_APPLICATION_COMMANDS: bit(31),
  SEND_MESSAGES_IN_THREADS: bit(38),
} as const;

/** What @everyone may do in the simulated guild. */
export const EVERYONE_PERMISSIONS =
  PERMISSION.VIEW_CHANNEL |
  PERMISSION.SEND_MESSAGES |
  PERMISSION.READ_MESSAGE_HISTORY |
  PERMISSION.ADD_REACTIONS |
  PERMISSION.EMBED_LINKS |
  PERMISSION.ATTACH_FILES |
  PERMISSION.USE_EXTERNAL_EMOJIS |
  PERMISSION.USE_APPLICATION_COMMANDS |
  PERMISSION.SEND_MESSAGES_IN_THREADS;

/** The bot's role adds managing messages (deleting others', e.g. a user's command message). */
export const BOT_ROLE_PERMISSIONS = EVERYONE_PERMISSIONS | PERMISSION.MANAGE_MESSAGES | PERMISSION.MENTION_EVERYONE;

export const wirePermissions = (bits: bigint): string => bits.toString();
