// Owns classifying every failure of a Tastytrade call into a BrokerError kind (rejected | unknown | retryable | fatal). Pure.
import { BrokerError, isBrokerError, type BrokerErrorDetail } from '../../domain/broker-error.js';
import { MoneyFormatError } from '../../domain/money.js';
import { scrubSecrets } from '../../util/secrets.js';
import { parseErrorBody } from './mapper.js';
import { WireFormatError } from './wire.js';

export type BrokerOperation = 'read' | 'submit' | 'cancel' | 'replace' | 'dryRun';

/** The call did not answer within its deadline (the SDK has no request timeout; http-policy races it). */
export class DeadlineExceededError extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'DeadlineExceededError';
  }
}

/** Socket errors raised before any byte of the request can have reached the server. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_INVALID_URL',
]);

/** Operations whose request may create an order: a lost answer means "it may exist". */
const CREATES_ORDER: ReadonlySet<BrokerOperation> = new Set(['submit', 'replace']);

interface HttpLikeError {
  code?: string;
  message?: string;
  response?: { status?: number; data?: unknown };
  config?: { url?: string };
}

function asHttpError(error: unknown): HttpLikeError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as Record<string, unknown>;
  // AxiosError (duck-typed: axios is the SDK's dependency, not ours), or a node socket error
  if (e['isAxiosError'] === true || typeof e['code'] === 'string' || typeof e['response'] === 'object')
    return e as HttpLikeError;
  return undefined;
}

const clean = (text: string): string => scrubSecrets(text).slice(0, 500);

/**
 * Turns anything an SDK call can throw into a BrokerError. Rules (also in the report / docs):
 * - already a BrokerError → unchanged;
 * - 400/404/422 and other 4xx → `rejected` with the broker's code and sub-errors;
 * - 401, 403 → `fatal` (a 401 on a read was already retried once after a token refresh by http-policy);
 * - a failing `/oauth/token` call → `fatal` on 4xx, `retryable` otherwise: the real request was never sent;
 * - 429, 408, 5xx, deadline, network error after the request may have left → `unknown` for submit/replace,
 *   `retryable` for read/cancel/dryRun;
 * - connection refused / DNS failure (nothing sent) → `retryable`, even for a submit;
 * - an unreadable response (WireFormatError, MoneyFormatError) → `unknown` for submit/replace (the order may exist),
 *   `fatal` for the others (the wire format changed; retrying cannot help and trading blind is unsafe);
 * - anything else → `unknown` for submit/replace, `retryable` otherwise.
 */
export function classifyError(error: unknown, operation: BrokerOperation): BrokerError {
  if (isBrokerError(error)) return error;
  const mayExist = CREATES_ORDER.has(operation);
  const info = (extra: { code?: string; httpStatus?: number; details?: BrokerErrorDetail[] } = {}) => ({
    ...extra,
    operation,
  });

  if (error instanceof DeadlineExceededError) {
    return mayExist
      ? new BrokerError('unknown', `${operation}: ${error.message}; the order may exist`, info({ code: 'timeout' }))
      : new BrokerError('retryable', `${operation}: ${error.message}`, info({ code: 'timeout' }));
  }
  if (error instanceof WireFormatError || error instanceof MoneyFormatError) {
    const text = clean(error.message);
    return mayExist
      ? new BrokerError(
          'unknown',
          `${operation}: unreadable response (${text}); the order may exist`,
          info({ code: 'wire_format' }),
        )
      : new BrokerError('fatal', `${operation}: unreadable response (${text})`, info({ code: 'wire_format' }));
  }

  const http = asHttpError(error);
  if (!http) {
    const text = clean(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    return new BrokerError(mayExist ? 'unknown' : 'retryable', `${operation}: unexpected failure (${text})`, info());
  }

  const status = http.response?.status;
  const tokenCall = (http.config?.url ?? '').endsWith('/oauth/token');
  if (status !== undefined) {
    const body = safeErrorBody(http.response?.data);
    const code = body?.code;
    const brokerText = body?.message ? `: ${clean(body.message)}` : '';
    const detailText =
      body && body.details.length > 0 ? ` (${body.details.map((d) => clean(d.message)).join('; ')})` : '';
    const base = {
      httpStatus: status,
      ...(code !== undefined ? { code } : {}),
      ...(body && body.details.length > 0 ? { details: body.details } : {}),
    };
    if (tokenCall) {
      // The access token could not be obtained: the real request never left
      return status >= 400 && status < 500 && status !== 429 && status !== 408
        ? new BrokerError(
            'fatal',
            `${operation}: authentication refused (HTTP ${status})${brokerText}`,
            info({ ...base, code: code ?? 'auth_failed' }),
          )
        : new BrokerError(
            'retryable',
            `${operation}: token endpoint failed (HTTP ${status}); request not sent`,
            info(base),
          );
    }
    if (status === 401 || status === 403) {
      return new BrokerError('fatal', `${operation}: HTTP ${status}${brokerText}`, info(base));
    }
    if (status === 429 || status === 408 || status >= 500) {
      return mayExist
        ? new BrokerError('unknown', `${operation}: HTTP ${status}${brokerText}; the order may exist`, info(base))
        : new BrokerError('retryable', `${operation}: HTTP ${status}${brokerText}`, info(base));
    }
    if (status >= 400) {
      return new BrokerError('rejected', `${operation} rejected: HTTP ${status}${brokerText}${detailText}`, info(base));
    }
    // A 1xx/2xx/3xx that still threw (e.g. redirect handling): treat as transport trouble
    return new BrokerError(mayExist ? 'unknown' : 'retryable', `${operation}: unexpected HTTP ${status}`, info(base));
  }

  // No response at all
  const code = http.code;
  const text = clean(`${code ?? 'network error'}${http.message ? ` ${http.message}` : ''}`);
  if ((code !== undefined && NOT_SENT_CODES.has(code)) || tokenCall) {
    return new BrokerError(
      'retryable',
      `${operation}: ${text}; request not sent`,
      info(code !== undefined ? { code } : {}),
    );
  }
  return mayExist
    ? new BrokerError('unknown', `${operation}: ${text}; the order may exist`, info(code !== undefined ? { code } : {}))
    : new BrokerError('retryable', `${operation}: ${text}`, info(code !== undefined ? { code } : {}));
}

function safeErrorBody(data: unknown): { code?: string; message: string; details: BrokerErrorDetail[] } | undefined {
  try {
    const body = parseErrorBody(data);
    return body && { ...body, details: body.details.map((d) => ({ ...d, message: clean(d.message) })) };
  } catch {
    return undefined;
  }
}

/** Whether the status came from a refused bearer token (http-policy refreshes the token once for reads). */
export function isUnauthorized(error: unknown): boolean {
  const http = asHttpError(error);
  return http?.response?.status === 401 && !(http.config?.url ?? '').endsWith('/oauth/token');
}
