// Owns what a chaos campaign does, decided from its seed alone: the rule sets it trades with and the timed faults it
// injects. Pure: the same seed always gives the same plan (that is what "reproduce by seed" rests on).
import { createRng, type Rng } from '@legwork/venue';

export const FAULT_KINDS = [
  'reject', // the next order is rejected (a leg, a package, a closing order: whichever comes next)
  'never', // the next order never fills (the executor must cancel it at its deadline)
  'partial', // the next order fills part of its units, the rest never
  'delayed', // the next order fills after a delay
  'http500AfterCreate', // the next order POST creates the order and answers 500
  'rateLimit', // a burst of 429s on every route
  'hang', // the next order POST is processed, its response held back
  'dropStreams', // account streamer and DXLink sockets closed abruptly
  'silentStreams', // sockets open, nothing sent
  'duplicatePushes', // streamer notifications sent twice
  'reorderPushes', // streamer notifications swapped
  'marketJump', // an underlying's spot jumps (exits fire)
  'kill9', // SIGKILL of a worker process, restarted after a pause
  'redisRestart', // Redis crashes (SIGKILL) and comes back
  'postgresRestart', // PostgreSQL crashes (immediate stop) and comes back
  'marketClose', // the venue's clock jumps past the close; `ms` later it jumps to the next open (a night in seconds),
  //                with a market jump while closed so stop-losses become due when nothing can be sent
  'halt', // `legwork halt`, then `legwork resume` `ms` later
  'haltFlatten', // `legwork halt --flatten`, then `legwork resume` `ms` later (refused while anything is broken)
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const UNDERLYINGS = ['SPY', 'QQQ', 'IWM', 'AAPL', 'MSFT', 'NVDA', 'TSLA', 'AMZN'] as const;
export const PROCESSES = [
  { name: 'scan-exit-reconcile', roles: 'scan,exit,reconcile' },
  { name: 'execute-monitor', roles: 'execute,monitor' },
  { name: 'execute', roles: 'execute' },
] as const;

export interface FaultEvent {
  atMs: number;
  kind: FaultKind;
  underlying?: string;
  /** ms for hang/silentStreams/delayed, down time for kill9 and restarts, closed/halted time for marketClose/halts. */
  ms?: number;
  count?: number;
  /** Spot multiplier for marketJump (and the jump while closed of marketClose). */
  factor?: number;
  process?: string;
}

export interface RulePlan {
  file: string;
  strategy: 'iron-condor' | 'put-credit-spread' | 'call-credit-spread' | 'iron-butterfly';
  symbols: string[];
  mode: 'combo' | 'legged';
  partialFill: 'keep' | 'close';
  quantity: number;
}

export interface CampaignPlan {
  seed: number;
  tradingMs: number;
  /** Default fill behaviour for the whole trading window. */
  defaultFill: { behavior: 'immediate' } | { behavior: 'delayed'; delayMs: number };
  rules: RulePlan[];
  /** Extra scans by hand, besides the schedulers (ms into the window). */
  scansAtMs: number[];
  events: FaultEvent[];
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[rng.int(items.length)]!;
const between = (rng: Rng, lo: number, hi: number): number => lo + rng.int(hi - lo + 1);

function ruleSets(rng: Rng): RulePlan[] {
  const shuffled = [...UNDERLYINGS].sort(() => rng.next() - 0.5);
  const strategies = ['iron-condor', 'put-credit-spread', 'call-credit-spread', 'iron-butterfly'] as const;
  // Four rule sets over two underlyings each, plus the next set's first one: every underlying is traded by one or two
  // rule sets, so "one structure per underlying" is contested across rule sets; at least one legged and one combo
  return strategies.map((strategy, i) => ({
    file: `chaos-${strategy}.yaml`,
    strategy,
    symbols: [...shuffled.slice(i * 2, i * 2 + 2), shuffled[(i * 2 + 2) % shuffled.length]!],
    mode: i === 0 ? 'legged' : i === 1 ? 'combo' : pick(rng, ['combo', 'legged'] as const),
    partialFill: pick(rng, ['keep', 'close'] as const),
    quantity: between(rng, 1, 3),
  }));
}

function faultEvent(rng: Rng, kind: FaultKind, atMs: number): FaultEvent {
  switch (kind) {
    case 'delayed':
      return { atMs, kind, ms: between(rng, 300, 4000) };
    case 'rateLimit':
      return { atMs, kind, count: between(rng, 3, 12) };
    case 'hang':
      return { atMs, kind, ms: between(rng, 1000, 6000) };
    case 'silentStreams':
      return { atMs, kind, ms: between(rng, 1000, 8000) };
    case 'duplicatePushes':
    case 'reorderPushes':
      return { atMs, kind, count: between(rng, 1, 4) };
    case 'marketJump':
      return {
        atMs,
        kind,
        underlying: pick(rng, UNDERLYINGS),
        factor: pick(rng, [-1, 1]) * (0.03 + rng.next() * 0.07) + 1,
      };
    case 'kill9':
      return { atMs, kind, process: pick(rng, PROCESSES).name, ms: between(rng, 100, 2500) };
    case 'redisRestart':
    case 'postgresRestart':
      return { atMs, kind, ms: between(rng, 200, 1500) };
    case 'marketClose':
      return {
        atMs,
        kind,
        ms: between(rng, 1500, 4000),
        underlying: pick(rng, UNDERLYINGS),
        factor: pick(rng, [-1, 1]) * (0.04 + rng.next() * 0.06) + 1,
      };
    case 'halt':
    case 'haltFlatten':
      return { atMs, kind, ms: between(rng, 1000, 3000) };
    default:
      return { atMs, kind };
  }
}

/**
 * One campaign. `index` guarantees coverage over a set: campaign i always includes fault kind i mod 18, so any 18
 * consecutive campaigns inject every kind at least once; the rest is random (2–3 order faults, 3–7 others, and with
 * some probability a closed-market period and a halt). At most one restart of each service and one night each.
 */
export function planCampaign(seed: number, index = 0, tradingMs = 12_000): CampaignPlan {
  const rng = createRng(seed);
  const rules = ruleSets(rng.fork('rules'));
  const f = rng.fork('faults');
  const at = () => between(f, 500, tradingMs - 500);
  const kinds: FaultKind[] = [FAULT_KINDS[index % FAULT_KINDS.length]!];
  const orderFaults: FaultKind[] = ['reject', 'never', 'partial', 'delayed', 'http500AfterCreate', 'hang', 'reject'];
  const others: FaultKind[] = [
    'rateLimit',
    'dropStreams',
    'silentStreams',
    'duplicatePushes',
    'reorderPushes',
    'marketJump',
    'marketJump',
    'kill9',
    'kill9',
  ];
  for (let i = between(f, 2, 4); i > 0; i--) kinds.push(pick(f, orderFaults));
  for (let i = between(f, 3, 7); i > 0; i--) kinds.push(pick(f, others));
  if (f.next() < 0.25) kinds.push('redisRestart');
  if (f.next() < 0.25) kinds.push('postgresRestart');
  if (f.next() < 0.35) kinds.push('marketClose');
  if (f.next() < 0.3) kinds.push(pick(f, ['halt', 'haltFlatten'] as const));
  const once: ReadonlySet<FaultKind> = new Set(['redisRestart', 'postgresRestart', 'marketClose']);
  const seen = new Set<FaultKind>();
  const unique = kinds.filter((k) => (once.has(k) ? !seen.has(k) && seen.add(k) : true));
  const events = unique.map((k) => faultEvent(f, k, at())).sort((a, b) => a.atMs - b.atMs);
  const s = rng.fork('scans');
  const scansAtMs = [0, between(s, 2000, tradingMs - 1000), between(s, 2000, tradingMs - 1000)].sort((a, b) => a - b);
  const defaultFill =
    s.next() < 0.5
      ? ({ behavior: 'immediate' } as const)
      : ({ behavior: 'delayed', delayMs: between(s, 200, 2500) } as const);
  return { seed, tradingMs, defaultFill, rules, scansAtMs, events };
}
