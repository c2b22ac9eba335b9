// Owns scanning ONE underlying for one rule set: chain → the option symbols worth a snapshot (DTE window × strike band)
// → quotes and greeks → StrategyInput → the strategy's candidates → the compiled filters, with a trace per finalist.
// A failure of this underlying becomes `skipped` with the reason, never a throw (except a fatal broker error).
import { isBrokerError } from '../../domain/broker-error.js';
import { dateOfDay, dayNumber, nyDate } from '../../domain/dates.js';
import type {
  ChainExpiration,
  MarketMetrics,
  MarketSnapshot,
  OptionChain,
  QuoteSnapshot,
} from '../../domain/market.js';
import type { CompiledRule, Facts } from '../../rules/compile.js';
import { traceCandidate, type Trace } from '../../rules/trace.js';
import type { RuleSet } from '../../rules/schema.js';
import { getStrategy } from '../../strategies/index.js';
import { normCdf } from '../../strategies/probability.js';
import type { Candidate, StrategyInput } from '../../strategies/types.js';
import type { MarketData } from '../ports.js';

export interface UnderlyingScan {
  underlying: string;
  /** Every candidate the strategy built (passing or not). */
  evaluated: number;
  passed: { candidate: Candidate; trace: Trace }[];
  /** Why this underlying produced nothing (unknown symbol, no data, no expiration in the window, …). */
  skipped?: string;
  underlyingPrice?: number;
  /** `quote`: the underlying's mid; `chain-middle`: no quote, the middle strike of the chain stood in. */
  priceSource?: 'quote' | 'chain-middle';
  /** Option symbols snapshotted, and how many of them had no complete data by the deadline. */
  optionsRequested?: number;
  optionsMissing?: number;
}

export interface ScanUnderlyingDeps {
  marketData: MarketData;
  /**
   * Today in New York (YYYY-MM-DD), as the broker counts days to expiration. Default: read off the chain
   * (expiration date minus its days-to-expiration), so a venue on a replayed clock and the real broker both work.
   */
  today?: string;
  /** Broker time when the scan started (the app's clock): the date when neither `today` nor the chain gives one. */
  now?: number;
  /** Deadline of the option snapshot (default 5000 ms); the underlying's first quote waits at most 2000 ms of it. */
  snapshotTimeoutMs?: number;
}

export interface DteWindow {
  min: number;
  max: number;
}

export interface SelectionOptions {
  /** Half-width of the strike band in standard deviations of ln(S_T/S) at the guessed IV (default 3.5). */
  stdDevs?: number;
  /** Strikes kept on each side of spot whatever the band (default 4). */
  minStrikesEachSide?: number;
  /** Points added beyond the band on both sides, e.g. wings by points (default 0). */
  extraPoints?: number;
  /** Days added to both ends of the DTE window (default 1). */
  marginDays?: number;
  /** Rights to snapshot (default both). */
  rights?: readonly ('C' | 'P')[];
}

/** IV used when nothing better is known: wide on purpose (a wider band costs subscriptions, never candidates). */
export const FALLBACK_IV = 0.6;
const FIRST_QUOTE_MAX_MS = 2_000;

const ordered = (e: ChainExpiration) =>
  e.strikes.every((s, i) => i === 0 || s.strike > e.strikes[i - 1]!.strike)
    ? e.strikes
    : [...e.strikes].sort((a, b) => a.strike - b.strike);

/**
 * Streamer symbols of the options a scan needs: expirations whose DTE (from `today`) lies in the window ± margin, and
 * per expiration the strikes within spot·exp(±k·σ·√T) (± extraPoints), at least `minStrikesEachSide` each side. Pure.
 */
