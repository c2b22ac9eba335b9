// Every failure an SDK call can throw ends in the BrokerError kind the pipeline relies on.
import { describe, expect, it } from 'vitest';
import { BrokerError } from '../../../src/domain/broker-error.js';
import { MoneyFormatError } from '../../../src/domain/money.js';
import {
  DeadlineExceededError,
  classifyError,
  isUnauthorized,
  type BrokerOperation,
} from '../../../src/broker/tastytrade/errors.js';
import { WireFormatError } from '../../../src/broker/tastytrade/wire.js';

const SECRET = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu.sig';

/** Shaped like the AxiosError the SDK throws (axios itself is the SDK's dependency, not ours). */
function axiosError(status: number | undefined, data?: unknown, extra: { code?: string; url?: string } = {}) {
  return Object.assign(new Error(status ? `Request failed with status code ${status}` : `connect ${extra.code}`), {
    isAxiosError: true,
    ...(extra.code ? { code: extra.code } : {}),
    config: { url: extra.url ?? '/accounts/5WT00001/orders', headers: { Authorization: `Bearer ${SECRET}` } },
    ...(status !== undefined ? { response: { status, data, headers: {} } } : {}),
  });
}

const ALL: BrokerOperation[] = ['read', 'submit', 'cancel', 'replace', 'dryRun'];
const kinds = (error: unknown) => Object.fromEntries(ALL.map((op) => [op, classifyError(error, op).kind]));

describe('HTTP answers', () => {
  it('422 preflight_check_failure → rejected with the code and every sub-error', () => {
    const body = {
      error: {
        code: 'preflight_check_failure',
        message: 'One or more preflight checks failed',
        errors: [
          {
            code: 'margin_check_failed',
            message: 'Account does not have sufficient buying power available for this order.',
          },
          { code: 'cant_buy_for_credit', message: 'You cannot buy for a credit.' },
        ],
      },
    };
    const error = classifyError(axiosError(422, body), 'submit');
    expect(error).toBeInstanceOf(BrokerError);
    expect(error.kind).toBe('rejected');
    expect(error.code).toBe('preflight_check_failure');
    expect(error.httpStatus).toBe(422);
    expect(error.info.details?.map((d) => d.code)).toEqual(['margin_check_failed', 'cant_buy_for_credit']);
    expect(error.message).toMatch(/buying power/);
  });

  it('400 and 404 are rejected for every operation', () => {
    const validation = {
      error: {
        code: 'validation_error',
        message: 'Request validation failed',
        errors: [{ domain: 'price', reason: 'is missing' }],
      },
    };
    expect(kinds(axiosError(400, validation))).toEqual({
      read: 'rejected',
      submit: 'rejected',
      cancel: 'rejected',
      replace: 'rejected',
      dryRun: 'rejected',
    });
    expect(kinds(axiosError(404, { error: { code: 'not_found', message: 'Resource not found' } }))).toEqual({
      read: 'rejected',
      submit: 'rejected',
      cancel: 'rejected',
      replace: 'rejected',
      dryRun: 'rejected',
    });
    expect(classifyError(axiosError(400, validation), 'dryRun').code).toBe('validation_error');
  });

  it('401 and 403 are fatal for every operation', () => {
    for (const status of [401, 403]) {
      expect(
        Object.values(kinds(axiosError(status, { error: { code: 'unauthorized', message: 'Unauthorized' } }))),
      ).toEqual(ALL.map(() => 'fatal'));
    }
  });

  it.each([429, 500, 502, 503, 504, 408])('%i → unknown after a submit/replace, retryable otherwise', (status) => {
    expect(kinds(axiosError(status, { error: { code: 'x', message: 'x' } }))).toEqual({
      read: 'retryable',
      submit: 'unknown',
      cancel: 'retryable',
      replace: 'unknown',
      dryRun: 'retryable',
    });
  });

  it('an error body that is not Tastytrade JSON (an HTML 502 page) still classifies', () => {
    const error = classifyError(axiosError(502, '<html>Bad gateway</html>'), 'submit');
    expect(error.kind).toBe('unknown');
    expect(error.httpStatus).toBe(502);
  });
});

