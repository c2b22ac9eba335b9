// The fill monitor passes the account streamer's balance and position events on as portfolio sync requests: one
// request at a time, a request that fails or hangs only logged, order events unaffected.
import { describe, expect, it } from 'vitest';
import type { Balances, Position } from '../../../src/domain/account.js';
import { createLogger } from '../../../src/log.js';
import { startFillMonitor } from '../../../src/pipeline/monitor/monitor-stage.js';
import type { AccountEvent, AccountEvents, Broker } from '../../../src/pipeline/ports.js';
import { createMemoryStore } from '../../support/memory-store.js';

const balances: Balances = {
  accountNumber: 'A',
  cashCents: 1,
  netLiquidatingValueCents: 1,
  derivativeBuyingPowerCents: 1,
  equityBuyingPowerCents: 1,
  maintenanceRequirementCents: 0,
  updatedAt: null,
};
const position = { accountNumber: 'A', symbol: 'SPY', quantity: 1 } as Position;

function source() {
  const listeners: ((e: AccountEvent) => void)[] = [];
  const events: AccountEvents = {
    start: async () => {},
    stop: async () => {},
    onEvent(l) {
      listeners.push(l);
      return () => listeners.splice(listeners.indexOf(l), 1);
    },
    connected: true,
  };
  return {
    events,
    emit: (e: AccountEvent) => {
      for (const l of listeners) l(e);
    },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('fill monitor: account events', () => {
  it('asks for a portfolio sync after balance and position events, one request at a time', async () => {
    const { events, emit } = source();
    const asked: string[] = [];
    let release!: () => void;
    const monitor = startFillMonitor({
      store: createMemoryStore(),
      broker: {} as Broker,
      events,
      log: createLogger({ level: 'silent', pretty: false }),
      pollEveryMs: 0,
      onAccountChange: (kind) => {
        asked.push(kind);
        return new Promise<void>((r) => (release = r));
      },
    });
    emit({ kind: 'balance', balances, receivedAt: 0 });
    emit({ kind: 'position', position, receivedAt: 0 }); // while the first request is on its way: joins it
    await tick();
    expect(asked).toEqual(['balance']);
    release();
    await tick();
    emit({ kind: 'position', position, receivedAt: 0 });
    await tick();
    expect(asked).toEqual(['balance', 'position']);
    release();
    await monitor.stop();
  });

  it('a request that fails or is not taken in time is logged and the next event asks again', async () => {
    const { events, emit } = source();
    const lines: string[] = [];
    const log = createLogger({
      level: 'warn',
      pretty: false,
      destination: { write: (s: string) => void lines.push(s) },
    });
    let calls = 0;
    const monitor = startFillMonitor({
      store: createMemoryStore(),
      broker: {} as Broker,
      events,
      log,
      pollEveryMs: 0,
      handoffTimeoutMs: 20,
      onAccountChange: () => {
        calls += 1;
        if (calls === 1) throw new Error('Redis down');
        return new Promise<void>(() => {}); // never taken
      },
    });
    emit({ kind: 'balance', balances, receivedAt: 0 });
    await tick();
    emit({ kind: 'balance', balances, receivedAt: 0 });
    await new Promise((r) => setTimeout(r, 50));
    emit({ kind: 'balance', balances, receivedAt: 0 });
    await monitor.stop();
    expect(calls).toBe(3);
    const warnings = lines.map((l) => JSON.parse(l) as { msg: string; err?: { message: string } });
    expect(warnings.map((w) => [w.msg, w.err?.message])).toEqual([
      ['portfolio sync request failed; the periodic sync follows', 'Redis down'],
      ['portfolio sync request failed; the periodic sync follows', 'not taken within 20 ms'],
      ['portfolio sync request failed; the periodic sync follows', 'not taken within 20 ms'],
    ]);
  });
});
