// Owns `legwork scan` as a user runs it: the real bin/legwork.mjs against an in-process venue — the documented JSON
// shape, the merged top five, condors with four legs, the table, exit codes for bad rule files, a missing --once, bad
// arguments and an unreachable venue, and exiting by itself.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VenueHandle } from '@legwork/venue';
import { loadRules } from '../../src/rules/loader.js';
import { startTestVenue } from '../support/venue.js';
import { ROOT, runLegwork, type CliRun } from '../support/cli.js';

let sim: VenueHandle;
let dir: string;

type Run = CliRun;

/** Runs the CLI against this file's venue. */
const legwork = (args: string[], env: Record<string, string> = {}): Promise<Run> =>
  runLegwork(args, sim.baseUrl, env, 40_000);

const TOP_KEYS = [
  'rank',
  'ruleSet',
  'strategy',
  'underlying',
  'expiration',
  'dte',
  'legs',
  'credit',
  'width',
  'maxLoss',
  'pop',
  'score',
].sort();
const LEG_KEYS = ['symbol', 'action', 'quantity', 'strike', 'right', 'delta'].sort();

interface Top {
  rank: number;
  ruleSet: string;
  strategy: string;
  underlying: string;
  expiration: string;
  dte: number;
  legs: { symbol: string; action: string; quantity: number; strike: number; right: 'C' | 'P'; delta: number }[];
  credit: number;
  width: number | null;
  maxLoss: number | null;
  pop: number;
  score: number;
}
interface ScanJson {
  rulesHash: string;
  underlyings: number;
  candidatesEvaluated: number;
  accepted: number;
  top: Top[];
}

function expectShape(j: ScanJson): void {
  expect(Object.keys(j).sort()).toEqual(['accepted', 'candidatesEvaluated', 'rulesHash', 'top', 'underlyings']);
  expect(j.rulesHash).toMatch(/^[0-9a-f]{64}$/);
  expect(j.top.length).toBeLessThanOrEqual(5);
  expect(j.top.length).toBeLessThanOrEqual(j.accepted);
  j.top.forEach((t, i) => {
    expect(Object.keys(t).sort()).toEqual(TOP_KEYS);
    expect(t.rank).toBe(i + 1);
    if (i > 0) expect(t.score).toBeLessThanOrEqual(j.top[i - 1]!.score);
    for (const l of t.legs) expect(Object.keys(l).sort()).toEqual(LEG_KEYS);
  });
}

/** The shipped iron condor with thresholds the venue's market meets (the shipped file accepts nothing on it). */
function looseCondor(): string {
  const shipped = readFileSync(join(ROOT, 'rules/iron-condor.yaml'), 'utf8');
  const text = shipped
    .replace('credit_to_width: { min: 0.15 }', 'credit_to_width: { min: 0.14 }')
    .replace('package_spread_pct: { max: 0.20 }', 'package_spread_pct: { max: 0.25 }');
  if ((text.match(/min: 0\.14|max: 0\.25|min: 20 }/g) ?? []).length !== 3)
    throw new Error('rules/iron-condor.yaml changed: update looseCondor()');
  return text;
}

beforeAll(async () => {
  sim = await startTestVenue();
  dir = mkdtempSync(join(tmpdir(), 'legwork-scan-'));
});

