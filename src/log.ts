// Owns the pino root logger: JSON in production, pretty on a terminal in development, secrets redacted (what a secret
// is, in logged objects and in message text, is src/util/secrets.ts's).
import { createRequire } from 'node:module';
import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';
import { REDACT_PATHS, REDACTED, scrubSecrets } from './util/secrets.js';

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
  const pretty =
    (options.pretty ?? (process.stdout.isTTY === true && process.env['NODE_ENV'] !== 'production')) &&
    prettyInstalled();
  const opts = {
    name: options.name ?? 'legwork',
    level: options.level ?? process.env['LOG_LEVEL'] ?? 'info',
    base: { pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    serializers: { err: serializeError, error: serializeError },
    hooks: {
      logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? scrubSecrets(a) : a)),
        );
      },
    },
  };
  if (pretty)
    return pino({
      ...opts,
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } },
    });
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
