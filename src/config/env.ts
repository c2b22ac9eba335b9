// Owns reading process.env: the ONLY reader of environment variables. Validates all at once, returns a frozen config.
import { z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Legwork configuration is invalid:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    `must be a ${protocols.join(' or ')} URL`,
  );

const envSchema = z.object({
  TT_ENV: z.enum(['sim', 'sandbox', 'production']).default('sim'),
  LEGWORK_VENUE_URL: url(['http:', 'https:']).default('http://127.0.0.1:4100'),
  TT_CLIENT_SECRET: z.string().min(1).optional(),
  TT_REFRESH_TOKEN: z.string().min(1).optional(),
  TT_ACCOUNT: z
    .string()
    .regex(/^[0-9A-Z]{5,10}$/, 'must look like a Tastytrade account number, e.g. 5WT00001')
    .optional(),
  LEGWORK_LIVE_TRADING: z.string().optional(),
  DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/legwork'),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LEGWORK_ALERT_WEBHOOK: url(['http:', 'https:']).optional(),
  LEGWORK_RULES_DIR: z.string().min(1).default('rules'),
  LEGWORK_EXIT_EVERY_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  LEGWORK_RECONCILE_EVERY_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  LEGWORK_SNAPSHOT_EVERY_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LEGWORK_ADMIN_USER: z
    .string()
    .min(1)
    .regex(/^[^:]+$/, 'must not contain ":"')
    .optional(),
  LEGWORK_ADMIN_PASSWORD: z.string().min(1).optional(),
  LEGWORK_VIEWER_USER: z
    .string()
    .min(1)
    .regex(/^[^:]+$/, 'must not contain ":"')
    .optional(),
  LEGWORK_VIEWER_PASSWORD: z.string().min(1).optional(),
  LEGWORK_CLOCK: z.enum(['broker', 'wall']).default('broker'),
  LEGWORK_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:{}-]{1,64}$/, 'must be 1-64 letters, digits or _ . : { } -')
    .default('legwork'),
  DISCORD_TOKEN: z.string().min(1).optional(),
  DISCORD_API_URL: url(['http:', 'https:']).optional(),
  LEGWORK_DISCORD_CHANNELS: z.string().optional(),
  LEGWORK_DISCORD_USERS: z.string().optional(),
  LEGWORK_DISCORD_FILLS: z.enum(['yes', 'no']).default('no'),
});

export type TastytradeEnv = 'sim' | 'sandbox' | 'production';

export interface BrokerConfig {
  env: TastytradeEnv;
  /** REST base URL and account-streamer URL; for sandbox/production the SDK's presets. */
  baseUrl: string;
  accountStreamerUrl: string;
  clientSecret: string;
  refreshToken: string;
  accountNumber: string | undefined;
  liveTrading: boolean;
}

export interface AppConfig {
  broker: BrokerConfig;
  databaseUrl: string;
  redisUrl: string;
  logLevel: string;
  /** BullMQ key prefix (LEGWORK_QUEUE_PREFIX, default "legwork"): processes sharing a prefix share the queues. */
  queuePrefix: string;
  /** The folder of rule files (LEGWORK_RULES_DIR). */
  rulesDir: string;
  /**
   * Which clock decisions read (LEGWORK_CLOCK): `broker` (default) follows the broker (the venue's clock under
   * TT_ENV=sim, wall time for Tastytrade); `wall` forces this machine's clock even under sim.
   */
  clock: 'broker' | 'wall';
  /** How often exit rules run (LEGWORK_EXIT_EVERY_SECONDS). */
  exitEverySeconds: number;
  /** How often periodic reconciliation runs (LEGWORK_RECONCILE_EVERY_SECONDS); the portfolio sync follows it. */
  reconcileEverySeconds: number;
  /** Broker seconds between intraday account snapshots while the market is open (LEGWORK_SNAPSHOT_EVERY_SECONDS). */
  snapshotEverySeconds: number;
  /** Discord/Slack-compatible incoming webhook for alerts (LEGWORK_ALERT_WEBHOOK). */
  alertWebhookUrl?: string;
  /** The HTTP server (role `api`): PORT, and Basic-auth users (LEGWORK_ADMIN_USER/PASSWORD, LEGWORK_VIEWER_USER/PASSWORD). */
  http: HttpConfig;
  /** The Discord bot; absent when DISCORD_TOKEN is unset (the `chat` role does not run). */
  discord?: DiscordConfig;
}

/** What a Discord user on LEGWORK_DISCORD_USERS may do: `viewer` reads, `trader` also halts, resumes, approves. */
export type ChatRole = 'trader' | 'viewer';