afterAll(async () => {
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('legwork scan --once', () => {
  it('--json: every enabled rule set in rules/, exactly the documented shape, the combined hash, at most five', async () => {
    const run = await legwork(['scan', '--once', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const j = JSON.parse(run.stdout) as ScanJson;
    expectShape(j);
    const enabled = (await loadRules([join(ROOT, 'rules')])).ruleSets.filter((r) => r.enabled);
    expect(enabled.length).toBeGreaterThan(1);
    const lines = enabled
      .map((r) => `${r.name} ${r.hash}\n`)
      .sort()
      .join('');
    expect(j.rulesHash).toBe(createHash('sha256').update(lines).digest('hex'));
    expect(j.underlyings).toBe(new Set(enabled.flatMap((r) => r.universe.symbols ?? [])).size);
    expect(j.candidatesEvaluated).toBeGreaterThan(0);
    for (const t of j.top) expect(enabled.map((r) => r.name)).toContain(t.ruleSet);
  });

  it('--rules FILE: condors with four legs priced by the venue, the file hash, one per underlying', async () => {
    const file = join(dir, 'condor.yaml');
    const text = looseCondor();
    writeFileSync(file, text);
    const run = await legwork(['scan', '--once', '--rules', file, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const j = JSON.parse(run.stdout) as ScanJson;
    expectShape(j);
    expect(j.rulesHash).toBe(createHash('sha256').update(text).digest('hex'));
    expect(j.underlyings).toBe(3);
    expect(j.top.length).toBeGreaterThan(0);
    expect(new Set(j.top.map((t) => t.underlying)).size).toBe(j.top.length); // maxPerUnderlying: 1
    for (const t of j.top) {
      expect(t).toMatchObject({ ruleSet: 'iron-condor', strategy: 'iron-condor', width: 5 });
      expect(t.legs.map((l) => [l.right, l.action, l.quantity])).toEqual([
        ['P', 'Buy to Open', 1],
        ['P', 'Sell to Open', 1],
        ['C', 'Sell to Open', 1],
        ['C', 'Buy to Open', 1],
      ]);
      expect(t.credit / t.width!).toBeGreaterThanOrEqual(0.14);
      expect(t.maxLoss).toBeCloseTo((5 - t.credit) * 100, 6);
      for (const l of t.legs) expect(l.delta).toBe(sim.market.greeks(l.symbol)!.delta);
    }
  });

  it('prints a ranked table by default', async () => {
    const file = join(dir, 'condor-table.yaml');
    writeFileSync(file, looseCondor());
    const run = await legwork(['scan', '--once', '--rules', file]);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^rank +rule set +strategy +underlying +expiration +dte +strikes +credit +width +max loss +POP +score$/,
    );
    const rows = lines.filter((l) => /^ +\d+ +iron-condor +iron-condor +(SPY|QQQ|IWM) /.test(l));
    expect(rows.length).toBeGreaterThan(0);
    expect(lines.at(-1)).toMatch(
      /^1 rule set, 3 underlyings: \d+ candidates evaluated, \d+ accepted \(rules sha256:[0-9a-f]{12}\)$/,
    );
  });

  it('scans a disabled rule file when it is given explicitly', async () => {
    const run = await legwork(['scan', '--once', '--json', '--rules', 'rules/short-strangle.yaml']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ underlyings: 1 });
  });

  it('a bad rule file: every problem at file:line:col, exit 1, nothing on stdout', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'version: 1\nstrategy: iron-condor\nuniverse: { symbols: [SPY] }\nfilters:\n  pop: { min: 60 }\n  populairty: { min: 3 }\n',
    );
    const run = await legwork(['scan', '--once', '--rules', file, '--json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:6:3: .*unknown fact "populairty"`),
    );
    expect(run.stdout).toBe('');
  });

  it('without --once: exit 2 pointing at `legwork start`', async () => {
    const run = await legwork(['scan', '--json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the scheduled scanner runs with `legwork start`');
    expect(run.stdout).toBe('');
  });

  it.each([[['scan', '--once', '--wide']], [['scan', '--once', '--rules']], [['scan', '--once', 'SPY']]])(
    'refuses %j with exit 2 and the usage',
    async (args) => {
      const run = await legwork(args);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('usage: legwork scan --once [--rules FILE] [--json]');
    },
  );

  it('names the URL and `npm run venue` when the venue is unreachable', async () => {
    const port = await new Promise<number>((done) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const { port: p } = server.address() as { port: number };
        server.close(() => done(p));
      });
    });
    const url = `http://127.0.0.1:${port}`;
    const run = await legwork(['scan', '--once', '--json'], { LEGWORK_VENUE_URL: url });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`cannot reach the broker at ${url}`);
    expect(run.stderr).toContain('npm run venue');
    expect(run.stdout).toBe('');
  });
});
