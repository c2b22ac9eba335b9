// Owns the pino root logger: JSON in production, pretty on a terminal in development, secrets redacted.
import { pino, type Logger } from 'pino';

/** Paths that may hold credentials anywhere in a logged object. Messages themselves must never embed secrets. */
export const REDACT_PATHS = [
  'access_token',
  'refresh_token',
  'client_secret',
  'token',
  'authorization',
  '*.access_token',
  '*.refresh_token',
  '*.client_secret',
  '*.clientSecret',
  '*.refreshToken',
  '*.token',
  '*.authorization',
  '*["auth-token"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.Authorization',
];

export interface LogOptions {
  level?: string;
  pretty?: boolean;
  name?: string;
}

export function createLogger(options: LogOptions = {}): Logger {
  const pretty = options.pretty ?? (process.stdout.isTTY === true && process.env['NODE_ENV'] !== 'production');
  return pino({
    name: options.name ?? 'legwork',
    level: options.level ?? process.env['LOG_LEVEL'] ?? 'info',
    base: { pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
  });
}

export type { Logger };
