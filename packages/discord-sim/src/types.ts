// Owns the types the parts of the Discord server share: its model of users, the guild, channels, stored messages and
// interactions, and the events it dispatches. Wire objects (what Discord sends) are plain JSON built in wire/.
export type Json = Record<string, unknown>;

export interface SimUser {
  id: string;
  username: string;
  globalName: string | null;
  bot: boolean;
}

/** Discord channel types used here: 0 GUILD_TEXT, 1 DM. */
export type SimChannelType = 0 | 1;

export interface SimChannel {
  id: string;
  type: SimChannelType;
  /** Null for DMs. */
  name: string | null;
  guildId: string | null;
  position: number;
  topic: string | null;
  /** The other user of a DM channel. */
  recipientId: string | null;
  lastMessageId: string | null;
}

export interface SimGuild {
  id: string;
  name: string;
  ownerId: string;
  /** The @everyone role has the guild's id. */
  everyoneRoleId: string;
  botRoleId: string;
  joinedAt: number;
}

/** How a stored message came to be: a user's message (injected), or the bot's (REST, interaction response, followup). */
export type MessageKind = 'user' | 'message' | 'interaction-response' | 'followup';

/** Interaction details carried by a message the interaction produced (interaction_metadata, interaction). */
export interface MessageInteractionMeta {
  id: string;
  /** 2 APPLICATION_COMMAND, 3 MESSAGE_COMPONENT. */
  type: 2 | 3;
  userId: string;
  /** The command name with its subcommand group and subcommand (commands only). */
  name?: string;
  /** The message whose component was used (components only). */
  interactedMessageId?: string;
  /** On followups: the interaction's original response. */
  originalResponseMessageId?: string;
}

export interface StoredMessage {
  id: string;
  channelId: string;
  authorId: string;
  kind: MessageKind;
  /** Discord message type: 0 DEFAULT, 19 REPLY, 20 CHAT_INPUT_COMMAND. */
  type: number;
  content: string;
  embeds: Json[];
  components: Json[];
  attachments: Json[];
  flags: number;
  tts: boolean;
  nonce?: string | number;
  mentionIds: string[];
  mentionEveryone: boolean;
  createdAt: number;
  editedAt: number | null;
  reference?: { messageId: string; channelId: string; guildId?: string; type: number };
  /** Interaction responses and followups are webhook messages of the application. */
  webhookId?: string;
  applicationId?: string;
  interaction?: MessageInteractionMeta;
  deleted: boolean;
}

/** An event for the gateway, before it is shaped for each session's intents. */
export interface OutboundEvent {
  t: string;
  d: Json;
  /** The intent bit a session needs to receive it; undefined: every session receives it (READY-like, interactions). */
  intent?: number;
  /** Message content fields to blank for a session without MESSAGE_CONTENT (false when an exception applies). */
  contentGuard?: boolean;
}

export type EventSink = (event: OutboundEvent) => void;
