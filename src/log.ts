// Owns the pino root logger: JSON in production, pretty on a terminal in development, secrets redacted.
import { createRequire } from 'node:module';
import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';

/**
 * Paths that may hold credentials anywhere in a logged object. Messages themselves must never embed secrets.
 * Paths are static and case-sensitive; a `*` matches one level. Covered: OAuth fields (snake and camel case), the
 * streamer's `auth-token`, DXLink quote `token`s, HTTP `authorization` headers (pino-http's req.headers), config
 * objects logged by mistake (`broker`, `config.broker`, the API's Basic-auth `password`s), and axios request configs carried by errors.
 */
export const REDACT_PATHS = [
  'access_token',
  'refresh_token',
  'client_secret',
  'clientSecret',
  'refreshToken',
  'accessToken',
  'token',
  'authorization',
  'Authorization',
  '["auth-token"]',
  '*.access_token',
  '*.refresh_token',
  '*.client_secret',
  '*.clientSecret',
  '*.refreshToken',
  '*.accessToken',
  '*.token',
  '*.authorization',
  '*.Authorization',
  '*["auth-token"]',
  '*.*.access_token',
  '*.*.refresh_token',
  '*.*.client_secret',
  '*.*.clientSecret',
  '*.*.refreshToken',
  '*.*.token',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.Authorization',
  'headers.authorization',
  '*.headers.Authorization',
  '*.headers.authorization',
  'password',
  '*.password',
  '*.*.password',
  'http.admin.password',
  'http.viewer.password',
  'config.http.admin.password',
  'config.http.viewer.password',
  'broker.clientSecret',
  'broker.refreshToken',
  'config.broker.clientSecret',
  'config.broker.refreshToken',
  '*.config.broker.clientSecret',
  '*.config.broker.refreshToken',
  'config.headers.Authorization',
  'config.headers.authorization',
  'config.data',
  'err.config.headers.Authorization',
  'err.config.headers.authorization',
  'err.config.data',
  'err.response.config.headers.Authorization',
  'err.response.config.data',
  'err.response.data.access_token',
  'error.config.headers.Authorization',
  'error.config.data',
  '*.config.headers.Authorization',
  '*.config.data',
];

interface AxiosLikeError {
  isAxiosError?: boolean;
  name?: string;
  message?: string;
  code?: string;
  config?: { method?: string; url?: string; baseURL?: string };
  response?: { status?: number; data?: unknown };
}

/**
 * Errors are serialized like pino's default, except axios errors: their `config` (headers with the bearer token, the
 * OAuth body), `request` (raw headers) and `response` (its config again) are dropped; method, URL and status stay.
 */
export function serializeError(value: unknown): unknown {
  if (!value || typeof value !== 'object') return value;
  const e = value as AxiosLikeError & Error;
  if (e.isAxiosError === true) {
    return {
      type: e.name ?? 'AxiosError',
      message: e.message,
      code: e.code,
      method: e.config?.method,
      url: `${e.config?.baseURL ?? ''}${e.config?.url ?? ''}`,
      status: e.response?.status,
      stack: e.stack,
    };
  }
  return value instanceof Error ? stdSerializers.err(value) : value;
}

const Q = String.raw`(?:\\*")?`; // an optional quote, possibly escaped (JSON inside JSON)
const MESSAGE_SECRETS: [RegExp, string][] = [
  [/Bearer\s+[A-Za-z0-9._~+/=-]+/g, 'Bearer [REDACTED]'],
  [
    new RegExp(`(${Q}(?:refresh_token|client_secret|access_token|id_token|auth-token|token|clientSecret|refreshToken|accessToken)${Q}\\s*[:=]\\s*${Q})[^",}&\\s\\\\]+`, 'gi'),
    '$1[REDACTED]',
  ],
];

/** Removes bearer tokens and credential fields from message text (a last line of defence: never interpolate secrets). */
export function scrubMessage(text: string): string {
  return MESSAGE_SECRETS.reduce((t, [pattern, replacement]) => t.replace(pattern, replacement), text);
}

export interface LogOptions {
  level?: string;
  pretty?: boolean;
  name?: string;
  /** Where JSON lines go (default stdout); ignored when pretty. Tests pass a stream to capture the output. */
  destination?: DestinationStream;
}

/** Whether pino-pretty can be loaded (it is left out of production installs). */
function prettyInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

export function createLogger(options: LogOptions = {}): Logger {
  // pino-pretty is a dev dependency: a production install (npm ci --omit=dev) logs JSON even on a terminal
  const pretty = (options.pretty ?? (process.stdout.isTTY === true && process.env['NODE_ENV'] !== 'production')) && prettyInstalled();
  const opts = {
    name: options.name ?? 'legwork',
    level: options.level ?? process.env['LOG_LEVEL'] ?? 'info',
    base: { pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    serializers: { err: serializeError, error: serializeError },
    hooks: {
      logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? scrubMessage(a) : a)));
      },
    },
  };
  if (pretty) return pino({ ...opts, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } });
  return options.destination ? pino(opts, options.destination) : pino(opts);
}

export interface LogBindings {
  component: string;
  tradeId?: string | number | undefined;
  groupId?: string | number | undefined;
  orderId?: string | number | undefined;
  [key: string]: unknown;
}

/** A child logger carrying `component` and whichever ids the caller has; undefined ids are left out. */
export function childLogger(log: Logger, bindings: LogBindings): Logger {
  return log.child(Object.fromEntries(Object.entries(bindings).filter(([, v]) => v !== undefined)));
}

export type { Logger };
