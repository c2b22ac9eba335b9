// Owns the fill monitor: broker truth about OUR orders reaches Postgres whatever the executor is doing. Every streamer
// `order` event is applied (source 'stream'); a polling fallback re-reads our working orders by their current broker id
// (source 'poll'). Fills are recorded once by fill id (applyBrokerOrder), so duplicates, reordering and a stream plus a
// poll reporting the same fill are harmless. Orders and fills only: group and trade statuses belong to the executor
// and reconciliation. With a handoff (the `monitor` queue), events and polling rounds become jobs that a worker runs
// through `applyOrder` / `pollOnce`, so they show in Bull Board; when the queue does not take a job within a bound
// (Redis down), the work is done here at once: a fill never waits for Redis. Balance and position events are not the
// monitor's: they are passed on to `onAccountChange` (a portfolio sync request), whose failure is only logged.
import type { BrokerOrder } from '../../domain/broker-order.js';
import type { Logger } from '../../log.js';
import { applyBrokerOrder } from '../broker-sync.js';
import type { AccountEvents, Broker } from '../ports.js';
import type { Store } from '../store-port.js';

/** Where the monitor hands its work to be run as jobs (src/queue/monitor-jobs.ts). */
export interface MonitorHandoff {
  syncOrder(order: BrokerOrder, source: 'stream' | 'poll'): Promise<void>;
  /** One polling round of a cadence of `everyMs` (two monitor processes run one round per period between them). */
  pollRound(everyMs: number): Promise<void>;
}

export interface FillMonitorContext {
  store: Store;
  broker: Broker;
  events: AccountEvents;
  log: Logger;
  /** Polling fallback period; default 3000 ms. 0 disables polling. */
  pollEveryMs?: number;
  /** Run events and polling rounds as jobs; without it they run in this process. */
  handoff?: MonitorHandoff;
  /** How long a handoff may take before the work is done here instead (default 2000 ms). */
  handoffTimeoutMs?: number;
  /** Hears every balance and position event (the account's portfolio sync request); its failure is logged. */
  onAccountChange?: (kind: 'balance' | 'position') => Promise<void> | void;
}

export interface OrderSynced {
  /** Our order, when the broker order is one of ours. */
  orderId: string | null;
  status: string | null;
  newFills: number;
}

export interface FillMonitor {
  /** One polling pass now (also what a `poll-orders` job runs); resolves to how many new fills it recorded. */
  pollOnce(): Promise<number>;
  /** Applies one broker order snapshot (what a `sync-order` job runs). */
  applyOrder(order: BrokerOrder, source: 'stream' | 'poll'): Promise<OrderSynced>;
  stop(): Promise<void>;
}

/** After a failed handoff, work is done in process for this long before the queue is tried again. */
const HANDOFF_RETRY_MS = 10_000;

/** Orders the broker may still fill and we know by broker id ('unknown' ones are reconciliation's). */
const POLLED = new Set(['working', 'partially_filled', 'pending_cancel']);

