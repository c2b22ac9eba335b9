// Owns what a secret looks like in log output, for every caller: the pino redaction paths of logged objects (the root
// logger and the CLIs' loggers) and the scrubbing of text (log messages, the SDK's log lines, broker error bodies).
// Pure; no Legwork or Tastytrade types, so the venue may use it too.

/** What a redacted value is replaced with, in objects and in text. */
export const REDACTED = '[REDACTED]';

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

/** Field names whose value is a credential when they appear in text as `name: value`, `name=value` or JSON. */
const SECRET_FIELDS = [
  'refresh_token',
  'client_secret',
  'access_token',
  'id_token',
  'auth-token',
  'token',
  'clientSecret',
  'refreshToken',
  'accessToken',
  'password',
];
/** An optional quote, possibly escaped any number of times (JSON inside JSON: the SDK logs its OAuth body so). */
const Q = String.raw`(?:\\*"?)`;
const SECRET_PATTERNS: [RegExp, string][] = [
  [/Bearer\s+[A-Za-z0-9._~+/=-]+/g, `Bearer ${REDACTED}`],
  [new RegExp(`(${Q}(?:${SECRET_FIELDS.join('|')})${Q}\\s*[:=]\\s*${Q})[^",}&\\s\\\\]+`, 'gi'), `$1${REDACTED}`],
];

/** Removes bearer tokens and credential fields from text (a last line of defence: never interpolate secrets). */
export function scrubSecrets(text: string): string {
  return SECRET_PATTERNS.reduce((t, [pattern, replacement]) => t.replace(pattern, replacement), text);
}
