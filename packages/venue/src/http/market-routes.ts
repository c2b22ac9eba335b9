// Owns the venue's market REST routes: option chains, instruments, market metrics, quote tokens, market time and holidays.
import { Router, type Request } from 'express';
import type { JsonObject, MarketModel, MarketClock } from '../types.js';
import { notFound, sendData, sendItems } from './envelope.js';
import {
  equityOptionWire,
  equityWire,
  flatChainWire,
  marketCalendarWire,
  marketMetricsWire,
  marketSessionWire,
  nestedChainWire,
} from './market-wire.js';
import { nyDate, nyseEarlyCloses, nyseHolidays } from '../calendar.js';
import type { TokenStore } from './auth.js';

export interface MarketRouteDeps {
  market: MarketModel;
  clock: MarketClock;
  tokens: TokenStore;
  /** The DXLink URL to hand out; derived from the Host the client used, so it works behind Docker or a proxy. */
  dxlinkUrl: (req: Request) => string;
}

const symbolParam = (req: Request) => decodeURIComponent(String(req.params['symbol'])).toUpperCase();

/** `key[]=A&key[]=B` (what the SDKs send; express keeps the brackets in the key), `key=A`, or `key=A,B`. */
function symbolList(req: Request, key: string): string[] {
  const raw = req.query[`${key}[]`] ?? req.query[key];
  if (raw === undefined) return [];
  return (Array.isArray(raw) ? raw.map(String) : String(raw).split(','))
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
}

export function marketRoutes({ market, clock, tokens, dxlinkUrl }: MarketRouteDeps): Router {
  const router = Router();

  router.get('/option-chains/:symbol/nested', (req, res) => {
    const chain = market.chain(symbolParam(req));
    sendItems(req, res, chain ? [nestedChainWire(chain)] : []);
  });
  router.get('/option-chains/:symbol', (req, res) => {
    const chain = market.chain(symbolParam(req));
    sendItems(req, res, chain ? flatChainWire(chain) : []);
  });

  const equity = (symbol: string) => {
    const spec = market.spec(symbol);
    return spec ? equityWire(spec, market.chain(symbol), 1000 + market.underlyings().indexOf(symbol)) : undefined;
  };
  // The recorded list (tasty-go equitiesResp, 2023) has no `pagination`: every match in one page, unknown symbols left out
  router.get('/instruments/equities', (req, res) => {
    const asked = symbolList(req, 'symbol');
    const items = (asked.length > 0 ? [...new Set(asked)] : market.underlyings())
      .map(equity)
      .filter((e): e is JsonObject => e !== undefined);
    const filters = (['is-etf', 'is-index', 'lendability'] as const).filter((k) => typeof req.query[k] === 'string');
    sendItems(
      req,
      res,
      items.filter((item) => filters.every((k) => String(item[k]) === req.query[k])),
    );
  });
  router.get('/instruments/equities/:symbol', (req, res) => {
    const symbol = symbolParam(req);
    const item = equity(symbol);
    if (!item) return notFound(res, `Equity ${symbol}`);
    sendData(req, res, item);
  });
  router.get('/instruments/equity-options/:symbol', (req, res) => {
    const occ = decodeURIComponent(String(req.params['symbol']));
    const contract = market.contract(occ);
    const chain = contract ? market.chain(contract.underlying) : undefined;
    const expiration = chain?.expirations.find((e) => e.expirationDate === contract?.expirationDate);
    if (!contract || !chain || !expiration) return notFound(res, `Equity option ${occ}`);
    sendData(
      req,
      res,
      equityOptionWire(chain, expiration, contract.strike, contract.right, contract.symbol, contract.streamerSymbol),
    );
  });

  router.get('/market-metrics', (req, res) => {
    const symbols = symbolList(req, 'symbols');
    const items = symbols.flatMap((s) => {
      const m = market.metrics(s);
      return m ? [marketMetricsWire(m)] : [];
    });
    sendItems(req, res, items);
  });

  router.get('/api-quote-tokens', (req, res) =>
    sendData(req, res, { token: tokens.newQuoteToken(), 'dxlink-url': dxlinkUrl(req), level: 'api' }),
  );

  router.get('/market-time/sessions/current', (req, res) => {
    const current = clock.session();
    const next = clock.session(Math.max(current.nextOpenAt, current.closeAtExt + 1));
    sendItems(req, res, [marketSessionWire(current, next)]);
  });

  // The venue's own calendar: NYSE holidays and 13:00 closes of this year and the next (how many years Tastytrade lists
  // is not recorded). `open` mode trades every day, so it has none.
  router.get('/market-time/equities/holidays', (req, res) => {
    const year = Number(nyDate(clock.now()).slice(0, 4));
    const years = clock.spec.mode === 'open' ? [] : [year, year + 1];
    sendData(
      req,
      res,
      marketCalendarWire({
        holidays: years.flatMap((y) => [...nyseHolidays(y).keys()].sort()),
        halfDays: years.flatMap((y) => nyseEarlyCloses(y)),
      }),
    );
  });

  return router;
}
