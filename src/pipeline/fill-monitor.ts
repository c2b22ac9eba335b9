// Owns the fill monitor: broker truth about OUR orders reaches Postgres whatever the executor is doing. Every streamer
// `order` event is applied (source 'stream'); a polling fallback re-reads our working orders by their current broker id
// (source 'poll'). Fills are recorded once by fill id (applyBrokerOrder), so duplicates, reordering and a stream plus a
// poll reporting the same fill are harmless. Orders and fills only: group and trade statuses belong to the executor
// and reconciliation.
import type { BrokerOrder } from '../domain/broker-order.js';
import type { Logger } from '../log.js';
import type { Sql } from '../store/db.js';
import { openOrders } from '../store/orders.repo.js';
import { applyBrokerOrder } from './broker-sync.js';
import type { AccountEvents, Broker } from './ports.js';

export interface FillMonitorContext {
  sql: Sql;
  broker: Broker;
  events: AccountEvents;
  log: Logger;
  /** Polling fallback period; default 3000 ms. 0 disables polling. */
  pollEveryMs?: number;
}

export interface FillMonitor {
  /** One polling pass now (also what the timer runs); resolves to how many new fills it recorded. */
  pollOnce(): Promise<number>;
  stop(): Promise<void>;
}

/** Orders the broker may still fill and we know by broker id ('unknown' ones are reconciliation's). */
const POLLED = new Set(['working', 'partially_filled', 'pending_cancel']);

export function startFillMonitor(ctx: FillMonitorContext): FillMonitor {
  const log = ctx.log;
  const pollEveryMs = ctx.pollEveryMs ?? 3000;
  let stopped = false;
  // One chain: pushes are applied in arrival order, one at a time (the repo locks rows anyway)
  let chain: Promise<unknown> = Promise.resolve();
  const pending = new Set<Promise<unknown>>();

  const apply = (order: BrokerOrder, source: 'stream' | 'poll') =>
    applyBrokerOrder(ctx, order, source)
      .then((r) => {
        if (r && (r.newFills > 0 || r.changed)) {
          log.info({ orderId: r.order.id, brokerOrderId: order.brokerOrderId, status: r.order.status, newFills: r.newFills, source }, 'order synced from broker');
        }
        return r?.newFills ?? 0;
      })
      .catch((error: unknown) => {
        log.error({ err: error, brokerOrderId: order.brokerOrderId, source }, 'applying a broker order failed');
        return 0;
      });

  const track = <T>(p: Promise<T>): Promise<T> => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
    return p;
  };

  const off = ctx.events.onEvent((event) => {
    if (stopped) return;
    if (event.kind === 'order') {
      chain = track(chain.then(() => apply(event.order, 'stream')));
    } else if (event.kind === 'connection') {
      const level = event.state === 'connected' || event.state === 'resynced' ? 'info' : 'warn';
      log[level]({ state: event.state, detail: event.detail }, `account stream ${event.state}${event.state === 'resynced' ? ': live orders re-read over REST' : ''}`);
    }
  });

  let polling: Promise<number> | null = null;
  const pollOnce = (): Promise<number> => {
    if (polling) return polling;
    polling = track(
      (async () => {
        let fills = 0;
        const mine = (await openOrders(ctx.sql)).filter((o) => o.brokerOrderId !== null && POLLED.has(o.status));
        for (const o of mine) {
          if (stopped) break;
          try {
            fills += await apply(await ctx.broker.getOrder(o.brokerOrderId!), 'poll');
          } catch (error) {
            log.warn({ err: error, orderId: o.id, brokerOrderId: o.brokerOrderId }, 'polling an order failed');
          }
        }
        return fills;
      })()
        .catch((error: unknown) => {
          log.error({ err: error }, 'fill monitor poll failed');
          return 0;
        })
        .finally(() => {
          polling = null;
        }),
    );
    return polling;
  };

  const timer = pollEveryMs > 0 ? setInterval(() => void pollOnce(), pollEveryMs) : undefined;
  timer?.unref?.();

  return {
    pollOnce,
    async stop() {
      stopped = true;
      off();
      if (timer) clearInterval(timer);
      await Promise.allSettled([...pending]);
    },
  };
}