export function optionSymbolsToSnapshot(
  chain: OptionChain,
  underlyingPrice: number,
  ivGuess: number | ((expiration: string) => number | null | undefined),
  dteWindow: DteWindow,
  today: string,
  options: SelectionOptions = {},
): string[] {
  const k = options.stdDevs ?? 3.5;
  const minEach = options.minStrikesEachSide ?? 4;
  const extra = options.extraPoints ?? 0;
  const margin = options.marginDays ?? 1;
  const rights = options.rights ?? ['C', 'P'];
  const t0 = dayNumber(today);
  const out: string[] = [];
  for (const e of chain.expirations) {
    const dte = dayNumber(e.expiration) - t0;
    if (!(dte >= dteWindow.min - margin && dte <= dteWindow.max + margin)) continue;
    const guess = typeof ivGuess === 'number' ? ivGuess : ivGuess(e.expiration);
    const iv = guess != null && Number.isFinite(guess) && guess > 0 ? guess : FALLBACK_IV;
    const sd = iv * Math.sqrt(Math.max(dte, 0.5) / 365);
    const lo = underlyingPrice * Math.exp(-k * sd) - extra;
    const hi = underlyingPrice * Math.exp(k * sd) + extra;
    const strikes = ordered(e);
    const above = strikes.findIndex((s) => s.strike >= underlyingPrice);
    const split = above < 0 ? strikes.length : above; // strikes[split] is the first at or above spot
    for (let i = 0; i < strikes.length; i++) {
      const s = strikes[i]!;
      const near = i < split ? split - i <= minEach : i - split < minEach;
      if (!near && (s.strike < lo || s.strike > hi)) continue;
      if (rights.includes('C')) out.push(s.callStreamerSymbol);
      if (rights.includes('P')) out.push(s.putStreamerSymbol);
    }
  }
  return out;
}

/** The StrategyInput of one underlying (pure; the chain is passed whole, legs without data are skipped by strategies). */
export function buildStrategyInput(a: StrategyInput): StrategyInput {
  return {
    underlying: a.underlying,
    underlyingPrice: a.underlyingPrice,
    chain: a.chain,
    snapshot: a.snapshot,
    metrics: a.metrics,
    today: a.today,
  };
}

/** Mid of a quote; one side when only one is there; null without a positive price. */
export function quoteMid(q: QuoteSnapshot | undefined): number | null {
  const ok = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0;
  if (!q) return null;
  if (ok(q.bid) && ok(q.ask)) return (q.bid + q.ask) / 2;
  return ok(q.bid) ? q.bid : ok(q.ask) ? q.ask : null;
}

/** The middle strike of the first expiration in the window (else the nearest expiration); null for an empty chain. */
export function chainMiddleStrike(chain: OptionChain, dteWindow: DteWindow, today: string): number | null {
  const t0 = dayNumber(today);
  const inWindow = chain.expirations.find((e) => dayNumber(e.expiration) - t0 >= dteWindow.min && e.strikes.length > 0);
  const e = inWindow ?? chain.expirations.find((x) => x.strikes.length > 0);
  if (!e) return null;
  const strikes = ordered(e);
  return strikes[Math.floor((strikes.length - 1) / 2)]!.strike;
}

/** Today as the broker counts it: the most common `expiration − daysToExpiration` of the chain; null when empty. */
export function todayFromChain(chain: OptionChain): string | null {
  const votes = new Map<string, number>();
  for (const e of chain.expirations) {
    const day = dateOfDay(dayNumber(e.expiration) - e.daysToExpiration);
    votes.set(day, (votes.get(day) ?? 0) + 1);
  }
  return [...votes].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null;
}

interface StrategyShape {
  dte?: DteWindow;
  shortDelta?: { target: number; tolerance: number };
  putDelta?: { target: number; tolerance: number };
  callDelta?: { target: number; tolerance: number };
  wings?: { points?: number; delta?: number; tolerance?: number };
}

/** |delta| → standard deviations out under a flat vol: Φ⁻¹(1 − d), by bisection. */
function zForDelta(d: number): number {
  let lo = 0;
  let hi = 10;
  for (let i = 0; i < 50; i++) {
    const mid = (lo + hi) / 2;
    if (1 - normCdf(mid) > d) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * How a rule set's params size the selection: its DTE window; the band reaches 2.5× the flat-vol distance of the
 * smallest |delta| it targets (skew puts low deltas farther out), at least 3.5 sd; wings by points widen it by the points.
 */
export function selectionFor(ruleSet: Pick<RuleSet, 'strategy' | 'params'>): { dte: DteWindow } & SelectionOptions {
  const p = (ruleSet.params ?? {}) as StrategyShape;
  const dte = p.dte ?? { min: 30, max: 60 };
  const bands = [p.shortDelta, p.putDelta, p.callDelta].filter((b) => b !== undefined);
  const deltas = bands.map((b) => b.target - b.tolerance);
  if (p.wings?.delta !== undefined) deltas.push(p.wings.delta - (p.wings.tolerance ?? 0.03));
  const dMin = Math.max(0.005, Math.min(0.5, ...deltas));
  const rights: ('C' | 'P')[] =
    ruleSet.strategy === 'put-credit-spread' ? ['P'] : ruleSet.strategy === 'call-credit-spread' ? ['C'] : ['C', 'P'];
  return { dte, stdDevs: Math.max(3.5, 2.5 * zForDelta(dMin)), extraPoints: p.wings?.points ?? 0, rights };
}

/** Builds, filters and traces (pure): every built candidate counts in `evaluated`. */
export function evaluateInput(
  ruleSet: Pick<RuleSet, 'strategy' | 'params'>,
  compiled: CompiledRule,
  input: StrategyInput,
): Pick<UnderlyingScan, 'evaluated' | 'passed'> {
  const strategy = getStrategy(ruleSet.strategy);
  if (!strategy) throw new Error(`unknown strategy ${ruleSet.strategy}`);
  const candidates = strategy.build(input, ruleSet.params);
  const passed: UnderlyingScan['passed'] = [];
  for (const candidate of candidates) {
    const facts = candidate.facts as unknown as Facts;
    if (compiled.test(facts)) passed.push({ candidate, trace: traceCandidate(compiled, facts) });
  }
  return { evaluated: candidates.length, passed };
}

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));
/** Authentication or configuration failures stop the whole scan: they are nothing about this underlying. */
function rethrowFatal(e: unknown): void {
  if (isBrokerError(e) && e.kind === 'fatal') throw e;
}

