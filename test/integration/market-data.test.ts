// Owns the end-to-end check of the MarketData adapter over the real SDK against the local venue: batching, caching,
// DXLink snapshots equal to the market model, deadlines, overlapping snapshots, reconnects and a clean close.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { VenueHandle } from '@legwork/venue';
import { createTastytradeClient } from '../../src/broker/tastytrade/client.js';
import {
  createTastytradeMarketData,
  type TastytradeMarketData,
  type TastytradeMarketDataOptions,
} from '../../src/broker/tastytrade/market-data.js';
import { loadConfig } from '../../src/config/env.js';
import type { MarketSnapshot } from '../../src/domain/market.js';
import { startTestVenue } from '../support/venue.js';
import { waitUntil } from '../support/wait-until.js';

const ROOT = resolve(import.meta.dirname, '../..');
let sim: VenueHandle;
const opened: TastytradeMarketData[] = [];
/** Every WebSocket the DXLink client creates in this file, to check which ones are still open. */
const sockets: WebSocket[] = [];
const previousWebSocket = (globalThis as { WebSocket?: unknown }).WebSocket;

function marketData(options: Partial<TastytradeMarketDataOptions> = {}, baseUrl = sim.baseUrl): TastytradeMarketData {
  const client = createTastytradeClient(loadConfig({ LEGWORK_VENUE_URL: baseUrl }).broker);
  const md = createTastytradeMarketData({ client, ...options });
  opened.push(md);
  return md;
}

/** Option streamer symbols near the money, with their OCC symbols, from the venue's own chain. */
function options(underlying: string, count: number, minDte = 14): { occ: string; streamer: string }[] {
  const chain = sim.market.chain(underlying)!;
  const spot = sim.market.spot(underlying);
  const exp = chain.expirations.find((e) => e.daysToExpiration >= minDte)!;
  return [...exp.strikes]
    .sort((a, b) => Math.abs(a.strike - spot) - Math.abs(b.strike - spot))
    .slice(0, Math.ceil(count / 2))
    .flatMap((s) => [
      { occ: s.callSymbol, streamer: s.callStreamerSymbol },
      { occ: s.putSymbol, streamer: s.putStreamerSymbol },
    ])
    .slice(0, count);
}

function expectModelValues(snap: MarketSnapshot, list: { occ: string; streamer: string }[]): void {
  for (const { occ, streamer } of list) {
    const q = sim.market.quote(occ)!;
    const g = sim.market.greeks(occ)!;
    expect(snap.quotes.get(streamer), streamer).toMatchObject({
      streamerSymbol: streamer,
      bid: q.bid,
      ask: q.ask,
      bidSize: q.bidSize,
      askSize: q.askSize,
    });
    expect(snap.greeks.get(streamer), streamer).toMatchObject({
      iv: g.volatility,
      delta: g.delta,
      gamma: g.gamma,
      theta: g.theta,
      vega: g.vega,
      rho: g.rho,
      price: g.price,
    });
  }
}

/** A pass-through HTTP proxy in front of the venue that records every request line (REST only). */
async function recordingProxy(target: string): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const upstream = http.request(
      new URL(req.url ?? '/', target),
      { method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const openSockets = (from = 0) => sockets.slice(from).filter((s) => s.readyState !== WebSocket.CLOSED);

beforeAll(async () => {
  (globalThis as { WebSocket?: unknown }).WebSocket = class TrackedWebSocket extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      sockets.push(this);
    }
  };
  sim = await startTestVenue();
});

afterEach(async () => {
  for (const md of opened.splice(0)) await md.close();
});

afterAll(async () => {
  await sim?.close();
  (globalThis as { WebSocket?: unknown }).WebSocket = previousWebSocket;
});

