// Owns the end-to-end check of the venue's DXLink server: the unmodified @tastytrade/api QuoteStreamer plus a raw `ws` protocol client.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import TastytradeClient from '@tastytrade/api';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMarketClock } from '../../src/clock.js';
import { createMarketModel } from '../../src/market/market.js';
import { createDxlinkServer, type DxlinkServer } from '../../src/streams/dxlink.js';
import { currentCandle } from '../../src/streams/dxlink-candles.js';
import type { MarketModel } from '../../src/types.js';

type Ev = Record<string, unknown>;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function waitFor<T>(probe: () => T | undefined | false, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

let httpServer: http.Server;
let port = 0;
let market: MarketModel;
let dx: DxlinkServer; // SDK-facing server on /dxlink
let fast: DxlinkServer; // same market, keepaliveTimeout 1 s, on /dxlink-fast (raw protocol tests)
let acceptTokens = true;
const goodTokens = new Set(['quote-token-good']);
let nextQuoteToken = 'quote-token-good';
let spy = { occ: 'SPY', streamer: 'SPY' };
let opt = { occ: '', streamer: '' };
const sdkClients: TastytradeClient[] = [];

beforeAll(async () => {
  (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket; // Node 20 has no global WebSocket (docs §11.1 item 5)
  const clock = createMarketClock({ mode: 'replay', startAt: Date.parse('2026-11-18T15:30:00Z'), speed: 0 });
  market = createMarketModel({ clock, seed: 7 });
  const chain = market.chain('SPY');
  if (chain === undefined) throw new Error('no SPY chain');
  const spot = market.spot('SPY');
  const exp = chain.expirations.find((e) => e.daysToExpiration >= 20) ?? chain.expirations[0];
  const strike = [...(exp?.strikes ?? [])].sort((a, b) => Math.abs(a.strike - spot) - Math.abs(b.strike - spot))[0];
  if (strike === undefined) throw new Error('no strikes');
  opt = { occ: strike.callSymbol, streamer: strike.callStreamerSymbol };
  spy = { occ: 'SPY', streamer: 'SPY' };

  const isValidToken = (t: string) => acceptTokens && goodTokens.has(t);
  dx = createDxlinkServer({ market, isValidToken, publishIntervalMs: 200 });
  fast = createDxlinkServer({ market, isValidToken, publishIntervalMs: 200, keepaliveTimeoutSec: 1 });
  httpServer = http.createServer((req, res) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    req.resume();
    if (req.method === 'POST' && req.url === '/oauth/token')
      return json(200, { access_token: 't', token_type: 'Bearer', expires_in: 900 });
    if (req.method === 'GET' && req.url === '/api-quote-tokens') {
      return json(200, {
        data: { token: nextQuoteToken, 'dxlink-url': `ws://127.0.0.1:${port}/dxlink`, level: 'api' },
        context: '/api-quote-tokens',
      });
    }
    json(404, { error: { code: 'not_found', message: 'Resource not found' } });
  });
  httpServer.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/dxlink') dx.handleUpgrade(req, socket, head);
    else if (path === '/dxlink-fast') fast.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', r));
  port = (httpServer.address() as AddressInfo).port;
});

afterAll(async () => {
  // QuoteStreamer.disconnect() leaves the DXLink socket and its timers alive. Revoke every token and drop the sockets: an
  // authorized client reconnects once, is refused, and on the next drop gives up for good (dxlink client: UNAUTHORIZED + close).
  for (const c of sdkClients) c.quoteStreamer.disconnect();
  acceptTokens = false;
  for (let i = 0; i < 10 && dx !== undefined; i++) {
    dx.dropAll();
    await sleep(1500);
    if (dx.connectionCount() === 0) break;
  }
  await dx?.close();
  await fast?.close();
  httpServer?.closeAllConnections();
  await new Promise<void>((r) => (httpServer ? httpServer.close(() => r()) : r()));
}, 30_000);

/** A connected SDK QuoteStreamer that records every event it receives. */
async function sdkStreamer(token = 'quote-token-good') {
  nextQuoteToken = token;
  const client = new TastytradeClient({
    baseUrl: `http://127.0.0.1:${port}`,
    accountStreamerUrl: `ws://127.0.0.1:${port}/streamer`,
    clientSecret: 'x',
    refreshToken: 'y',
    oauthScopes: ['read', 'trade'],
  });
  sdkClients.push(client);
  const events: { at: number; ev: Ev }[] = [];
  client.quoteStreamer.addEventListener((evs) => {
    for (const ev of evs) events.push({ at: Date.now(), ev: ev as Ev });
  });
  await client.quoteStreamer.connect();
  const last = (type: string, symbol: string, after = 0) =>
    events.filter((e) => e.at >= after && e.ev['eventType'] === type && e.ev['eventSymbol'] === symbol).at(-1)?.ev;
  return { client, qs: client.quoteStreamer, events, last };
}

describe('DXLink server with the real @tastytrade/api QuoteStreamer', () => {
  let s: Awaited<ReturnType<typeof sdkStreamer>>;

  beforeAll(async () => {
    s = await sdkStreamer();
  });

  it('delivers Quote/Trade/Summary/Profile/Underlying for SPY and Quote/Greeks/Trade/Summary for an option, equal to the market model', async () => {
    s.qs.subscribe([spy.streamer, opt.streamer]);
    for (const t of ['Quote', 'Trade', 'Summary', 'Profile', 'Underlying'])
      await waitFor(() => s.last(t, 'SPY'), 5000, `${t} SPY`);
    for (const t of ['Quote', 'Greeks', 'Trade', 'Summary'])
      await waitFor(() => s.last(t, opt.streamer), 5000, `${t} ${opt.streamer}`);

    const q = market.quote('SPY');
    const qe = s.last('Quote', 'SPY');
    expect(qe?.['bidPrice']).toBe(q?.bid);
    expect(qe?.['askPrice']).toBe(q?.ask);
    expect(qe?.['bidSize']).toBe(q?.bidSize);

    const oq = market.quote(opt.occ);
    const oqe = s.last('Quote', opt.streamer);
    expect(oqe?.['bidPrice']).toBe(oq?.bid);
    expect(oqe?.['askPrice']).toBe(oq?.ask);

    const g = market.greeks(opt.occ);
    const ge = s.last('Greeks', opt.streamer);
    expect(g).toBeDefined();
    expect(ge?.['delta'] as number).toBeCloseTo(g?.delta ?? NaN, 9);
    expect(ge?.['volatility'] as number).toBeCloseTo(g?.volatility ?? NaN, 9);
    expect(ge?.['theta'] as number).toBeCloseTo(g?.theta ?? NaN, 9);

    const sum = market.summary(opt.occ);
    expect(s.last('Summary', opt.streamer)?.['openInterest']).toBe(Math.round(sum?.openInterest ?? NaN));
    expect(s.last('Summary', 'SPY')?.['prevDayClosePrice']).toBe(market.summary('SPY')?.prevDayClose);
    expect(s.last('Profile', 'SPY')?.['description']).toBe(market.spec('SPY')?.description);
    expect(typeof s.last('Underlying', 'SPY')?.['volatility']).toBe('number');
    // Greeks and Underlying do not exist for the other kind of instrument
    expect(s.last('Greeks', 'SPY')).toBeUndefined();
    expect(s.last('Underlying', opt.streamer)).toBeUndefined();
  });

  it('pushes a new SPY quote after market.setMarket moves the spot', async () => {
    const before = market.quote('SPY');
    const t0 = Date.now();
    market.setMarket('SPY', { spot: market.spot('SPY') * 1.01 });
    const after = market.quote('SPY');
    expect(after?.bid).not.toBe(before?.bid);
    const qe = await waitFor(
      () => {
        const e = s.last('Quote', 'SPY', t0);
        return e !== undefined && e['bidPrice'] === after?.bid ? e : undefined;
      },
      3000,
      'moved SPY quote',
    );
    expect(qe['askPrice']).toBe(after?.ask);
    // the option reprices too
    await waitFor(
      () => s.last('Quote', opt.streamer, t0)?.['bidPrice'] === market.quote(opt.occ)?.bid,
      3000,
      'option requote',
    );
  });

  it('unsubscribe stops events for that symbol only', async () => {
    s.qs.unsubscribe([opt.streamer]);
    await sleep(400); // the SDK batches subscription changes for 100 ms
    const t0 = Date.now();
    market.setMarket('SPY', { spot: market.spot('SPY') * 0.99 });
    await waitFor(
      () => s.last('Quote', 'SPY', t0)?.['bidPrice'] === market.quote('SPY')?.bid,
      3000,
      'SPY quote after move',
    );
    await sleep(600);
    expect(s.events.filter((e) => e.at >= t0 && e.ev['eventSymbol'] === opt.streamer)).toEqual([]);
  });

  it('after dropAll the SDK reconnects by itself and events resume', async () => {
    await waitFor(() => dx.connectionCount() === 1, 3000, 'one connection');
    await sleep(300);
    const t0 = Date.now(); // the clock is frozen: nothing is pushed from here on except the post-reconnect snapshot
    dx.dropAll();
    expect(dx.connectionCount()).toBe(0);
    await waitFor(() => dx.connectionCount() === 1, 8000, 'reconnect');
    // the resubscription (reset + add) brings a fresh snapshot; a move then brings an update
    const snap = await waitFor(() => s.last('Quote', 'SPY', t0), 5000, 'snapshot after reconnect');
    expect(snap['bidPrice']).toBe(market.quote('SPY')?.bid);
    const t1 = Date.now();
    market.setMarket('SPY', { spot: market.spot('SPY') * 1.005 });
    await waitFor(
      () => s.last('Quote', 'SPY', t1)?.['bidPrice'] === market.quote('SPY')?.bid,
      3000,
      'update after reconnect',
    );
  });

  it('silence(ms) sends nothing during the window, then events resume with the current values', async () => {
    const t0 = Date.now();
    dx.silence(1500);
    market.setMarket('SPY', { spot: market.spot('SPY') * 1.003 });
    await sleep(1300);
    expect(s.events.filter((e) => e.at >= t0)).toEqual([]);
    expect(dx.connectionCount()).toBe(1);
    const ev = await waitFor(() => s.last('Quote', 'SPY', t0), 3000, 'quote after silence');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    expect(ev['bidPrice']).toBe(market.quote('SPY')?.bid);
  });

  it('an invalid quote token is not authorized and gets no data', async () => {
    const bad = await sdkStreamer('quote-token-bad');
    bad.qs.subscribe(['SPY']);
    const t0 = Date.now();
    market.setMarket('SPY', { spot: market.spot('SPY') * 1.002 });
    await waitFor(() => s.last('Quote', 'SPY', t0), 3000, 'good client still served');
    await sleep(800);
    expect(bad.events).toEqual([]);
  });
});

const rawSockets: WebSocket[] = [];
afterEach(() => {
  for (const ws of rawSockets.splice(0)) ws.terminate();
});

/** A raw protocol client that records every frame. */
async function rawClient(path = '/dxlink-fast') {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
  rawSockets.push(ws);
  const frames: { at: number; msg: Ev }[] = [];
  ws.on('message', (d) => frames.push({ at: Date.now(), msg: JSON.parse(d.toString()) as Ev }));
  await new Promise<void>((r, j) => {
    ws.once('open', () => r());
    ws.once('error', j);
  });
  let cursor = 0;
  return {
    ws,
    frames,
    send: (m: unknown) => ws.send(typeof m === 'string' ? m : JSON.stringify(m)),
    /** Next frame (after the previous `next`) matching `pred`. */
    next: async (pred: (m: Ev) => boolean, what = 'frame', timeoutMs = 3000) => {
      const i = await waitFor(
        () => {
          const k = frames.findIndex((f, j) => j >= cursor && pred(f.msg));
          return k >= 0 ? k + 1 : undefined;
        },
        timeoutMs,
        what,
      );
      cursor = i;
      return frames[i - 1]?.msg as Ev;
    },
    close: () => ws.terminate(),
  };
}

describe('DXLink protocol details (raw ws client)', () => {
  const SETUP = {
    type: 'SETUP',
    channel: 0,
    version: '0.1-DXF-JS/0.3.0',
    keepaliveTimeout: 60,
    acceptKeepaliveTimeout: 60,
  };
  const type = (t: string) => (m: Ev) => m['type'] === t;

  it('SETUP, AUTH_STATE, CHANNEL_OPENED, FEED_CONFIG before FEED_DATA, ERRORs, CHANNEL_CLOSED, keepalive', async () => {
    const c = await rawClient();
    c.send(SETUP);
    const setup = await c.next(type('SETUP'), 'SETUP');
    expect(setup).toEqual({
      type: 'SETUP',
      channel: 0,
      keepaliveTimeout: 1,
      acceptKeepaliveTimeout: 60,
      version: expect.stringMatching(/^1\.0-/),
    });
    expect(await c.next(type('AUTH_STATE'))).toEqual({ type: 'AUTH_STATE', channel: 0, state: 'UNAUTHORIZED' });

    // channel requests need authorization
    c.send({ type: 'CHANNEL_REQUEST', channel: 1, service: 'FEED', parameters: { contract: 'AUTO' } });
    expect(await c.next(type('ERROR'))).toMatchObject({ channel: 0, error: 'UNAUTHORIZED' });
    c.send({ type: 'AUTH', channel: 0, token: 'quote-token-good' });
    const auth = await c.next(type('AUTH_STATE'));
    expect(auth).toMatchObject({ type: 'AUTH_STATE', channel: 0, state: 'AUTHORIZED' });
    expect(typeof auth['userId']).toBe('string');

    c.send({ type: 'CHANNEL_REQUEST', channel: 2, service: 'FEED', parameters: { contract: 'AUTO' } });
    expect(await c.next(type('ERROR'))).toEqual({
      type: 'ERROR',
      channel: 0,
      error: 'BAD_ACTION',
      message: expect.any(String),
    });
    c.send({ type: 'CHANNEL_REQUEST', channel: 3, service: 'FEED', parameters: { contract: 'AUTO' } });
    expect(await c.next(type('CHANNEL_OPENED'))).toEqual({
      type: 'CHANNEL_OPENED',
      channel: 3,
      service: 'FEED',
      parameters: { contract: 'AUTO', subFormat: 'LIST' },
    });
    c.send({ type: 'FEED_SETUP', channel: 3, acceptAggregationPeriod: 10, acceptDataFormat: 'COMPACT' });
    const cfg = await c.next(type('FEED_CONFIG'));
    expect(cfg).toMatchObject({ channel: 3, dataFormat: 'COMPACT' });
    expect(typeof cfg['aggregationPeriod']).toBe('number');
    c.send({ type: 'FEED_SETUP', channel: 3, acceptAggregationPeriod: 10, acceptDataFormat: 'COMPACT' }); // repeated: answered again
    await c.next(type('FEED_CONFIG'), 'second FEED_CONFIG');

    const firstData = c.frames.length;
    c.send({
      type: 'FEED_SUBSCRIPTION',
      channel: 3,
      reset: true,
      add: [
        { type: 'Quote', symbol: 'SPY' },
        { type: 'Greeks', symbol: opt.streamer },
        { type: 'Quote', symbol: 'NOPE' },
        { type: 'TimeAndSale', symbol: 'SPY' },
        { type: 'Candle', symbol: 'SPY{=d}', fromTime: Date.parse('2026-11-01T00:00:00Z') },
      ],
    });
    const quote = await c.next(
      (m) => m['type'] === 'FEED_DATA' && (m['data'] as unknown[])[0] === 'Quote',
      'Quote data',
    );
    await c.next((m) => m['type'] === 'FEED_DATA' && (m['data'] as unknown[])[0] === 'Greeks', 'Greeks data');
    await c.next((m) => m['type'] === 'FEED_DATA' && (m['data'] as unknown[])[0] === 'Candle', 'Candle data');
    // eventFields for every type arrived in a FEED_CONFIG before the first FEED_DATA of that type
    const fields: Record<string, string[]> = {};
    for (const f of c.frames.slice(firstData)) {
      const m = f.msg;
      if (m['type'] === 'FEED_CONFIG') Object.assign(fields, m['eventFields']);
      if (m['type'] === 'FEED_DATA') {
        const [t, values] = m['data'] as [string, unknown[]];
        const layout = fields[t];
        expect(layout, `eventFields for ${t} before data`).toBeDefined();
        expect(values.length % (layout?.length ?? 1)).toBe(0);
        expect(values.filter((v) => v === 'NOPE')).toEqual([]); // unknown symbols: no data
        expect(t).not.toBe('TimeAndSale');
      }
    }
    const qf = fields['Quote'] ?? [];
    const qv = (quote['data'] as [string, unknown[]])[1];
    const rec = Object.fromEntries(qf.map((f, i) => [f, qv[i]]));
    expect(rec['eventSymbol']).toBe('SPY');
    expect(rec['bidPrice']).toBe(market.quote('SPY')?.bid);
    const candles = c.frames
      .slice(firstData)
      .filter((f) => f.msg['type'] === 'FEED_DATA' && (f.msg['data'] as unknown[])[0] === 'Candle');
    const cv = (candles[0]!.msg['data'] as [string, unknown[]])[1];
    const cf = fields['Candle'] ?? [];
    // One daily candle per trading day since Nov 1 (13, today's first, SNAPSHOT_BEGIN), then a REMOVE|SNAPSHOT_END marker
    expect(cv.length).toBe(cf.length * 14);
    const flags = Array.from({ length: 14 }, (_, i) => cv[i * cf.length + cf.indexOf('eventFlags')]);
    expect(flags).toEqual([4, ...Array<number>(12).fill(0), 10]);

    // acceptEventFields after data has flowed: the layout is re-announced as asked, an unknown name kept (sent as "NaN")
    c.send({
      type: 'FEED_SETUP',
      channel: 3,
      acceptEventFields: { Quote: ['eventSymbol', 'bidPrice', 'askPrice', 'bogus'] },
    });
    expect((await c.next(type('FEED_CONFIG')))['eventFields']).toEqual({
      Quote: ['eventSymbol', 'bidPrice', 'askPrice', 'bogus'],
    });
    market.setMarket('SPY', { spot: market.spot('SPY') * 1.001 });
    const moved = market.quote('SPY');
    const q2 = await c.next(
      (m) => m['type'] === 'FEED_DATA' && JSON.stringify(m['data']).includes(String(moved?.bid)),
      'Quote in new layout',
    );
    expect(q2['data']).toEqual(['Quote', ['SPY', moved?.bid, moved?.ask, 'NaN']]);

    // bad input → ERROR, the connection survives
    c.send('not json');
    expect(await c.next(type('ERROR'))).toMatchObject({ channel: 0, error: 'INVALID_MESSAGE' });
    c.send({ type: 'FEED_SUBSCRIPTION', channel: 7, add: [{ type: 'Quote', symbol: 'SPY' }] });
    expect(await c.next(type('ERROR'))).toMatchObject({ channel: 7, error: 'BAD_ACTION' });
    c.send({ type: 'FEED_SUBSCRIPTION', channel: 3, add: [{ type: 'Quote' }] });
    expect(await c.next(type('ERROR'))).toMatchObject({ channel: 3, error: 'INVALID_MESSAGE' });
    c.send({ type: 'BOGUS', channel: 0 });
    expect(await c.next(type('ERROR'))).toMatchObject({ channel: 0, error: 'BAD_ACTION' });

    // keepalive: advertised keepaliveTimeout is 1 s, so an idle connection hears something within it
    const idleFrom = Date.now();
    const ka = await c.next(type('KEEPALIVE'), 'KEEPALIVE', 2000);
    expect(ka).toEqual({ type: 'KEEPALIVE', channel: 0 });
    expect(Date.now() - idleFrom).toBeLessThan(1000);

    c.send({ type: 'CHANNEL_CANCEL', channel: 3 });
    expect(await c.next(type('CHANNEL_CLOSED'))).toEqual({ type: 'CHANNEL_CLOSED', channel: 3 });
    c.close();
  });

  /** Authorized client with channel 1 subscribed to `subs`, snapshot consumed. */
  async function subscribed(add: unknown[]) {
    const c = await rawClient();
    c.send(SETUP);
    c.send({ type: 'AUTH', channel: 0, token: 'quote-token-good' });
    await c.next((m) => m['state'] === 'AUTHORIZED', 'AUTHORIZED');
    c.send({ type: 'CHANNEL_REQUEST', channel: 1, service: 'FEED', parameters: { contract: 'AUTO' } });
    await c.next(type('CHANNEL_OPENED'));
    c.send({ type: 'FEED_SETUP', channel: 1, acceptAggregationPeriod: 10, acceptDataFormat: 'COMPACT' });
    c.send({ type: 'FEED_SUBSCRIPTION', channel: 1, reset: true, add });
    await c.next(type('FEED_DATA'), 'snapshot');
    return c;
  }
  const quoteData = (c: { frames: { at: number; msg: Ev }[] }, after: number) =>
    c.frames.filter(
      (f) => f.at >= after && f.msg['type'] === 'FEED_DATA' && (f.msg['data'] as unknown[])[0] === 'Quote',
    );

  it('acceptEventFields: values in exactly the requested order, unknown names as "NaN", names matched case-insensitively and echoed as spelled', async () => {
    const c = await rawClient();
    c.send(SETUP);
    c.send({ type: 'AUTH', channel: 0, token: 'quote-token-good' });
    await c.next((m) => m['state'] === 'AUTHORIZED', 'AUTHORIZED');
    c.send({ type: 'CHANNEL_REQUEST', channel: 1, service: 'FEED', parameters: { contract: 'AUTO' } });
    await c.next(type('CHANNEL_OPENED'));
    const asked = {
      Quote: ['askPrice', 'eventSymbol', 'noSuchField', 'BIDPRICE', 'bidprice', 'eventType'],
      Candle: ['eventSymbol', 'vwap', 'Close', 'OPEN', 'eventFlags'],
    };
    c.send({
      type: 'FEED_SETUP',
      channel: 1,
      acceptAggregationPeriod: 10,
      acceptDataFormat: 'COMPACT',
      acceptEventFields: asked,
    });
    await c.next(type('FEED_CONFIG'));
    const from = c.frames.length;
    c.send({
      type: 'FEED_SUBSCRIPTION',
      channel: 1,
      reset: true,
      add: [
        { type: 'Quote', symbol: 'SPY' },
        { type: 'Candle', symbol: 'SPY{=d}', fromTime: Date.parse('2026-11-01T00:00:00Z') },
      ],
    });
    const quote = await c.next(
      (m) => m['type'] === 'FEED_DATA' && (m['data'] as unknown[])[0] === 'Quote',
      'Quote data',
    );
    const q = market.quote('SPY');
    const candle = await c.next(
      (m) => m['type'] === 'FEED_DATA' && (m['data'] as unknown[])[0] === 'Candle',
      'Candle data',
    );
    const cur = currentCandle(market, 'SPY{=d}');
    const fields: Record<string, string[]> = {};
    for (const f of c.frames.slice(from))
      if (f.msg['type'] === 'FEED_CONFIG') Object.assign(fields, f.msg['eventFields']);

    // The layout is the client's, in its spelling; a name asked twice (in any case) counts once, at its first place
    expect(fields['Quote']).toEqual(['askPrice', 'eventSymbol', 'noSuchField', 'BIDPRICE', 'eventType']);
    expect(fields['Candle']).toEqual(['eventSymbol', 'vwap', 'Close', 'OPEN', 'eventFlags']);
    expect(quote['data']).toEqual(['Quote', [q?.ask, 'SPY', 'NaN', q?.bid, 'Quote']]);
    const values = (candle['data'] as [string, unknown[]])[1];
    expect(values.slice(0, 5)).toEqual(['SPY{=d}', 'NaN', cur?.['close'], cur?.['open'], 4]); // today's candle, SNAPSHOT_BEGIN
    expect(typeof cur?.['close']).toBe('number');
    c.close();
  });

  it('remove and reset stop data; add brings a snapshot', async () => {
    const c = await subscribed([
      { type: 'Quote', symbol: 'SPY' },
      { type: 'Quote', symbol: opt.streamer },
    ]);
    c.send({ type: 'FEED_SUBSCRIPTION', channel: 1, remove: [{ type: 'Quote', symbol: opt.streamer }] });
    await sleep(100);
    let t0 = Date.now();
    market.setMarket('SPY', { spot: market.spot('SPY') * 1.002 });
    await waitFor(() => quoteData(c, t0).length > 0, 3000, 'SPY update');
    await sleep(300);
    const symbols = quoteData(c, t0).flatMap((f) =>
      (f.msg['data'] as [string, unknown[]])[1].filter((v) => v === 'SPY' || v === opt.streamer),
    );
    expect(new Set(symbols)).toEqual(new Set(['SPY']));

    c.send({ type: 'FEED_SUBSCRIPTION', channel: 1, reset: true });
    await sleep(100);
    t0 = Date.now();
    market.setMarket('SPY', { spot: market.spot('SPY') * 0.998 });
    await sleep(700);
    expect(quoteData(c, t0)).toEqual([]);

    c.send({ type: 'FEED_SUBSCRIPTION', channel: 1, add: [{ type: 'Quote', symbol: opt.streamer }] });
    await waitFor(() => quoteData(c, t0).length > 0, 3000, 'snapshot after add');
    c.close();
  });

  it('an invalid token gets AUTH_STATE UNAUTHORIZED and no channel', async () => {
    const c = await rawClient();
    c.send(SETUP);
    await c.next(type('AUTH_STATE'));
    c.send({ type: 'AUTH', channel: 0, token: 'wrong' });
    expect(await c.next(type('AUTH_STATE'))).toEqual({ type: 'AUTH_STATE', channel: 0, state: 'UNAUTHORIZED' });
    c.send({ type: 'CHANNEL_REQUEST', channel: 1, service: 'FEED', parameters: { contract: 'AUTO' } });
    expect(await c.next(type('ERROR'))).toMatchObject({ error: 'UNAUTHORIZED' });
    c.close();
  });

  it('duplicatePushes(n) sends the next n FEED_DATA twice', async () => {
    const c = await subscribed([{ type: 'Quote', symbol: 'SPY' }]);
    fast.duplicatePushes(1);
    const t0 = Date.now();
    market.setMarket('SPY', { spot: market.spot('SPY') * 1.001 });
    await waitFor(() => quoteData(c, t0).length >= 2, 3000, 'duplicated push');
    const [a, b] = quoteData(c, t0);
    expect(b?.msg).toEqual(a?.msg);
    const t1 = Date.now();
    market.setMarket('SPY', { spot: market.spot('SPY') * 1.001 });
    await waitFor(() => quoteData(c, t1).length >= 1, 3000, 'next push');
    await sleep(300);
    expect(quoteData(c, t1)).toHaveLength(1);
    c.close();
  });

  it('silence(ms): no frame at all (not even KEEPALIVE) during the window, then a snapshot', async () => {
    const c = await subscribed([{ type: 'Quote', symbol: 'SPY' }]);
    const t0 = Date.now();
    fast.silence(1500); // keepalive would otherwise come every 0.5 s
    market.setMarket('SPY', { spot: market.spot('SPY') * 1.001 });
    await sleep(1350);
    expect(c.frames.filter((f) => f.at >= t0)).toEqual([]);
    await waitFor(() => quoteData(c, t0).length > 0, 2000, 'snapshot after silence');
    c.close();
  });
});
