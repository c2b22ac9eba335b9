// Owns the venue's customer and account REST routes: the customer and user, accounts, trading status, balances,
// positions and every order route.
import { Router, type Request, type Response, type NextFunction } from 'express';
import type { SearchOrdersQuery, TransactionsQuery, Venue } from '../types.js';
import { notFound, sendData, sendError, sendItems, sendResult } from './envelope.js';
import { internalError, type FaultState } from './faults.js';

/** express 5 parses `status[]=Live` into the key "status[]"; accept both spellings. */
function queryList(req: Request, key: string): string[] | undefined {
  const raw = req.query[`${key}[]`] ?? req.query[key];
  if (raw === undefined) return undefined;
  return (Array.isArray(raw) ? raw : [raw]).map(String);
}

function queryInt(req: Request, key: string): number | undefined {
  const raw = req.query[key];
  if (typeof raw !== 'string' || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}

export function accountRoutes(venue: Venue, faults: FaultState): Router {
  const router = Router();

  router.get('/customers/me', (req, res) => sendData(req, res, venue.customerWire()));
  router.get('/customers/me/accounts', (req, res) => sendItems(req, res, venue.accountsWire()));
  // The bearer token was checked before any route: a valid one is a valid session (the OAuth access token replaced it).
  // 201 as for other POSTs (Grape's default); clients check only for a 2xx
  router.post('/sessions/validate', (req, res) => sendData(req, res, venue.userWire(), 201));

  // Every /accounts/:n route answers 403 for an account the customer does not own, like Tastytrade
  const ownAccount = (req: Request, res: Response, next: NextFunction) => {
    if (venue.accountNumbers().includes(String(req.params['accountNumber']))) return next();
    sendError(res, 403, { code: 'not_permitted', message: 'User not permitted access' });
  };
  const account = (req: Request) => String(req.params['accountNumber']);
  const orderId = (req: Request, res: Response): number | undefined => {
    const text = String(req.params['orderId']);
    if (/^\d+$/.test(text)) return Number(text);
    sendError(res, 400, {
      code: 'validation_error',
      message: 'Request validation failed',
      errors: [{ domain: 'id', reason: 'is invalid' }],
    });
    return undefined;
  };

  router.use('/accounts/:accountNumber', ownAccount);
  router.get('/customers/me/accounts/:accountNumber', ownAccount, (req, res) =>
    sendData(req, res, venue.accountWire(account(req))),
  );

  router.get('/accounts/:accountNumber/balances', (req, res) => sendData(req, res, venue.balancesWire(account(req))));
  // Every venue account holds US dollars only; another currency has no balance (Tastytrade's answer there is not recorded)
  router.get('/accounts/:accountNumber/balances/:currency', (req, res) => {
    const currency = String(req.params['currency']).toUpperCase();
    if (currency !== 'USD') return notFound(res, `Balance in ${currency}`);
    sendData(req, res, venue.balancesWire(account(req)));
  });
  router.get('/accounts/:accountNumber/trading-status', (req, res) =>
    sendData(req, res, venue.tradingStatusWire(account(req))),
  );
  router.get('/accounts/:accountNumber/positions', (req, res) => {
    const underlying = queryList(req, 'underlying-symbol');
    const symbol = typeof req.query['symbol'] === 'string' ? req.query['symbol'] : undefined;
    const items = venue
      .positionsWire(account(req))
      .filter((p) => (underlying ? underlying.includes(String(p['underlying-symbol'])) : true))
      .filter((p) => (symbol ? p['symbol'] === symbol : true));
    sendItems(req, res, items);
  });

  router.post('/accounts/:accountNumber/orders/dry-run', (req, res) =>
    sendResult(req, res, venue.placeOrder(account(req), req.body, { dryRun: true })),
  );
  router.post('/accounts/:accountNumber/orders', (req, res) => {
    const result = venue.placeOrder(account(req), req.body, { dryRun: false });
    if (result.ok && faults.take('http500AfterCreate', req.path)) return internalError(res);
    sendResult(req, res, result, 201);
  });
  router.get('/accounts/:accountNumber/orders/live', (req, res) => sendItems(req, res, venue.liveOrders(account(req))));
  router.get('/accounts/:accountNumber/orders', (req, res) => {
    const query: SearchOrdersQuery = {};
    const status = queryList(req, 'status');
    if (status) query.status = status;
    const underlying = req.query['underlying-symbol'];
    if (typeof underlying === 'string') query.underlyingSymbol = underlying;
    const perPage = queryInt(req, 'per-page');
    if (perPage !== undefined) query.perPage = perPage;
    const pageOffset = queryInt(req, 'page-offset');
    if (pageOffset !== undefined) query.pageOffset = pageOffset;
    if (req.query['sort'] === 'Asc' || req.query['sort'] === 'Desc') query.sort = req.query['sort'];
    const { items, pagination } = venue.searchOrders(account(req), query);
    sendItems(req, res, items, pagination);
  });
  router.get('/accounts/:accountNumber/transactions', (req, res) => {
    const query: TransactionsQuery = {};
    for (const [key, field] of [
      ['symbol', 'symbol'],
      ['underlying-symbol', 'underlyingSymbol'],
      ['type', 'type'],
      ['start-date', 'startDate'],
      ['end-date', 'endDate'],
    ] as const) {
      if (typeof req.query[key] === 'string') query[field] = req.query[key];
    }
    const types = queryList(req, 'types');
    if (types) query.types = types;
    const subTypes = queryList(req, 'sub-type');
    if (subTypes) query.subTypes = subTypes;
    const perPage = queryInt(req, 'per-page');
    if (perPage !== undefined) query.perPage = perPage;
    const pageOffset = queryInt(req, 'page-offset');
    if (pageOffset !== undefined) query.pageOffset = pageOffset;
    if (req.query['sort'] === 'Asc' || req.query['sort'] === 'Desc') query.sort = req.query['sort'];
    const { items, pagination } = venue.transactions(account(req), query);
    sendItems(req, res, items, pagination);
  });
  router.get('/accounts/:accountNumber/orders/:orderId', (req, res) => {
    const id = orderId(req, res);
    if (id !== undefined) sendResult(req, res, venue.getOrder(account(req), id));
  });
  router.delete('/accounts/:accountNumber/orders/:orderId', (req, res) => {
    const id = orderId(req, res);
    if (id !== undefined) sendResult(req, res, venue.cancelOrder(account(req), id));
  });
  router.put('/accounts/:accountNumber/orders/:orderId', (req, res) => {
    const id = orderId(req, res);
    if (id === undefined) return;
    const result = venue.replaceOrder(account(req), id, req.body);
    if (result.ok && faults.take('http500AfterCreate', req.path)) return internalError(res);
    sendResult(req, res, result);
  });

  return router;
}