describe('market metrics and chains (REST)', () => {
  it('reads metrics for the whole default universe in batched comma-separated calls, merged, unknown symbols absent', async () => {
    const proxy = await recordingProxy(sim.baseUrl);
    try {
      const universe = sim.market.underlyings();
      expect(universe.length).toBe(8);
      const md = marketData({ metricsBatchSize: 3 }, proxy.url);
      const metrics = await md.metrics([...universe, 'NOPE']);

      const calls = proxy.requests.filter((r) => r.startsWith('GET /market-metrics'));
      expect(calls).toHaveLength(3); // 9 symbols in batches of 3
      const asked = calls.map((c) =>
        decodeURIComponent(new URL(c.slice(4), 'http://x').searchParams.get('symbols') ?? '').split(','),
      );
      for (const batch of asked) expect(batch.length).toBeLessThanOrEqual(3);
      expect(asked.flat().sort()).toEqual([...universe, 'NOPE'].sort());
      expect(calls.every((c) => !c.includes('symbols%5B%5D') && !c.includes('symbols[]'))).toBe(true);

      expect([...metrics.keys()].sort()).toEqual([...universe].sort());
      for (const u of universe) {
        const truth = sim.market.metrics(u)!;
        const m = metrics.get(u)!;
        expect(m.ivRank).toBeCloseTo(truth.ivRank, 6);
        expect(m.ivIndex).toBeCloseTo(truth.ivIndex, 6);
        expect(m.iv30).toBeCloseTo(truth.iv30, 2);
        expect(m.liquidityRating).toBe(truth.liquidityRating);
      }
    } finally {
      await proxy.close();
    }
  });

  it('serves a nested chain from cache until the TTL, sharing one call among concurrent requests', async () => {
    const proxy = await recordingProxy(sim.baseUrl);
    try {
      let now = 1_000_000;
      const md = marketData({ chainTtlMs: 60_000, now: () => now }, proxy.url);
      const chainCalls = (sym: string) => proxy.requests.filter((r) => r === `GET /option-chains/${sym}/nested`).length;

      const [a, b] = await Promise.all([md.chain('SPY'), md.chain('spy')]);
      expect(chainCalls('SPY')).toBe(1);
      expect(b).toBe(a);
      const truth = sim.market.chain('SPY')!;
      expect(a.underlying).toBe('SPY');
      expect(a.expirations.map((e) => e.expiration)).toEqual(truth.expirations.map((e) => e.expirationDate));
      expect(a.expirations[0]!.strikes.map((s) => s.callStreamerSymbol)).toEqual(
        truth.expirations[0]!.strikes.map((s) => s.callStreamerSymbol),
      );

      now += 59_000;
      await md.chain('SPY');
      expect(chainCalls('SPY')).toBe(1);
      now += 2_000;
      await md.chain('SPY');
      expect(chainCalls('SPY')).toBe(2);

      await expect(md.chain('XYZZ')).rejects.toMatchObject({
        name: 'BrokerError',
        kind: 'rejected',
        code: 'unknown_symbol',
      });
      await expect(md.chain('XYZZ')).rejects.toMatchObject({ code: 'unknown_symbol' });
      expect(chainCalls('XYZZ')).toBe(2); // failures are not cached
    } finally {
      await proxy.close();
    }
  });
});

