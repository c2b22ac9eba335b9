// The one secret scrubber: every shape a credential takes in text (bearer headers, JSON, JSON inside JSON, form bodies,
// key: value) is scrubbed, the text around it is kept, and the redaction paths cover the fields it names.
import { describe, expect, it } from 'vitest';
import { REDACT_PATHS, scrubSecrets } from '../../../src/util/secrets.js';

describe('scrubSecrets', () => {
  it.each([
    ['Authorization: Bearer eyJhbGciOi.eyJzdWIi.sig-_~+/=', 'Authorization: Bearer [REDACTED]'],
    [
      '{"refresh_token":"rt-123","grant_type":"refresh_token"}',
      '{"refresh_token":"[REDACTED]","grant_type":"refresh_token"}',
    ],
    ['{"client_secret": "cs-456"}', '{"client_secret": "[REDACTED]"}'],
    [
      '{"data":"{\\"client_secret\\":\\"cs-456\\",\\"x\\":1}"}',
      '{"data":"{\\"client_secret\\":\\"[REDACTED]\\",\\"x\\":1}"}',
    ],
    ['{\\\\\\"access_token\\\\\\":\\\\\\"at-789\\\\\\"}', '{\\\\\\"access_token\\\\\\":\\\\\\"[REDACTED]\\\\\\"}'],
    [
      'grant_type=refresh_token&refresh_token=rt-123&client_secret=cs-456',
      'grant_type=refresh_token&refresh_token=[REDACTED]&client_secret=[REDACTED]',
    ],
    ['id_token: abc.def', 'id_token: [REDACTED]'],
    ['{"type":"AUTH","auth-token":"at-1"}', '{"type":"AUTH","auth-token":"[REDACTED]"}'],
    ['{"token":"qt-1","dxlink-url":"wss://x"}', '{"token":"[REDACTED]","dxlink-url":"wss://x"}'],
    [
      'clientSecret=cs-1 refreshToken: rt-2 accessToken="at-3"',
      'clientSecret=[REDACTED] refreshToken: [REDACTED] accessToken="[REDACTED]"',
    ],
    ['QuoteToken: qt-2', 'QuoteToken: [REDACTED]'],
    ['password=hunter2', 'password=[REDACTED]'],
  ])('scrubs %s', (text, scrubbed) => {
    expect(scrubSecrets(text)).toBe(scrubbed);
  });

  it.each([
    'token bucket refilled: 40 tokens',
    'order 123 filled at 1.05',
    'refresh_token grant failed (401)',
    'GET /api-quote-tokens 200',
  ])('leaves %j alone', (text) => {
    expect(scrubSecrets(text)).toBe(text);
  });

  it('redacts the same fields in logged objects, at the top and nested', () => {
    for (const field of [
      'access_token',
      'refresh_token',
      'client_secret',
      'clientSecret',
      'refreshToken',
      'token',
      'password',
    ]) {
      expect(REDACT_PATHS).toEqual(expect.arrayContaining([field, `*.${field}`]));
    }
    expect(REDACT_PATHS).toEqual(
      expect.arrayContaining(['["auth-token"]', '*["auth-token"]', 'req.headers.authorization']),
    );
  });
});
