// Owns the server's settings: who the bot is, the one guild and its channels, the known users, timings and limits,
// with the fixed ids used when none are given (stable across runs, so tests and Legwork's config can name them).
import { snowflakeAt } from './ids.js';

const FIXED = Date.UTC(2025, 0, 1);

/** Ids of the default world (snowflakes made at 2025-01-01T00:00:00Z). */
export const DEFAULT_IDS = {
  bot: snowflakeAt(FIXED, 1),
  guild: snowflakeAt(FIXED, 2),
  legworkChannel: snowflakeAt(FIXED, 3),
  generalChannel: snowflakeAt(FIXED, 4),
  operator: snowflakeAt(FIXED, 5),
  botRole: snowflakeAt(FIXED, 6),
} as const;

/** The fixed id of the guild's n-th channel (0: #legwork's, 1: #general's by default). */
export function defaultChannelId(index: number): string {
  if (index === 0) return DEFAULT_IDS.legworkChannel;
  if (index === 1) return DEFAULT_IDS.generalChannel;
  return snowflakeAt(FIXED, 100 + index);
}

export interface DiscordSimConfig {
  /** The bot token accepted on REST (`Authorization: Bot <token>`) and in IDENTIFY/RESUME; undefined: any non-empty. */
  token: string | undefined;
  bot: { id: string; username: string };
  guild: { id: string; name: string; channels: { id: string; name: string }[] };
  /** Human users known from the start (more are created when a control request names a new id). */
  users: { id: string; username: string }[];
  /** HELLO's heartbeat_interval (Discord sends 41250). */
  heartbeatIntervalMs: number;
  /** How long a session whose connection dropped can still be resumed. */
  sessionTimeoutMs: number;
  /** Dispatches kept per session for replay on RESUME; a resume from further back gets INVALID_SESSION. */
  replayBufferSize: number;
  /** The initial interaction response must come within this (Discord: 3 s). */
  interactionDeadlineMs: number;
  /** Interaction tokens (followups, @original) work this long (Discord: 15 min). */
  interactionTokenTtlMs: number;
  /** Per-route rate limit advertised in X-RateLimit-* and enforced with 429s. */
  rateLimit: { limit: number; windowMs: number };
  /** Privileged intents the application may use (Developer Portal switches); others close with 4014. */
  allowedPrivilegedIntents: number;
}

export interface DiscordSimOptions extends Partial<Omit<DiscordSimConfig, 'bot' | 'guild'>> {
  bot?: Partial<DiscordSimConfig['bot']>;
  guild?: Partial<DiscordSimConfig['guild']>;
}

/** GUILD_MEMBERS (1 << 1), GUILD_PRESENCES (1 << 8), MESSAGE_CONTENT (1 << 15). */
export const PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15);

export function resolveConfig(options: DiscordSimOptions = {}): DiscordSimConfig {
  return {
    token: options.token,
    bot: { id: options.bot?.id ?? DEFAULT_IDS.bot, username: options.bot?.username ?? 'Legwork' },
    guild: {
      id: options.guild?.id ?? DEFAULT_IDS.guild,
      name: options.guild?.name ?? 'Legwork (local)',
      channels: options.guild?.channels ?? [
        { id: defaultChannelId(0), name: 'legwork' },
        { id: defaultChannelId(1), name: 'general' },
      ],
    },
    users: options.users ?? [{ id: DEFAULT_IDS.operator, username: 'operator' }],
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
    sessionTimeoutMs: options.sessionTimeoutMs ?? 180_000,
    replayBufferSize: options.replayBufferSize ?? 1000,
    interactionDeadlineMs: options.interactionDeadlineMs ?? 3000,
    interactionTokenTtlMs: options.interactionTokenTtlMs ?? 15 * 60_000,
    rateLimit: options.rateLimit ?? { limit: 50, windowMs: 1000 },
    allowedPrivilegedIntents: options.allowedPrivilegedIntents ?? PRIVILEGED_INTENTS,
  };
}
