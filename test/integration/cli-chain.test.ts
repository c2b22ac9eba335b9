// Owns `legwork chain` as a user runs it: the real bin/legwork.mjs against an in-process venue, JSON and table output,
// the DTE filter, exit codes for bad arguments, unknown symbols and an unreachable venue, and exiting by itself.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VenueHandle } from '@legwork/venue';
import { startTestVenue } from '../support/venue.js';
import { runLegwork, type CliRun } from '../support/cli.js';

let sim: VenueHandle;

type Run = CliRun;

/** Runs the CLI against this file's venue. */
const legwork = (args: string[], env: Record<string, string> = {}): Promise<Run> =>
  runLegwork(args, sim.baseUrl, env, 30_000);

interface Row {
  symbol: string;
  streamerSymbol: string;
  expiration: string;
  dte: number;
  strike: number;
  right: 'C' | 'P';
  bid: number | null;
  ask: number | null;
  mid: number | null;
  iv: number | null;
  delta: number | null;
  gamma: number | null;
  theta: number | null;
  vega: number | null;
}

beforeAll(async () => {
  sim = await startTestVenue();
});

afterAll(async () => {
  await sim?.close();
});

describe('legwork chain', () => {
  it('--json --dte 20-50: only JSON on stdout, every listed option in range, bid ≤ mid ≤ ask, delta within bounds', async () => {
    const run = await legwork(['chain', 'SPY', '--dte', '20-50', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const rows = JSON.parse(run.stdout) as Row[];

    const expected = sim.market
      .chain('SPY')!
      .expirations.filter((e) => e.daysToExpiration >= 20 && e.daysToExpiration <= 50);
    expect(expected.length).toBeGreaterThan(0);
    expect(rows).toHaveLength(expected.reduce((n, e) => n + 2 * e.strikes.length, 0));
    expect(new Set(rows.map((r) => r.expiration))).toEqual(new Set(expected.map((e) => e.expirationDate)));

    for (const r of rows) {
      expect(Object.keys(r).sort()).toEqual(
        [
          'ask',
          'bid',
          'delta',
          'dte',
          'expiration',
          'gamma',
          'iv',
          'mid',
          'right',
          'strike',
          'streamerSymbol',
          'symbol',
          'theta',
          'vega',
        ].sort(),
      );
      expect(r.dte).toBeGreaterThanOrEqual(20);
      expect(r.dte).toBeLessThanOrEqual(50);
      expect(r.bid, r.streamerSymbol).not.toBeNull();
      expect(r.ask, r.streamerSymbol).not.toBeNull();
      expect(r.bid!).toBeLessThanOrEqual(r.mid!);
      expect(r.mid!).toBeLessThanOrEqual(r.ask!);
      expect(r.delta, r.streamerSymbol).not.toBeNull();
      if (r.right === 'C') expect(r.delta! >= 0 && r.delta! <= 1, `${r.streamerSymbol} delta ${r.delta}`).toBe(true);
      else expect(r.delta! >= -1 && r.delta! <= 0, `${r.streamerSymbol} delta ${r.delta}`).toBe(true);
      expect(r.iv!).toBeGreaterThan(0);
    }

    // Values are the venue model's
    const sample = rows[Math.floor(rows.length / 2)]!;
    expect(sample.bid).toBe(sim.market.quote(sample.symbol)!.bid);
    expect(sample.delta).toBe(sim.market.greeks(sample.symbol)!.delta);
  });

  it('prints a table: one block per expiration, calls and puts by strike', async () => {
    const run = await legwork(['chain', 'aapl', '--dte', '20-30']);
    expect(run.code, run.stderr).toBe(0);
    const expected = sim.market
      .chain('AAPL')!
      .expirations.filter((e) => e.daysToExpiration >= 20 && e.daysToExpiration <= 30);
    for (const e of expected) expect(run.stdout).toContain(`AAPL ${e.expirationDate}  ${e.daysToExpiration} DTE`);
    expect(run.stdout.match(/^AAPL \d{4}-\d{2}-\d{2}/gm)).toHaveLength(expected.length);
    expect(run.stdout).toMatch(/CALLS/);
    expect(run.stdout).toMatch(/PUTS/);
    expect(run.stdout).toMatch(/bid +ask +mid +iv% +delta +gamma +theta +vega +strike/);
    const strikeLines = run.stdout.split('\n').filter((l) => /^\s+[\d.]+ /.test(l));
    expect(strikeLines).toHaveLength(expected.reduce((n, e) => n + e.strikes.length, 0));
  });

  it.each([
    [['chain']],
    [['chain', 'SPY', 'QQQ']],
    [['chain', 'SPY', '--dte']],
    [['chain', 'SPY', '--dte', '50-20']],
    [['chain', 'SPY', '--dte', 'soon']],
    [['chain', 'SPY', '--wide']],
  ])('refuses bad arguments %j with exit 2 and the usage', async (args) => {
    const run = await legwork(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('usage: legwork chain SYMBOL [--dte MIN-MAX] [--json]');
    expect(run.stdout).toBe('');
  });

  it('exits 1 with a clear message for an unknown symbol', async () => {
    const run = await legwork(['chain', 'XYZZ', '--json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no option chain for XYZZ/);
    expect(run.stdout).toBe('');
  });

  it('names the URL and `npm run venue` when the venue is unreachable', async () => {
    const port = await new Promise<number>((done) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const { port: p } = server.address() as { port: number };
        server.close(() => done(p));
      });
    });
    const url = `http://127.0.0.1:${port}`;
    const run = await legwork(['chain', 'SPY'], { LEGWORK_VENUE_URL: url });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`cannot reach the broker at ${url}`);
    expect(run.stderr).toContain('npm run venue');
    expect(run.stdout).toBe('');
  });
});