describe('DXLink snapshots', () => {
  it('returns quotes and greeks equal to the venue model; equities get a quote and no greeks', async () => {
    const md = marketData();
    const list = [...options('SPY', 20), ...options('AAPL', 10)];
    const snap = await md.snapshot(['SPY', ...list.map((o) => o.streamer)], { timeoutMs: 5_000 });
    expect(snap.missing).toEqual([]);
    expectModelValues(snap, list);
    expect(snap.quotes.get('SPY')).toMatchObject({
      bid: sim.market.quote('SPY')!.bid,
      ask: sim.market.quote('SPY')!.ask,
    });
    expect(snap.greeks.has('SPY')).toBe(false);

    const quotesOnly = await md.snapshot(
      list.map((o) => o.streamer),
      { greeks: false },
    );
    expect(quotesOnly.missing).toEqual([]);
    expect(quotesOnly.greeks.size).toBe(0);
    expect(quotesOnly.quotes.size).toBe(list.length);
  });

  it('lists symbols without data at the deadline and returns the rest', async () => {
    const md = marketData();
    const [good] = options('QQQ', 1);
    const bogus = ['.QQQ261218C99999', 'NOPE'];
    const t0 = Date.now();
    const snap = await md.snapshot([good!.streamer, ...bogus], { timeoutMs: 800 });
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(750);
    expect(elapsed).toBeLessThan(3_000);
    expect(snap.missing.sort()).toEqual([...bogus].sort());
    expectModelValues(snap, [good!]);
  });

  it('keeps shared subscriptions alive across overlapping concurrent snapshots (reference counts)', async () => {
    const md = marketData();
    const all = options('IWM', 30);
    const a = all.slice(0, 20);
    const b = all.slice(10, 30);
    const shared = all.slice(10, 20);

    // A waits for its deadline (one symbol never arrives) while B, which overlaps it, finishes and releases
    const slow = md.snapshot([...a.map((o) => o.streamer), '.IWM261218C99999'], { timeoutMs: 2_000 });
    const fast = await md.snapshot(b.map((o) => o.streamer));
    expect(fast.missing).toEqual([]);
    expectModelValues(fast, b);

    // The shared symbols must still be subscribed for A: a market move reaches A after B has released them
    const spot = sim.market.spot('IWM');
    expect(sim.control.moveMarket('IWM', { spot: spot * 1.02 }).ok).toBe(true);
    const moved = shared[0]!;
    const snapA = await slow;
    expect(snapA.missing).toEqual(['.IWM261218C99999']);
    expect(snapA.quotes.get(moved.streamer)?.bid).toBe(sim.market.quote(moved.occ)!.bid);
    expect(snapA.quotes.get(moved.streamer)?.bid).not.toBe(fast.quotes.get(moved.streamer)?.bid);
    expectModelValues(snapA, a);

    // Everything released: the same symbols can be snapshotted again
    const again = await Promise.all([
      md.snapshot(a.map((o) => o.streamer)),
      md.snapshot(
        b.map((o) => o.streamer),
        { greeks: false },
      ),
    ]);
    expect(again[0].missing).toEqual([]);
    expect(again[1].missing).toEqual([]);
    expectModelValues(again[0], a);
  });

  it("reports a quiet quote on a live feed as current as of the feed's latest events, and lets it age when nothing arrives", async () => {
    // Broker time that can jump (as the venue's clock does over a night); the venue's own market stays frozen
    let offset = 0;
    const md = marketData({ now: () => Date.now() + offset });
    const [quiet] = options('QQQ', 1);
    const [moving] = options('SPY', 1);
    // A long snapshot holds both subscriptions (one symbol never arrives) while the others look at the cache
    const holder = md.snapshot([quiet!.streamer, moving!.streamer, '.QQQ261218C99999'], { timeoutMs: 4_000 });
    const before = await md.snapshot([quiet!.streamer, moving!.streamer]);
    expect(before.missing).toEqual([]);
    const firstSeen = before.quotes.get(quiet!.streamer)!.receivedAt;

    offset += 3_600_000; // an hour of broker time passes in a moment
    // Nothing arrived since: the cached quote is an hour old, as it should be
    const silent = await md.snapshot([quiet!.streamer]);
    expect(silent.quotes.get(quiet!.streamer)!.receivedAt).toBe(firstSeen);

    // Another symbol moves on the same connection: the quiet one is known unchanged as of that event
    const spot = sim.market.spot('SPY');
    expect(sim.control.moveMarket('SPY', { spot: spot * 1.01 }).ok).toBe(true);
    await waitUntil(
      async () =>
        (await md.snapshot([moving!.streamer])).quotes.get(moving!.streamer)!.bid ===
        sim.market.quote(moving!.occ)!.bid,
      { what: 'the SPY move delivered' },
    );
    const after = await md.snapshot([quiet!.streamer]);
    const q = after.quotes.get(quiet!.streamer)!;
    expect(q.bid).toBe(before.quotes.get(quiet!.streamer)!.bid); // unchanged: never re-sent by the feed
    expect(q.receivedAt).toBeGreaterThanOrEqual(firstSeen + 3_600_000);
    expect(Date.now() + offset - q.receivedAt).toBeLessThan(5_000);
    await holder;
  });

  it('rides out dropStreams with the DXLink client reconnecting by itself and resubscribing', async () => {
    const md = marketData({ silenceMs: 20_000 }); // long enough that only the client's own reconnect can help
    const first = options('MSFT', 4);
    expect((await md.snapshot(first.map((o) => o.streamer))).missing).toEqual([]);
    const from = sockets.length - 1;

    const list = options('MSFT', 12, 30);
    const pending = md.snapshot(
      list.map((o) => o.streamer),
      { timeoutMs: 10_000 },
    );
    sim.control.injectFault({ kind: 'dropStreams' }); // before the subscription batch (100 ms) leaves
    const snap = await pending;
    expect(snap.missing).toEqual([]);
    expectModelValues(snap, list);
    expect(md.feedStats()).toMatchObject({ drops: 1, opens: 1, silences: 0, state: 'connected' });
    await waitUntil(() => openSockets(from).length === 1, { what: 'only the reconnected socket open' });
  });

  it('reopens the connection when the feed stays silent longer than silenceMs, and closes the silent socket', async () => {
    const md = marketData({ silenceMs: 400 });
    expect((await md.snapshot(options('NVDA', 4).map((o) => o.streamer))).missing).toEqual([]);
    const from = sockets.length - 1;
    expect(md.feedStats().opens).toBe(1);

    sim.control.injectFault({ kind: 'silentStreams', ms: 1_500 });
    const list = options('NVDA', 10, 30);
    const snap = await md.snapshot(
      list.map((o) => o.streamer),
      { timeoutMs: 8_000 },
    );
    expect(snap.missing).toEqual([]);
    expectModelValues(snap, list);
    const stats = md.feedStats();
    expect(stats.silences).toBeGreaterThanOrEqual(1);
    expect(stats.opens).toBeGreaterThanOrEqual(2);
    expect(sockets[from]!.readyState).toBe(WebSocket.CLOSED);
    await waitUntil(() => openSockets(from).length === 1, { what: 'only the newest socket open' });

    // No subscriptions, no watchdog: an idle connection is not reopened however quiet it is
    const opens = md.feedStats().opens;
    await new Promise((r) => setTimeout(r, 1_000));
    expect(md.feedStats().opens).toBe(opens);
  });
});