export async function scanUnderlying(
  deps: ScanUnderlyingDeps,
  ruleSet: RuleSet,
  compiled: CompiledRule,
  underlying: string,
  metrics: MarketMetrics | null,
): Promise<UnderlyingScan> {
  const { marketData: md } = deps;
  const timeoutMs = deps.snapshotTimeoutMs ?? 5_000;
  const skip = (why: string, extra: Partial<UnderlyingScan> = {}): UnderlyingScan => ({
    underlying,
    evaluated: 0,
    passed: [],
    ...extra,
    skipped: why,
  });
  const sel = selectionFor(ruleSet);

  // The chain and the underlying's quote in parallel: the quote centres the strike band
  const first = md.snapshot([underlying], { timeoutMs: Math.min(FIRST_QUOTE_MAX_MS, timeoutMs), greeks: false });
  first.catch(() => {}); // an unknown symbol returns before this settles
  let chain: OptionChain;
  try {
    chain = await md.chain(underlying);
  } catch (e) {
    rethrowFatal(e);
    return skip(/option chain/i.test(reason(e)) ? reason(e) : `no option chain: ${reason(e)}`);
  }
  const today = deps.today ?? todayFromChain(chain) ?? (deps.now !== undefined ? nyDate(deps.now) : null);
  if (today === null) return skip('no trading date: the chain names none and no clock time was given');
  let spot = quoteMid((await first.catch(() => null))?.quotes.get(underlying));
  let priceSource: UnderlyingScan['priceSource'] = 'quote';
  if (spot === null) {
    spot = chainMiddleStrike(chain, sel.dte, today);
    priceSource = 'chain-middle';
  }
  if (spot === null) return skip(`no quote for ${underlying} and no strikes in its chain`);

  const ivOf = new Map((metrics?.expirationIvs ?? []).map((e) => [e.expiration, e.iv]));
  const flat = metrics?.ivIndex ?? (metrics?.iv30 != null ? metrics.iv30 / 100 : null);
  const symbols = optionSymbolsToSnapshot(chain, spot, (exp) => ivOf.get(exp) ?? flat, sel.dte, today, sel);
  if (symbols.length === 0) {
    return skip(`no expiration ${sel.dte.min}-${sel.dte.max} days out`, { underlyingPrice: spot, priceSource });
  }
  let snapshot: MarketSnapshot;
  try {
    snapshot = await md.snapshot([underlying, ...symbols], { timeoutMs, greeks: true });
  } catch (e) {
    rethrowFatal(e);
    return skip(`no market data: ${reason(e)}`, { underlyingPrice: spot, priceSource });
  }
  const fresh = quoteMid(snapshot.quotes.get(underlying));
  if (fresh !== null) [spot, priceSource] = [fresh, 'quote'];
  const missing = snapshot.missing.filter((s) => s !== underlying).length;
  const info = { underlyingPrice: spot, priceSource, optionsRequested: symbols.length, optionsMissing: missing };
  if (missing === symbols.length)
    return skip(`no quotes or greeks for its ${symbols.length} options within ${timeoutMs} ms`, info);

  try {
    const input = buildStrategyInput({ underlying, underlyingPrice: spot, chain, snapshot, metrics, today });
    return { underlying, ...evaluateInput(ruleSet, compiled, input), ...info };
  } catch (e) {
    return skip(`candidates could not be built: ${reason(e)}`, info);
  }
}
