// Proves logs never leak secrets: real pino output from the root logger, the Tastytrade client (SDK logger and the
// axios errors it throws, against the in-process venue) and pino-http is captured and searched for every secret.
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pinoHttp } from 'pino-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTastytradeClient } from '../../src/broker/tastytrade/client.js';
import { loadConfig } from '../../src/config/env.js';
import { childLogger, createLogger, type Logger } from '../../src/log.js';
import type { VenueHandle } from '@legwork/venue';
import { startTestVenue } from '../support/venue.js';

const CLIENT_SECRET = 'cs-4f1d9a7e2b6c8d03';
const REFRESH_TOKEN = 'rt-9b8c7d6e5f4a3b21';
const WRONG_SECRET = 'cs-wrong-77aa66bb55cc';
const BEARER = 'bearer-0a1b2c3d4e5f6071';
const QUOTE_TOKEN = 'qt-5e6f7a8b9c0d1e2f';
const AUTH_TOKEN = 'at-1122334455667788';
const COOKIE = 'sess-abcdef0123456789';

function capture(): { log: Logger; text: () => string; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const log = createLogger({ level: 'trace', pretty: false, destination });
  const text = () => chunks.join('');
  return {
    log,
    text,
    lines: () =>
      text()
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

function expectNoSecrets(text: string, secrets: string[]): void {
  for (const s of secrets) expect(text, `secret ${s.slice(0, 6)}… leaked`).not.toContain(s);
}

describe('root logger redaction', () => {
  it('redacts every configured path and keeps the messages', () => {
    const { log, text, lines } = capture();
    const config = loadConfig({ TT_ENV: 'sandbox', TT_CLIENT_SECRET: CLIENT_SECRET, TT_REFRESH_TOKEN: REFRESH_TOKEN });
    log.info({ access_token: BEARER, refresh_token: REFRESH_TOKEN, client_secret: CLIENT_SECRET }, 'm-top-oauth');
    log.info({ clientSecret: CLIENT_SECRET, refreshToken: REFRESH_TOKEN, accessToken: BEARER }, 'm-top-camel');
    log.info(
      { body: { access_token: BEARER, refresh_token: REFRESH_TOKEN, client_secret: CLIENT_SECRET } },
      'm-nested-oauth',
    );
    log.info({ creds: { clientSecret: CLIENT_SECRET, refreshToken: REFRESH_TOKEN } }, 'm-nested-camel');
    log.info({ 'auth-token': AUTH_TOKEN }, 'm-top-auth-token');
    log.info({ message: { action: 'connect', 'auth-token': AUTH_TOKEN } }, 'm-streamer-auth-token');
    log.info({ token: QUOTE_TOKEN }, 'm-top-token');
    log.info({ quote: { token: QUOTE_TOKEN, level: 'api' } }, 'm-quote-token');
    log.info({ setup: { data: { token: QUOTE_TOKEN } } }, 'm-deep-token');
    log.info({ authorization: `Bearer ${BEARER}` }, 'm-top-authorization');
    log.info({ headers: { Authorization: `Bearer ${BEARER}`, authorization: `Bearer ${BEARER}` } }, 'm-headers');
    log.info({ req: { headers: { authorization: `Bearer ${BEARER}`, cookie: COOKIE } } }, 'm-req-headers');
    log.info({ broker: config.broker }, 'm-broker-config');
    log.info({ config }, 'm-app-config');
    log.info({ ctx: { config } }, 'm-ctx-config');
    log.info(config as unknown as Record<string, unknown>, 'm-config-merged');
    const axiosConfig = {
      method: 'post',
      url: '/oauth/token',
      headers: { Authorization: `Bearer ${BEARER}` },
      data: JSON.stringify({ refresh_token: REFRESH_TOKEN, client_secret: CLIENT_SECRET }),
    };
    log.error(
      { err: Object.assign(new Error('Request failed with status code 401'), { config: axiosConfig }) },
      'm-err-config',
    );
    log.error({ error: Object.assign(new Error('boom'), { config: axiosConfig }) }, 'm-error-config');
    log.error(
      {
        err: Object.assign(new Error('axios'), {
          isAxiosError: true,
          config: axiosConfig,
          request: { _header: `Authorization: Bearer ${BEARER}` },
          response: { status: 401, config: axiosConfig, data: { access_token: BEARER } },
        }),
      },
      'm-axios-error',
    );
    log.warn({ call: { config: axiosConfig } }, 'm-nested-axios-config');
    childLogger(log, { component: 'executor', tradeId: 't-1', groupId: 'g-1', orderId: undefined }).info(
      { clientSecret: CLIENT_SECRET },
      'm-child',
    );

    const out = text();
    expectNoSecrets(out, [CLIENT_SECRET, REFRESH_TOKEN, BEARER, QUOTE_TOKEN, AUTH_TOKEN, COOKIE]);
    const msgs = lines().map((l) => l['msg']);
    for (const m of msgs.filter((m) => typeof m === 'string')) expect(out).toContain(m as string);
    expect(msgs).toHaveLength(21);
    expect(out).toContain('[REDACTED]');
    const child = lines().find((l) => l['msg'] === 'm-child')!;
    expect(child).toMatchObject({ component: 'executor', tradeId: 't-1', groupId: 'g-1', clientSecret: '[REDACTED]' });
    expect(child).not.toHaveProperty('orderId');
    // Non-secret context survives: the axios error keeps its status and URL, the config keeps its non-secret fields
    expect(lines().find((l) => l['msg'] === 'm-axios-error')!['err']).toMatchObject({ status: 401, message: 'axios' });
    expect(lines().find((l) => l['msg'] === 'm-broker-config')!['broker']).toMatchObject({
      env: 'sandbox',
      clientSecret: '[REDACTED]',
    });
  });

  it('is JSON (not pretty) when not pretty, one object per line', () => {
    const { log, lines } = capture();
    log.info({ component: 'x' }, 'hello');
    expect(lines()[0]).toMatchObject({ msg: 'hello', component: 'x', name: 'legwork', level: 30 });
  });
});

describe('Tastytrade client and pino-http', () => {
  let sim: VenueHandle;
  beforeAll(async () => {
    sim = await startTestVenue({ auth: { clientSecret: CLIENT_SECRET, refreshToken: REFRESH_TOKEN } });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('SDK logger and the axios errors the client throws leak no credential or access token', async () => {
    const { log, text } = capture();
    const base = loadConfig({
      TT_ENV: 'sim',
      LEGWORK_VENUE_URL: sim.baseUrl,
      TT_CLIENT_SECRET: CLIENT_SECRET,
      TT_REFRESH_TOKEN: REFRESH_TOKEN,
    });
    const good = createTastytradeClient(base.broker, log);
    // A successful login (the venue issues an access token), then a request that fails carrying the bearer header
    const quote = (await good.accountsAndCustomersService.getApiQuoteToken()) as { token: string };
    const accessToken = (good.httpClient as unknown as { accessToken: { token: string } }).accessToken.token;
    expect(accessToken).toMatch(/^sim-at-/);
    expect(quote.token).toMatch(/^sim-qt-/);
    log.info({ quote }, 'got quote token');
    const notFound = await good.httpClient.getData('/no-such-route').catch((e: unknown) => e);
    expect((notFound as { config: { headers: Record<string, string> } }).config.headers['Authorization']).toContain(
      accessToken,
    );
    log.error({ err: notFound }, 'broker request failed');

    // Wrong client secret: the token request fails with 401 and its axios config carries the refresh token and secret
    const bad = createTastytradeClient({ ...base.broker, clientSecret: WRONG_SECRET }, log);
    const denied = await bad.accountsAndCustomersService.getCustomerResource().catch((e: unknown) => e);
    expect((denied as { response: { status: number } }).response.status).toBe(401);
    expect(JSON.stringify((denied as { config: unknown }).config)).toContain(WRONG_SECRET);
    log.error({ err: denied }, 'broker login failed');
    log.error({ error: denied }, 'broker login failed (error key)');
    // The SDK's own logger path (warn/error are forwarded, scrubbed) with the real request config and error
    // (The SDK's TastytradeLogger compares level names as strings, so at LogLevel.WARN it forwards warn but drops
    // error; the wrapper client.ts installs is called directly for the error path.)
    type SdkLog = { warn: (...d: unknown[]) => void; error: (...d: unknown[]) => void };
    const sdkLog = (bad as unknown as { logger: SdkLog & { logger: SdkLog } }).logger;
    sdkLog.warn('Making request (warn)', (denied as { config: unknown }).config);
    sdkLog.warn('Making request', (notFound as { config: unknown }).config);
    sdkLog.logger.error('Making request (error)', (denied as { config: unknown }).config, denied);
    sdkLog.logger.error('AccountStreamer error', { 'auth-token': `Bearer ${accessToken}`, action: 'connect' });

    const out = text();
    expectNoSecrets(out, [CLIENT_SECRET, REFRESH_TOKEN, WRONG_SECRET, accessToken, quote.token]);
    for (const m of [
      'got quote token',
      'broker request failed',
      'broker login failed',
      'broker login failed (error key)',
      'Making request',
      'Making request (warn)',
      'Making request (error)',
      'AccountStreamer error',
    ]) {
      expect(out).toContain(m);
    }
    expect(out).toContain('tastytrade-sdk');
    expect(out).toContain('/oauth/token');
    expect(out).toContain('401');
  });

  it('pino-http with the root logger redacts the authorization header', async () => {
    const { log, text, lines } = capture();
    const app = express();
    app.use(pinoHttp({ logger: log }));
    app.get('/api/ping', (req, res) => {
      req.log.info({ component: 'api' }, 'handler ran');
      res.json({ ok: true });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/api/ping`, {
        headers: { authorization: `Bearer ${BEARER}`, cookie: `sid=${COOKIE}` },
      });
      expect(res.status).toBe(200);
      await res.text();
    } finally {
      await new Promise((r) => server.close(r));
    }
    const out = text();
    expectNoSecrets(out, [BEARER, COOKIE]);
    expect(out).toContain('handler ran');
    expect(out).toContain('request completed');
    const completed = lines().find((l) => l['msg'] === 'request completed') as {
      req: { url: string; headers: Record<string, string> };
    };
    expect(completed.req.url).toBe('/api/ping');
    expect(completed.req.headers['authorization']).toBe('[REDACTED]');
  });
});
