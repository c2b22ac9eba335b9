// Owns building a StrategyInput (domain chain, quotes/greeks snapshot, metrics) from the venue's market model for tests.
import { nyDate } from '@legwork/venue/calendar';
import { createMarketClock } from '@legwork/venue';
import { createMarketModel, type VenueMarketModel } from '@legwork/venue';
import type { GreeksSnapshot, MarketMetrics, OptionChain, QuoteSnapshot } from '../../src/domain/market.js';
import type { StrategyInput } from '../../src/strategies/types.js';

/** Friday 2026-11-20, 10:00 New York. */
export const FRIDAY_10_NY = Date.parse('2026-11-20T15:00:00Z');

export function testMarket(seed = 42, startAt = FRIDAY_10_NY): VenueMarketModel {
  return createMarketModel({ clock: createMarketClock({ mode: 'replay', startAt, speed: 0 }), seed });
}

let shared: VenueMarketModel | undefined;
/** One frozen market per test file (the model is deterministic for its seed and clock). */
export const sharedMarket = (): VenueMarketModel => (shared ??= testMarket());

export function domainChain(market: VenueMarketModel, symbol: string, maxDte = 120): OptionChain {
  const c = market.chain(symbol);
  if (!c) throw new Error(`no chain for ${symbol}`);
  return {
    underlying: c.underlyingSymbol,
    root: c.rootSymbol,
    sharesPerContract: c.sharesPerContract,
    tickSizes: c.tickSizes.map((t) => ({ threshold: t.threshold ?? null, valueCents: Math.round(t.value * 100) })),
    expirations: c.expirations
      .filter((e) => e.daysToExpiration <= maxDte)
      .map((e) => ({
        expiration: e.expirationDate,
        daysToExpiration: e.daysToExpiration,
        expirationType: e.expirationType,
        settlementType: e.settlementType,
        strikes: e.strikes.map((s) => ({ ...s })),
      })),
  };
}

export function domainMetrics(market: VenueMarketModel, symbol: string): MarketMetrics {
  const m = market.metrics(symbol);
  if (!m) throw new Error(`no metrics for ${symbol}`);
  return {
    symbol,
    ivIndex: m.ivIndex,
    ivRank: m.ivRank,
    ivPercentile: m.ivPercentile,
    iv30: m.iv30,
    hv30: m.hv30,
    liquidityRating: m.liquidityRating,
    beta: m.beta,
    earningsDate: m.earnings?.expectedReportDate ?? null,
    expirationIvs: m.expirationIvs.map((e) => ({ expiration: e.expirationDate, iv: e.impliedVolatility })),
    updatedAt: m.updatedAt,
  };
}

/** Chain (expirations up to maxDte), every option's quote and greeks, metrics and today's New York date. */
export function strategyInput(market: VenueMarketModel, symbol: string, maxDte = 120): StrategyInput {
  const chain = domainChain(market, symbol, maxDte);
  const quotes = new Map<string, QuoteSnapshot>();
  const greeks = new Map<string, GreeksSnapshot>();
  for (const e of chain.expirations) {
    for (const s of e.strikes) {
      for (const [occ, streamerSymbol] of [
        [s.callSymbol, s.callStreamerSymbol],
        [s.putSymbol, s.putStreamerSymbol],
      ] as const) {
        const q = market.quote(occ);
        const g = market.greeks(occ);
        if (q)
          quotes.set(streamerSymbol, {
            streamerSymbol,
            bid: q.bid,
            ask: q.ask,
            bidSize: q.bidSize,
            askSize: q.askSize,
            receivedAt: q.time,
          });
        if (g) {
          greeks.set(streamerSymbol, {
            streamerSymbol,
            price: g.price,
            iv: g.volatility,
            delta: g.delta,
            gamma: g.gamma,
            theta: g.theta,
            vega: g.vega,
            rho: g.rho,
            receivedAt: g.time,
          });
        }
      }
    }
  }
  return {
    underlying: symbol,
    underlyingPrice: market.spot(symbol),
    chain,
    snapshot: { quotes, greeks, missing: [] },
    metrics: domainMetrics(market, symbol),
    today: nyDate(market.quote(symbol)!.time),
  };
}

/** A copy of the input whose snapshot lacks the given streamer symbols' quotes (and greeks when `greeks`). */
export function withoutData(
  input: StrategyInput,
  streamerSymbols: string[],
  what: 'quote' | 'greeks' = 'quote',
): StrategyInput {
  const quotes = new Map(input.snapshot.quotes);
  const greeks = new Map(input.snapshot.greeks);
  for (const s of streamerSymbols) (what === 'quote' ? quotes : greeks).delete(s);
  return { ...input, snapshot: { quotes, greeks, missing: [...streamerSymbols] } };
}
