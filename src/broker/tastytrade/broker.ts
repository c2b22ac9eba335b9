// Owns the Broker port over the Tastytrade SDK: every call under http-policy, bodies built by the mapper, replies parsed by wire.
import { BrokerError } from '../../domain/broker-error.js';
import type { BrokerOrder, OrderRequest } from '../../domain/broker-order.js';
import type { Logger } from '../../log.js';
import type { Broker } from '../../pipeline/ports.js';
import type { TastytradeClient } from './client.js';
import type { BrokerOperation } from './errors.js';
import { createHttpPolicy, type HttpPolicy, type HttpPolicyOptions, type Lane } from './http-policy.js';
import { processRequestBudget } from './request-budget.js';
import {
  orderRequestToWire,
  parseAccounts,
  parseBalances,
  parseDryRun,
  parseMarketSession,
  parseOrder,
  parseOrders,
  parsePlaceResponse,
  parsePositions,
  parseTransactions,
  parseSettlements,
  replaceToWire,
} from './mapper.js';

export interface TastytradeBrokerOptions {
  client: TastytradeClient;
  /** The account to trade; the login's first open account when absent. */
  accountNumber?: string;
  log?: Logger;
  policy?: Partial<HttpPolicyOptions>;
  /** How far `findByExternalId` pages back through `GET /accounts/{n}/orders` (newest first). */
  search?: { perPage?: number; maxPages?: number };
  /**
   * How long start-up keeps asking for the login's accounts while the broker answers with a passing failure (429,
   * 5xx, timeouts) before giving up (default 5 minutes; waits grow to 30 s). A refused login fails at once.
   */
  startupWaitMs?: number;
}

/** Longest pause between two start-up attempts to list the accounts. */
const STARTUP_MAX_PAUSE_MS = 30_000;

export interface TastytradeBroker extends Broker {
  readonly policy: HttpPolicy;
}

type Json = Record<string, unknown>;

/** Builds an outgoing body; a request that cannot be expressed on the wire is refused before anything is sent. */
function body(operation: BrokerOperation, build: () => Record<string, unknown>): Record<string, unknown> {
  try {
    return build();
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    throw new BrokerError('rejected', `${operation} not sent: ${text}`, { code: 'invalid_request', operation });
  }
}

