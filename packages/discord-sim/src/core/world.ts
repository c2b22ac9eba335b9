// Owns who and where: the bot user (whose id is also the application's), the one guild, its text channels, DM
// channels, and the users (members of the guild from their first appearance).
import { DEFAULT_IDS, type DiscordSimConfig } from '../config.js';
import type { SnowflakeSource } from '../ids.js';
import type { SimChannel, SimGuild, SimUser } from '../types.js';

export class World {
  readonly bot: SimUser;
  readonly applicationId: string;
  readonly guild: SimGuild;
  private readonly users = new Map<string, SimUser>();
  private readonly channels = new Map<string, SimChannel>();
  /** Guild members: user id → joined at (ms). */
  private readonly members = new Map<string, number>();

  constructor(
    config: DiscordSimConfig,
    private readonly ids: SnowflakeSource,
    now: number = Date.now(),
  ) {
    this.bot = { id: config.bot.id, username: config.bot.username, globalName: null, bot: true };
    this.applicationId = config.bot.id;
    this.users.set(this.bot.id, this.bot);
    this.members.set(this.bot.id, now);
    for (const u of config.users) this.ensureUser(u.id, u.username, now);
    const ownerId = config.users[0]?.id ?? this.bot.id;
    this.guild = {
      id: config.guild.id,
      name: config.guild.name,
      ownerId,
      everyoneRoleId: config.guild.id,
      botRoleId: DEFAULT_IDS.botRole,
      joinedAt: now,
    };
    config.guild.channels.forEach((c, i) => {
      this.channels.set(c.id, this.textChannel(c.id, c.name, i));
    });
  }

  user(id: string): SimUser | undefined {
    return this.users.get(id);
  }

  /** The user with this id, created (and joined to the guild) on first use. */
  ensureUser(id: string, username?: string, now: number = Date.now()): SimUser {
    const existing = this.users.get(id);
    if (existing) {
      if (username !== undefined && username !== existing.username) existing.username = username;
      return existing;
    }
    const user: SimUser = { id, username: username ?? `user-${id.slice(-4)}`, globalName: null, bot: false };
    this.users.set(id, user);
    this.members.set(id, now);
    return user;
  }

  memberJoinedAt(userId: string): number | undefined {
    return this.members.get(userId);
  }

  memberIds(): string[] {
    return [...this.members.keys()];
  }

  channel(id: string): SimChannel | undefined {
    return this.channels.get(id);
  }

  guildChannels(): SimChannel[] {
    return [...this.channels.values()].filter((c) => c.guildId === this.guild.id);
  }

  addTextChannel(name: string, id: string = this.ids.next()): SimChannel {
    const channel = this.textChannel(id, name, this.guildChannels().length);
    this.channels.set(id, channel);
    return channel;
  }

  /** The DM channel between the bot and this user, opened on first use. */
  dmChannelWith(userId: string): SimChannel {
    for (const c of this.channels.values()) if (c.type === 1 && c.recipientId === userId) return c;
    const channel: SimChannel = {
      id: this.ids.next(),
      type: 1,
      name: null,
      guildId: null,
      position: 0,
      topic: null,
      recipientId: userId,
      lastMessageId: null,
    };
    this.channels.set(channel.id, channel);
    return channel;
  }

  private textChannel(id: string, name: string, position: number): SimChannel {
    return { id, type: 0, name, guildId: this.guild.id, position, topic: null, recipientId: null, lastMessageId: null };
  }
}