export function startFillMonitor(ctx: FillMonitorContext): FillMonitor {
  const log = ctx.log;
  const pollEveryMs = ctx.pollEveryMs ?? 3000;
  let stopped = false;
  // One chain: pushes are applied in arrival order, one at a time (the repo locks rows anyway)
  let chain: Promise<unknown> = Promise.resolve();
  const pending = new Set<Promise<unknown>>();

  const applyOrder = (order: BrokerOrder, source: 'stream' | 'poll'): Promise<OrderSynced> =>
    applyBrokerOrder(ctx, order, source).then((r) => {
      if (r && (r.newFills > 0 || r.changed)) {
        log.info(
          {
            orderId: r.order.id,
            brokerOrderId: order.brokerOrderId,
            status: r.order.status,
            newFills: r.newFills,
            source,
          },
          'order synced from broker',
        );
      }
      return { orderId: r?.order.id ?? null, status: r?.order.status ?? null, newFills: r?.newFills ?? 0 };
    });
  const apply = (order: BrokerOrder, source: 'stream' | 'poll') =>
    applyOrder(order, source)
      .then((r) => r.newFills)
      .catch((error: unknown) => {
        log.error({ err: error, brokerOrderId: order.brokerOrderId, source }, 'applying a broker order failed');
        return 0;
      });

  /** The handoff, or the work here when the queue does not take it in time (a late job re-applies harmlessly). */
  const handoffTimeoutMs = ctx.handoffTimeoutMs ?? 2000;
  // After a handoff fails, the next ones are skipped for a while: events queue behind each other, and waiting out the
  // bound for every one of them would hold the later fills back
  let bypassed = false;
  let bypassTimer: NodeJS.Timeout | undefined;
  const handOff = async (
    what: string,
    send: (h: MonitorHandoff) => Promise<void>,
    here: () => Promise<unknown>,
  ): Promise<void> => {
    const handoff = ctx.handoff;
    if (!handoff || bypassed) return void (await here());
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not taken within ${handoffTimeoutMs} ms`)), handoffTimeoutMs);
    });
    try {
      await Promise.race([send(handoff), timedOut]);
    } catch (error) {
      log.warn(
        { what, reason: error instanceof Error ? error.message : String(error), retryInMs: HANDOFF_RETRY_MS },
        'monitor queue unavailable: work done in this process',
      );
      bypassed = true;
      clearTimeout(bypassTimer);
      bypassTimer = setTimeout(() => (bypassed = false), HANDOFF_RETRY_MS);
      bypassTimer.unref?.();
      await here();
    } finally {
      clearTimeout(timer);
    }
  };

  const track = <T>(p: Promise<T>): Promise<T> => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
    return p;
  };

  // One request at a time, bounded like a handoff: a burst of events while one is on its way is one sync anyway (the
  // queue deduplicates), and a request Redis does not take never piles up behind the others
  let accountRequest: Promise<void> | null = null;
  const requestAccountSync = (kind: 'balance' | 'position') => {
    const onAccountChange = ctx.onAccountChange;
    if (!onAccountChange || accountRequest) return;
    let timer: NodeJS.Timeout | undefined;
    accountRequest = track(
      Promise.race([
        Promise.resolve().then(() => onAccountChange(kind)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`not taken within ${handoffTimeoutMs} ms`)), handoffTimeoutMs);
        }),
      ])
        .catch((error: unknown) =>
          log.warn({ err: error, kind }, 'portfolio sync request failed; the periodic sync follows'),
        )
        .finally(() => {
          clearTimeout(timer);
          accountRequest = null;
        }),
    );
  };

  const off = ctx.events.onEvent((event) => {
    if (stopped) return;
    if (event.kind === 'order') {
      const order = event.order;
      chain = track(
        chain.then(() =>
          handOff(
            `order ${order.brokerOrderId}`,
            (h) => h.syncOrder(order, 'stream'),
            () => apply(order, 'stream'),
          ),
        ),
      );
    } else if (event.kind === 'balance' || event.kind === 'position') {
      requestAccountSync(event.kind);
    } else if (event.kind === 'connection') {
      const level = event.state === 'connected' || event.state === 'resynced' ? 'info' : 'warn';
      log[level](
        { state: event.state, detail: event.detail },
        `account stream ${event.state}${event.state === 'resynced' ? ': live orders re-read over REST' : ''}`,
      );
    }
  });

  let polling: Promise<number> | null = null;
  const pollOnce = (): Promise<number> => {
    if (polling) return polling;
    polling = track(
      (async () => {
        let fills = 0;
        const mine = (await ctx.store.orders.open()).filter((o) => o.brokerOrderId !== null && POLLED.has(o.status));
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

  const round = () => void track(handOff('polling round', (h) => h.pollRound(pollEveryMs), pollOnce));
  const timer = pollEveryMs > 0 ? setInterval(round, pollEveryMs) : undefined;
  timer?.unref?.();

  return {
    pollOnce,
    applyOrder,
    async stop() {
      stopped = true;
      off();
      if (timer) clearInterval(timer);
      clearTimeout(bypassTimer);
      await Promise.allSettled([...pending]);
    },
  };
}