describe('daily closes (DXLink candles)', () => {
  it('gives the last 60 trading days before today for SPY and QQQ, oldest first, weekdays only, no NYSE holidays, equal to the venue', async () => {
    const md = marketData({ now: () => sim.clock.now() });
    const closes = await md.dailyCloses(['SPY', 'QQQ'], 60);
    expect([...closes.keys()]).toEqual(['SPY', 'QQQ']);
    const holidays = ['2026-09-07', '2026-11-26']; // Labor Day falls inside the window, Thanksgiving after it
    for (const symbol of ['SPY', 'QQQ']) {
      const list = closes.get(symbol)!;
      expect(list).toHaveLength(60);
      const dates = list.map((c) => c.date);
      expect(dates).toEqual([...dates].sort());
      expect(new Set(dates).size).toBe(60);
      for (const d of dates) expect([1, 2, 3, 4, 5]).toContain(new Date(`${d}T12:00:00Z`).getUTCDay());
      for (const h of holidays) expect(dates).not.toContain(h);
      expect(dates[0]! < '2026-09-07').toBe(true);
      // Today (Tuesday Nov 17, in session) is left out: the last close is Monday's, the venue's previous close
      expect(dates.at(-1)).toBe('2026-11-16');
      expect(list.at(-1)!.close).toBe(sim.market.summary(symbol)!.prevDayClose);
      const truth = sim.market.dailyBars(symbol, dates[0]!)!.filter((b) => b.final);
      expect(list).toEqual(truth.map((b) => ({ date: b.date, close: b.close })));
    }
  });

  it('answers a smaller window with the tail of the larger one and leaves an unknown symbol out at its deadline', async () => {
    const md = marketData({ now: () => sim.clock.now(), candleTimeoutMs: 300 });
    const first = await md.dailyCloses(['SPY'], 20);
    const again = await md.dailyCloses(['SPY', 'NOPE'], 10);
    expect(again.get('SPY')).toEqual(first.get('SPY')!.slice(-10));
    expect(again.has('NOPE')).toBe(false);
  });
});

describe('close()', () => {
  it('closes the DXLink socket and resolves a pending snapshot with what it has', async () => {
    const md = marketData();
    const from = sockets.length;
    const [good] = options('TSLA', 1);
    const pending = md.snapshot([good!.streamer, 'NOPE'], { timeoutMs: 30_000 });
    await md.snapshot([good!.streamer]); // resolves once the shared subscription has delivered
    await md.close();
    const snap = await pending;
    expect(snap.missing).toEqual(['NOPE']);
    await waitUntil(() => openSockets(from).length === 0, { what: 'every DXLink socket closed' });
    await expect(md.snapshot([good!.streamer])).rejects.toThrow(/closed/);
  });

  it('leaves nothing running: a process that used it exits by itself', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'legwork-md-'));
    const script = join(dir, 'close.mts');
    writeFileSync(
      script,
      `import { startTestVenue } from ${JSON.stringify(join(ROOT, 'test/support/venue.ts'))};
import { createTastytradeClient } from ${JSON.stringify(join(ROOT, 'src/broker/tastytrade/client.ts'))};
import { createTastytradeMarketData } from ${JSON.stringify(join(ROOT, 'src/broker/tastytrade/market-data.ts'))};
import { loadConfig } from ${JSON.stringify(join(ROOT, 'src/config/env.ts'))};
const sim = await startTestVenue();
const md = createTastytradeMarketData({ client: createTastytradeClient(loadConfig({ LEGWORK_VENUE_URL: sim.baseUrl }).broker), silenceMs: 500 });
const chain = await md.chain('SPY');
const symbols = chain.expirations[2].strikes.slice(0, 20).flatMap((s) => [s.callStreamerSymbol, s.putStreamerSymbol]);
const snap = await md.snapshot([...symbols, 'NOPE'], { timeoutMs: 1500 });
await md.metrics(['SPY', 'QQQ']);
await md.close();
await sim.close();
console.log(JSON.stringify({ quotes: snap.quotes.size, missing: snap.missing }));
`,
    );
    const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), [script], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let [out, err, printedAt] = ['', '', 0];
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      printedAt ||= Date.now();
    });
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const kill = setTimeout(() => child.kill('SIGKILL'), 20_000); // a process that does not exit fails below
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    clearTimeout(kill);
    rmSync(dir, { recursive: true, force: true });
    expect(code, `did not exit cleanly by itself: ${err}`).toBe(0);
    expect(JSON.parse(out)).toEqual({ quotes: 40, missing: ['NOPE'] });
    expect(Date.now() - printedAt).toBeLessThan(2_000);
  });
});