describe('no answer', () => {
  it('a deadline → unknown after a submit/replace, retryable otherwise', () => {
    expect(kinds(new DeadlineExceededError(15_000))).toEqual({
      read: 'retryable',
      submit: 'unknown',
      cancel: 'retryable',
      replace: 'unknown',
      dryRun: 'retryable',
    });
    expect(classifyError(new DeadlineExceededError(15_000), 'submit').code).toBe('timeout');
  });

  it('a reset connection (the request may have left) → unknown after a submit', () => {
    expect(kinds(axiosError(undefined, undefined, { code: 'ECONNRESET' }))).toEqual({
      read: 'retryable',
      submit: 'unknown',
      cancel: 'retryable',
      replace: 'unknown',
      dryRun: 'retryable',
    });
  });

  it('connection refused or DNS failure (nothing sent) → retryable even for a submit', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']) {
      expect(Object.values(kinds(axiosError(undefined, undefined, { code })))).toEqual(ALL.map(() => 'retryable'));
    }
  });
});

describe('token endpoint (the real request was never sent)', () => {
  it('refused credentials → fatal; an outage of /oauth/token → retryable even for a submit', () => {
    const refused = axiosError(
      401,
      { error: 'invalid_grant', error_description: 'Grant is invalid' },
      { url: '/oauth/token' },
    );
    expect(Object.values(kinds(refused))).toEqual(ALL.map(() => 'fatal'));
    expect(isUnauthorized(refused)).toBe(false); // no point refreshing a token the login cannot get
    const down = axiosError(503, undefined, { url: '/oauth/token' });
    expect(Object.values(kinds(down))).toEqual(ALL.map(() => 'retryable'));
    const reset = axiosError(undefined, undefined, { url: '/oauth/token', code: 'ECONNRESET' });
    expect(classifyError(reset, 'submit').kind).toBe('retryable');
  });

  it('a 401 on a real route is "unauthorized" (http-policy refreshes once for reads)', () => {
    expect(isUnauthorized(axiosError(401, {}))).toBe(true);
    expect(isUnauthorized(axiosError(403, {}))).toBe(false);
  });
});

describe('unreadable answers and other failures', () => {
  it('a WireFormatError → unknown after a submit/replace (the order may exist), fatal on reads (the format changed)', () => {
    const error = new WireFormatError('order', [{ path: '$.id', message: 'expected a number' }]);
    expect(kinds(error)).toEqual({
      read: 'fatal',
      submit: 'unknown',
      cancel: 'fatal',
      replace: 'unknown',
      dryRun: 'fatal',
    });
    expect(classifyError(error, 'submit').code).toBe('wire_format');
    expect(classifyError(new MoneyFormatError('1,2', 'bad'), 'submit').kind).toBe('unknown');
  });

  it('anything unexpected → unknown after a submit/replace, retryable otherwise', () => {
    expect(kinds(new TypeError('x is undefined'))).toEqual({
      read: 'retryable',
      submit: 'unknown',
      cancel: 'retryable',
      replace: 'unknown',
      dryRun: 'retryable',
    });
    expect(classifyError('a string', 'read').kind).toBe('retryable');
  });

  it('a BrokerError passes through unchanged', () => {
    const original = new BrokerError('rejected', 'no', { code: 'x' });
    expect(classifyError(original, 'submit')).toBe(original);
  });
});

describe('secrets', () => {
  it('messages and info never carry tokens, even when the broker echoes one', () => {
    const echoed = {
      error: { code: 'unauthorized', message: `token Bearer ${SECRET} is invalid; access_token=${SECRET}` },
    };
    for (const raw of [
      axiosError(401, echoed),
      axiosError(422, echoed),
      axiosError(undefined, undefined, { code: 'ECONNRESET' }),
      new Error(`socket hang up Authorization: Bearer ${SECRET}`),
    ]) {
      for (const op of ALL) {
        const error = classifyError(raw, op);
        expect(error.message).not.toContain(SECRET);
        expect(JSON.stringify(error.info)).not.toContain(SECRET);
      }
    }
  });
});
