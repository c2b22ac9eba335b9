// Owns asking the market whether a held long has a buyer right now: the legged rollback and the legged exit never
// offer a long nobody bids for (src/domain/closing-legs.ts `nobodyBids`); they keep it instead.
import { nobodyBids } from '../../domain/closing-legs.js';
import { occToStreamer } from '../../domain/instrument.js';
import type { ExecContext } from '../execution-context.js';

/** Whether a fresh quote of the option shows an ask and a zero bid. A stale or missing quote says nothing: false. */
export async function nobodyBidsNow(ctx: ExecContext, symbol: string, maxAgeMs: number): Promise<boolean> {
  const streamer = occToStreamer(symbol);
  const snap = await ctx.marketData.snapshot([streamer], { timeoutMs: 3000 }).catch(() => undefined);
  const q = snap?.quotes.get(streamer);
  if (!q || ctx.now() - q.receivedAt > maxAgeMs) return false;
  return nobodyBids({ quantity: 1, bid: q.bid, ask: q.ask });
}