/** The Discord bot (role `chat`), on when DISCORD_TOKEN is set. */
export interface DiscordConfig {
  /** The bot token (never logged). */
  token: string;
  /** REST base of a Discord-compatible server (DISCORD_API_URL); unset: Discord itself. */
  apiUrl?: string;
  /** Channel ids the bot listens and answers in (LEGWORK_DISCORD_CHANNELS); the first one also gets alerts. */
  channels: readonly string[];
  /** The first listed channel. */
  alertChannel: string;
  /** Allow-listed user ids and their roles (LEGWORK_DISCORD_USERS `id:role,…`). */
  users: readonly { id: string; role: ChatRole }[];
  /** Post fills (entries and exits filled) to the alert channel too (LEGWORK_DISCORD_FILLS=yes). */
  fills: boolean;
}

export interface HttpCredentials {
  user: string;
  password: string;
}

export interface HttpConfig {
  port: number;
  /** Unset: admin routes are served to loopback clients only, with a password generated at start. */
  admin?: HttpCredentials;
  /** Read-only access (optional). */
  viewer?: HttpCredentials;
}

const PRESETS: Record<Exclude<TastytradeEnv, 'sim'>, { baseUrl: string; accountStreamerUrl: string }> = {
  sandbox: { baseUrl: 'https://api.cert.tastyworks.com', accountStreamerUrl: 'wss://streamer.cert.tastyworks.com' },
  production: { baseUrl: 'https://api.tastyworks.com', accountStreamerUrl: 'wss://streamer.tastyworks.com' },
};

/** A Discord id (a snowflake): digits only, as Developer Mode's "Copy ID" gives it. */
const DISCORD_ID = /^[0-9]{1,20}$/;
const CHAT_ROLES: readonly ChatRole[] = ['trader', 'viewer'];

