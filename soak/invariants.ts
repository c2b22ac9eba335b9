// Owns the invariants only a run across days can break: positions nobody owns, trades left unresolved past their
// expiration, day orders working overnight, exits sent on a wrong date. Pure functions over plain views of the venue
// and Postgres (soak/run.ts reads them); each violation names the trade, symbol or order.
import { nyDate, nyTime, sessionAt } from '@legwork/venue/calendar';

export const SOAK_INVARIANTS = [
  'orphan-position',
  'expiration-unresolved',
  'day-order-overnight',
  'exit-wrong-date',
  'close-snapshot-missing',
  'position-unattributed',
] as const;
export type SoakInvariant = (typeof SOAK_INVARIANTS)[number];
export interface SoakViolation {
  invariant: SoakInvariant;
  detail: string;
}

export interface SoakTrade {
  id: string;
  status: string;
  ruleSet: string;
  /** YYYY-MM-DD of its options' expiration. */
  expiration: string;
  /** Every symbol the trade holds or held: its option legs and any shares it came to own. */
  symbols: string[];
}

export interface SoakPosition {
  symbol: string;
  /** Signed: long +, short −. */
  quantity: number;
}

const TERMINAL_TRADE = new Set(['closed', 'rejected', 'rolled_back']);

/** A position at the venue that no live trade owns: something Legwork opened (or was delivered) and forgot. */
export function orphanPositions(positions: readonly SoakPosition[], trades: readonly SoakTrade[]): SoakViolation[] {
  const owned = new Set(trades.filter((t) => !TERMINAL_TRADE.has(t.status)).flatMap((t) => t.symbols));
  return positions
    .filter((p) => p.quantity !== 0 && !owned.has(p.symbol))
    .map((p) => ({
      invariant: 'orphan-position' as const,
      detail: `${p.symbol} ${p.quantity > 0 ? '+' : ''}${p.quantity} at the venue, owned by no live trade`,
    }));
}

/** Every trade whose expiration's close is behind `now` has ended (closed, or never opened). */
export function unresolvedExpirations(trades: readonly SoakTrade[], now: number): SoakViolation[] {
  return trades
    .filter((t) => !TERMINAL_TRADE.has(t.status) && expirationClose(t.expiration) < now)
    .map((t) => ({
      invariant: 'expiration-unresolved' as const,
      detail: `trade ${t.id} (${t.ruleSet}) is ${t.status} after its expiration ${t.expiration}`,
    }));
}

/** The close of an expiration date (an early close counts); 16:00 when the date is not a trading day. */
function expirationClose(date: string): number {
  const s = sessionAt(nyTime(date, '12:00'));
  return s.tradingDate === date ? s.closeAt : nyTime(date, '16:00');
}

/** What the driver saw one minute after a close, and what Legwork still called working a little later. */
export interface CloseCheckpoint {
  tradingDate: string;
  /** Venue orders still working after the close (a day order must have expired there). */
  venueWorking: string[];
  /** Legwork orders still non-terminal once it had time to hear of the expiry. */
  storeWorking: string[];
}

export function dayOrdersOvernight(checkpoints: readonly CloseCheckpoint[]): SoakViolation[] {
  return checkpoints.flatMap((c) => [
    ...c.venueWorking.map((o) => ({
      invariant: 'day-order-overnight' as const,
      detail: `${c.tradingDate}: venue order ${o} still working after the close`,
    })),
    ...c.storeWorking.map((o) => ({
      invariant: 'day-order-overnight' as const,
      detail: `${c.tradingDate}: Legwork order ${o} still working after the close`,
    })),
  ]);
}

export interface SoakExit {
  groupId: string;
  tradeId: string;
  reason: string;
  /** YYYY-MM-DD of the trade's options. */
  expiration: string;
  /** Venue clock when its first order reached the venue. */
  sentAt: number;
  /** Venue clock when the trade's entry first reached the venue (null if unknown). */
  enteredAt: number | null;
  closeAtDte: number | null;
  timeStopDays: number | null;
}

/** Exits that close what an expiration or assignment left a trade with (shares, remaining legs): after expiry by nature. */
const SETTLED_EXITS = new Set(['assignment', 'expiration', 'leftovers', 'flatten']);

const daysBetween = (from: string, to: string): number =>
  Math.round((nyTime(to, '12:00') - nyTime(from, '12:00')) / 86_400_000);

/**
 * An exit reached the venue on a date its rule does not allow: outside a session, a close-at-DTE exit with more days
 * left than the rule's threshold, a time stop before its days were held, a pin-risk close on another day than the
 * expiration or within its last hour.
 */
export function exitsOnWrongDates(exits: readonly SoakExit[]): SoakViolation[] {
  const out: SoakViolation[] = [];
  const bad = (e: SoakExit, why: string) =>
    out.push({
      invariant: 'exit-wrong-date',
      detail: `exit ${e.groupId} (${e.reason}) of trade ${e.tradeId} sent ${new Date(e.sentAt).toISOString()}: ${why}`,
    });
  for (const e of exits) {
    const session = sessionAt(e.sentAt);
    const date = nyDate(e.sentAt);
    if (session.state !== 'Open') bad(e, `the market was ${session.state}`);
    if (e.reason === 'close_at_dte') {
      const dte = daysBetween(date, e.expiration);
      if (e.closeAtDte === null || dte > e.closeAtDte)
        bad(e, `${dte} days to expiration, rule closes at ${e.closeAtDte ?? 'never'}`);
    } else if (e.reason === 'time_stop') {
      const held = e.enteredAt === null ? null : Math.floor((e.sentAt - e.enteredAt) / 86_400_000);
      if (e.timeStopDays === null || held === null || held < e.timeStopDays)
        bad(e, `held ${held ?? '?'} days, rule stops at ${e.timeStopDays ?? 'never'}`);
    } else if (/pin|expiration/.test(e.reason)) {
      if (date !== e.expiration) bad(e, `pin-risk close on ${date}, expiration ${e.expiration}`);
      else if (e.sentAt >= session.closeAt - 3_600_000) bad(e, 'pin-risk close within the last hour');
    }
    // After the expiration only what the settlement left may be closed (delivered shares, leftovers), never options
    if (date > e.expiration && !SETTLED_EXITS.has(e.reason)) bad(e, `sent after its options expired (${e.expiration})`);
  }
  return out;
}

/**
 * Every trading day that ended while Legwork ran has exactly one close snapshot of the account (the portfolio sync
 * takes it after the close, broker clock). `closedDates` are the sessions the driver closed; the last one may still be
 * waiting for its sync when the run stops, so it is checked only when `lastSettled`.
 */
export function missingCloseSnapshots(
  closedDates: readonly string[],
  snapshotDates: readonly string[],
  lastSettled: boolean,
): SoakViolation[] {
  const checked = lastSettled ? closedDates : closedDates.slice(0, -1);
  const out: SoakViolation[] = [];
  for (const date of checked) {
    const n = snapshotDates.filter((d) => d === date).length;
    if (n !== 1)
      out.push({
        invariant: 'close-snapshot-missing',
        detail: `${date}: ${n} close snapshots of the account (want 1)`,
      });
  }
  return out;
}

/** The soak opens nothing outside Legwork: a position the portfolio calls foreign is one Legwork lost track of. */
export function unattributedPositions(foreign: readonly { symbol: string; quantity: number }[]): SoakViolation[] {
  return foreign.map((p) => ({
    invariant: 'position-unattributed' as const,
    detail: `${p.quantity} ${p.symbol} held at the venue but attributed to no trade by the portfolio sync`,
  }));
}