/** Resolves the account (first open one when none is given), then serves every Broker method over the SDK. */
export async function createTastytradeBroker(opts: TastytradeBrokerOptions): Promise<TastytradeBroker> {
  const { client, log } = opts;
  const policy = createHttpPolicy({
    onUnauthorized: () => client.accessToken.clear(),
    budget: processRequestBudget(),
    ...opts.policy,
    onEvent: (event) => {
      opts.policy?.onEvent?.(event);
      if (event.kind === 'call') return;
      if (event.kind === 'retry') {
        log?.warn(
          { operation: event.operation, attempt: event.attempt, delayMs: event.delayMs, kind: event.error.kind },
          `broker retry: ${event.error.message}`,
        );
      } else if (event.kind === 'circuit') {
        log?.[event.state === 'open' ? 'error' : 'info'](
          { state: event.state, lane: event.lane },
          `broker circuit (${event.lane} lane) ${event.state}`,
        );
      } else if (event.kind === 'tokenRefresh') {
        log?.info({ operation: event.operation }, 'broker access token refused; refreshing once');
      }
    },
  });
  const perPage = opts.search?.perPage ?? 100;
  const maxPages = opts.search?.maxPages ?? 5;

  const run = <T>(operation: BrokerOperation, label: string, call: () => Promise<T>, lane?: Lane) =>
    policy.run(operation, call, label, lane);

  const accounts = await startupRead(opts.startupWaitMs ?? 300_000, log, () =>
    run('read', 'list accounts', async () =>
      parseAccounts(await client.accountsAndCustomersService.getCustomerAccounts()),
    ),
  );
  let accountNumber: string;
  if (opts.accountNumber !== undefined) {
    const match = accounts.find((a) => a.accountNumber === opts.accountNumber);
    if (!match) {
      throw new BrokerError(
        'fatal',
        `account ${opts.accountNumber} is not one of this login's accounts (${accounts.map((a) => a.accountNumber).join(', ') || 'none'})`,
        { code: 'unknown_account', operation: 'read' },
      );
    }
    if (match.isClosed)
      throw new BrokerError('fatal', `account ${match.accountNumber} is closed`, {
        code: 'account_closed',
        operation: 'read',
      });
    accountNumber = match.accountNumber;
  } else {
    const first = accounts.find((a) => !a.isClosed);
    if (!first)
      throw new BrokerError('fatal', 'this login has no open account', { code: 'no_account', operation: 'read' });
    accountNumber = first.accountNumber;
  }
  log?.info({ accountNumber }, 'tastytrade broker ready');

  const orders = client.orderService;
  const path = `/accounts/${accountNumber}`;

  const getOrder = (brokerOrderId: number): Promise<BrokerOrder> =>
    run('read', `get order ${brokerOrderId}`, async () =>
      parseOrder(await orders.getOrder(accountNumber, brokerOrderId)),
    );

  const liveOrders = (): Promise<BrokerOrder[]> =>
    run('read', 'live orders', async () => parseOrders(await orders.getLiveOrders(accountNumber)));

  /** One page of `GET /accounts/{n}/orders`, newest first, with the page count (the SDK drops the pagination). */
  const ordersPage = (pageOffset: number) =>
    run('read', `orders page ${pageOffset}`, async () => {
      const response = (await client.httpClient.getData(
        `${path}/orders`,
        {},
        { perPage, pageOffset, sort: 'Desc' },
      )) as { data?: Json };
      const envelope = response.data ?? {};
      const data = (envelope['data'] ?? {}) as Json;
      const pagination = (envelope['pagination'] ?? {}) as Json;
      const totalPages = Number(pagination['total-pages'] ?? 1);
      return { items: parseOrders(data['items'] ?? []), totalPages: Number.isFinite(totalPages) ? totalPages : 1 };
    });

  const broker: TastytradeBroker = {
    accountNumber,
    policy,

    async dryRun(order: OrderRequest) {
      const wire = body('dryRun', () => orderRequestToWire(order));
      return run('dryRun', 'dry-run', async () => parseDryRun(await orders.postOrderDryRun(accountNumber, wire)));
    },

    async submit(order, options) {
      if (!order.externalId)
        throw new BrokerError('rejected', 'submit needs an externalId (reconciliation finds the order by it)', {
          code: 'missing_external_id',
          operation: 'submit',
        });
      const wire = body('submit', () => orderRequestToWire(order));
      // An order that only closes (exits, compensations, flatten) travels in the close lane: reads cannot starve it
      const closing = order.legs.every((l) => l.action === 'Buy to Close' || l.action === 'Sell to Close');
      return run(
        'submit',
        `submit ${order.externalId}`,
        async () => {
          await options?.beforeSend?.();
          return parsePlaceResponse(await orders.createOrder(accountNumber, wire)).order;
        },
        closing ? 'close' : 'open',
      );
    },

    cancel: (brokerOrderId: number) =>
      run('cancel', `cancel ${brokerOrderId}`, async () =>
        parseOrder(await orders.cancelOrder(accountNumber, brokerOrderId)),
      ),

    async replace(brokerOrderId, change, options) {
      const original = await getOrder(brokerOrderId);
      const wire = body('replace', () => replaceToWire(original, change));
      const replacement = await run('replace', `replace ${brokerOrderId}`, async () => {
        await options?.beforeSend?.();
        return parseOrder(await orders.replaceOrder(accountNumber, brokerOrderId, wire));
      });
      if (replacement.brokerOrderId === brokerOrderId) {
        throw new BrokerError('unknown', `replace ${brokerOrderId}: the broker answered with the same order id`, {
          code: 'replace_not_new',
          operation: 'replace',
        });
      }
      return replacement.replacesOrderId === undefined
        ? { ...replacement, replacesOrderId: brokerOrderId }
        : replacement;
    },

    getOrder,
    liveOrders,

    async findByExternalId(externalId) {
      const found = new Map<number, BrokerOrder>();
      const keep = (order: BrokerOrder) => {
        if (order.externalId !== externalId) return;
        const seen = found.get(order.brokerOrderId);
        if (!seen || order.updatedAt >= seen.updatedAt) found.set(order.brokerOrderId, order);
      };
      (await liveOrders()).forEach(keep);
      for (let page = 0; page < maxPages; page++) {
        const { items, totalPages } = await ordersPage(page);
        items.forEach(keep);
        if (items.length < perPage || page + 1 >= totalPages) break;
      }
      return [...found.values()].sort((a, b) => a.brokerOrderId - b.brokerOrderId);
    },

    positions: () =>
      run('read', 'positions', async () =>
        parsePositions(await client.balancesAndPositionsService.getPositionsList(accountNumber)),
      ),

    transactions: (query = {}) =>
      run('read', 'transactions', async () =>
        parseTransactions(
          await client.transactionsService.getAccountTransactions(accountNumber, {
            type: 'Trade',
            'per-page': query.perPage ?? 250,
            'page-offset': query.pageOffset ?? 0,
            ...(query.underlyingSymbol ? { 'underlying-symbol': query.underlyingSymbol } : {}),
          }),
        ),
      ),

    settlements: (query = {}) =>
      run('read', 'settlements', async () =>
        parseSettlements(
          await client.transactionsService.getAccountTransactions(accountNumber, {
            type: 'Receive Deliver',
            'per-page': query.perPage ?? 250,
            'page-offset': query.pageOffset ?? 0,
            ...(query.underlyingSymbol ? { 'underlying-symbol': query.underlyingSymbol } : {}),
          }),
        ),
      ),

    balances: () =>
      run('read', 'balances', async () =>
        parseBalances(await client.balancesAndPositionsService.getAccountBalanceValues(accountNumber)),
      ),

    marketSession: () =>
      run('read', 'market session', async () => {
        const response = (await client.httpClient.getData(
          '/market-time/sessions/current',
          {},
          { 'instrument-collections': ['Equity'] },
        )) as { data?: unknown };
        return parseMarketSession(response.data);
      }),
  };
  return broker;
}

/**
 * A worker started while the broker rate-limits or fails over must not exit (seen in a chaos campaign: three 429s in a
 * row at start-up ended the process): passing failures are waited out, with growing pauses, up to `waitMs` (wall time:
 * this is about the network, not the market). Fatal and rejected errors end start-up at once.
 */
async function startupRead<T>(waitMs: number, log: Logger | undefined, read: () => Promise<T>): Promise<T> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      const passing = error instanceof BrokerError && (error.kind === 'retryable' || error.kind === 'unknown');
      const pauseMs = Math.min(STARTUP_MAX_PAUSE_MS, 1000 * 2 ** Math.min(attempt - 1, 5));
      if (!passing || Date.now() - started + pauseMs > waitMs) throw error;
      log?.warn(
        { attempt, pauseMs, err: error },
        `broker not answering at start-up (${error.message}); trying again in ${pauseMs} ms`,
      );
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  }
}