/** Splits a comma-separated list; blank entries (a trailing comma, spaces) are dropped. */
const entriesOf = (text: string | undefined): string[] =>
  (text ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');

/** LEGWORK_DISCORD_CHANNELS: ids, each named in its problem. */
export function parseDiscordChannels(text: string | undefined): { channels: string[]; problems: string[] } {
  const channels: string[] = [];
  const problems: string[] = [];
  entriesOf(text).forEach((entry, i) => {
    const where = `LEGWORK_DISCORD_CHANNELS: entry ${i + 1} "${entry}"`;
    if (!DISCORD_ID.test(entry)) problems.push(`${where}: must be a Discord channel id (digits)`);
    else if (channels.includes(entry)) problems.push(`${where}: listed twice`);
    else channels.push(entry);
  });
  return { channels, problems };
}

/** LEGWORK_DISCORD_USERS: `id:role` entries (role trader or viewer), each named in its problem. */
export function parseDiscordUsers(text: string | undefined): {
  users: { id: string; role: ChatRole }[];
  problems: string[];
} {
  const users: { id: string; role: ChatRole }[] = [];
  const problems: string[] = [];
  entriesOf(text).forEach((entry, i) => {
    const where = `LEGWORK_DISCORD_USERS: entry ${i + 1} "${entry}"`;
    const [id = '', role, ...rest] = entry.split(':').map((p) => p.trim());
    const problem =
      role === undefined || rest.length > 0
        ? 'must be USER_ID:ROLE, e.g. 123456:trader'
        : !DISCORD_ID.test(id)
          ? `"${id}" is not a Discord user id (digits)`
          : !(CHAT_ROLES as readonly string[]).includes(role)
            ? `role must be ${CHAT_ROLES.join(' or ')}, not "${role}"`
            : users.some((u) => u.id === id)
              ? `user ${id} is listed twice`
              : null;
    if (problem) problems.push(`${where}: ${problem}`);
    else users.push({ id, role: role as ChatRole });
  });
  return { users, problems };
}

/** Reads and validates every variable; throws one ConfigError listing every problem. Secrets never appear in messages. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<AppConfig> {
  const blankToUndefined = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === '' ? undefined : v]));
  const parsed = envSchema.safeParse(blankToUndefined);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  // Cross-field checks run on the raw values too, so one message lists every problem at once
  const raw = (key: string) => blankToUndefined[key];
  const ttEnv = raw('TT_ENV') ?? 'sim';
  const liveText = raw('LEGWORK_LIVE_TRADING');
  if (liveText !== undefined && liveText !== 'yes' && liveText !== 'no')
    problems.push('LEGWORK_LIVE_TRADING: must be "yes" or "no"');
  if (ttEnv === 'sandbox' || ttEnv === 'production') {
    if (!raw('TT_CLIENT_SECRET')) problems.push(`TT_CLIENT_SECRET: required when TT_ENV=${ttEnv}`);
    if (!raw('TT_REFRESH_TOKEN')) problems.push(`TT_REFRESH_TOKEN: required when TT_ENV=${ttEnv}`);
  }
  if (ttEnv === 'production' && liveText !== 'yes') {
    problems.push('LEGWORK_LIVE_TRADING: TT_ENV=production trades real money and needs LEGWORK_LIVE_TRADING=yes');
  }
  for (const role of ['ADMIN', 'VIEWER']) {
    const user = raw(`LEGWORK_${role}_USER`);
    const password = raw(`LEGWORK_${role}_PASSWORD`);
    if (user && !password) problems.push(`LEGWORK_${role}_PASSWORD: required when LEGWORK_${role}_USER is set`);
    if (password && !user) problems.push(`LEGWORK_${role}_USER: required when LEGWORK_${role}_PASSWORD is set`);
  }
  if (liveText === 'yes' && ttEnv !== 'production')
    problems.push('LEGWORK_LIVE_TRADING: "yes" only makes sense with TT_ENV=production');
  const channels = parseDiscordChannels(raw('LEGWORK_DISCORD_CHANNELS'));
  const users = parseDiscordUsers(raw('LEGWORK_DISCORD_USERS'));
  problems.push(...channels.problems, ...users.problems);
  if (raw('DISCORD_TOKEN')) {
    if (channels.channels.length === 0 && channels.problems.length === 0)
      problems.push(
        'LEGWORK_DISCORD_CHANNELS: required when DISCORD_TOKEN is set (the channel ids the bot answers in; the first gets alerts)',
      );
  } else {
    for (const key of ['LEGWORK_DISCORD_CHANNELS', 'LEGWORK_DISCORD_USERS', 'DISCORD_API_URL'])
      if (raw(key)) problems.push(`${key}: set, but DISCORD_TOKEN is not (the Discord bot runs only with a token)`);
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const live = liveText === 'yes';
  const urls =
    e.TT_ENV === 'sim'
      ? {
          baseUrl: e.LEGWORK_VENUE_URL.replace(/\/$/, ''),
          accountStreamerUrl: `${e.LEGWORK_VENUE_URL.replace(/\/$/, '').replace(/^http/, 'ws')}/streamer`,
        }
      : PRESETS[e.TT_ENV];
  return Object.freeze({
    broker: Object.freeze({
      env: e.TT_ENV,
      ...urls,
      // The local venue accepts any credentials; paper trading needs none from the user
      clientSecret: e.TT_CLIENT_SECRET ?? 'legwork-paper',
      refreshToken: e.TT_REFRESH_TOKEN ?? 'legwork-paper',
      accountNumber: e.TT_ACCOUNT,
      liveTrading: live,
    }),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    logLevel: e.LOG_LEVEL,
    queuePrefix: e.LEGWORK_QUEUE_PREFIX,
    clock: e.LEGWORK_CLOCK,
    rulesDir: e.LEGWORK_RULES_DIR,
    exitEverySeconds: e.LEGWORK_EXIT_EVERY_SECONDS,
    reconcileEverySeconds: e.LEGWORK_RECONCILE_EVERY_SECONDS,
    snapshotEverySeconds: e.LEGWORK_SNAPSHOT_EVERY_SECONDS,
    ...(e.LEGWORK_ALERT_WEBHOOK ? { alertWebhookUrl: e.LEGWORK_ALERT_WEBHOOK } : {}),
    http: Object.freeze({
      port: e.PORT,
      ...(e.LEGWORK_ADMIN_USER && e.LEGWORK_ADMIN_PASSWORD
        ? { admin: Object.freeze({ user: e.LEGWORK_ADMIN_USER, password: e.LEGWORK_ADMIN_PASSWORD }) }
        : {}),
      ...(e.LEGWORK_VIEWER_USER && e.LEGWORK_VIEWER_PASSWORD
        ? { viewer: Object.freeze({ user: e.LEGWORK_VIEWER_USER, password: e.LEGWORK_VIEWER_PASSWORD }) }
        : {}),
    }),
    ...(e.DISCORD_TOKEN
      ? {
          discord: Object.freeze({
            token: e.DISCORD_TOKEN,
            ...(e.DISCORD_API_URL ? { apiUrl: e.DISCORD_API_URL.replace(/\/$/, '') } : {}),
            channels: Object.freeze([...channels.channels]),
            alertChannel: channels.channels[0]!,
            users: Object.freeze(users.users.map((u) => Object.freeze(u))),
            fills: e.LEGWORK_DISCORD_FILLS === 'yes',
          }),
        }
      : {}),
  });
}
