// Owns the venue's market REST routes: option chains, instruments, market metrics, quote tokens, market time.
import { Router, type Request } from 'express';
import type { MarketModel, SimClock } from '../types.js';
import { notFound, sendData, sendItems } from './envelope.js';
import { equityOptionWire, equityWire, flatChainWire, marketMetricsWire, marketSessionWire, nestedChainWire } from './market-wire.js';
import type { TokenStore } from './auth.js';

export interface MarketRouteDeps {
  market: MarketModel;
  clock: SimClock;
  tokens: TokenStore;
  /** The DXLink URL to hand out; derived from the Host the client used, so it works behind Docker or a proxy. */
  dxlinkUrl: (req: Request) => string;
}

const symbolParam = (req: Request) => decodeURIComponent(String(req.params['symbol'])).toUpperCase();

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

  router.get('/instruments/equities/:symbol', (req, res) => {
    const symbol = symbolParam(req);
    const spec = market.spec(symbol);
    if (!spec) return notFound(res, `Equity ${symbol}`);
    sendData(req, res, equityWire(spec, market.chain(symbol), 1000 + market.underlyings().indexOf(symbol)));
  });
  router.get('/instruments/equity-options/:symbol', (req, res) => {
    const occ = decodeURIComponent(String(req.params['symbol']));
    const contract = market.contract(occ);
    const chain = contract ? market.chain(contract.underlying) : undefined;
    const expiration = chain?.expirations.find((e) => e.expirationDate === contract?.expirationDate);
    if (!contract || !chain || !expiration) return notFound(res, `Equity option ${occ}`);
    sendData(req, res, equityOptionWire(chain, expiration, contract.strike, contract.right, contract.symbol, contract.streamerSymbol));
  });

  router.get('/market-metrics', (req, res) => {
    const raw = req.query['symbols'] ?? req.query['symbols[]'];
    const symbols = (Array.isArray(raw) ? raw.map(String) : String(raw ?? '').split(','))
      .map((s) => s.trim().toUpperCase())
      .filter(Boolean);
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

  return router;
}
