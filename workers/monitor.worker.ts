// Owns the long-lived fill monitor of one process (not a BullMQ job): its own account-streamer connection over the
// configured broker, the stream → Postgres sync and the polling fallback. Started by `legwork start` / `worker monitor`.
import type { AppContext } from '../src/app/context.js';
import { createAccountEvents } from '../src/broker/tastytrade/account-stream.js';
import { createTastytradeClient } from '../src/broker/tastytrade/client.js';
import { startFillMonitor } from '../src/pipeline/fill-monitor.js';
import type { AccountEvents } from '../src/pipeline/ports.js';

export interface RunningMonitor {
  events: AccountEvents;
  pollOnce(): Promise<number>;
  stop(): Promise<void>;
}

export async function runMonitor(app: AppContext, options: { pollEveryMs?: number; events?: AccountEvents } = {}): Promise<RunningMonitor> {
  const log = app.log.child({ component: 'fill-monitor' });
  const events =
    options.events ??
    createAccountEvents({ client: createTastytradeClient(app.config.broker, log), broker: app.broker, accountNumber: app.broker.accountNumber, log });
  // Subscribe before the stream starts, so the first resync's replay of live orders is applied too
  const monitor = startFillMonitor({ sql: app.sql, broker: app.broker, events, log, ...(options.pollEveryMs !== undefined ? { pollEveryMs: options.pollEveryMs } : {}) });
  await events.start();
  void monitor.pollOnce();
  return {
    events,
    pollOnce: () => monitor.pollOnce(),
    async stop() {
      await events.stop();
      await monitor.stop();
    },
  };
}
