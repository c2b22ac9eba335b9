// Owns reading what a closing order of one option is priced from: a fresh quote of the option and its chain's tick
// schedule (the legged rollback and the legged exit), and whether anybody bids for it: a held long nobody bids for is
// never offered once no short is held (src/domain/closing-legs.ts `nobodyBids`); it is kept instead.
import { nobodyBids } from '../../domain/closing-legs.js';
import { occToStreamer } from '../../domain/instrument.js';
import type { TickSize } from '../../domain/market.js';
import type { ExecContext } from '../execution-context.js';
import { underlyingOf } from './plan-entry.js';

export interface ClosingQuote {
  bid: number | null;
  ask: number | null;
  receivedAt: number;
}

/** The option's quote if one no older than `maxAgeMs` arrives within `timeoutMs`; a stale or missing one: undefined. */
export async function freshOptionQuote(
  ctx: ExecContext,
  symbol: string,
  maxAgeMs: number,
  timeoutMs = 3000,
): Promise<ClosingQuote | undefined> {
  const streamer = occToStreamer(symbol);
  const snap = await ctx.marketData.snapshot([streamer], { timeoutMs }).catch(() => undefined);
  const q = snap?.quotes.get(streamer);
  return q && ctx.now() - q.receivedAt <= maxAgeMs ? q : undefined;
}

/** The broker's tick schedule of the option's chain; undefined when it cannot be read (nothing is priced on a guess). */
export async function optionTicks(ctx: ExecContext, symbol: string): Promise<readonly TickSize[] | undefined> {
  const ticks = await ctx.marketData
    .chain(underlyingOf([{ symbol }]))
    .then((c) => c.tickSizes)
    .catch(() => undefined);
  return ticks && ticks.length > 0 ? ticks : undefined;
}

/** Whether a fresh quote shows an ask and a zero bid. No fresh quote says nothing: false. */
export const nobodyBidsFor = (quote: ClosingQuote | undefined): boolean =>
  quote !== undefined && nobodyBids({ quantity: 1, bid: quote.bid, ask: quote.ask });
