// While Redis is unreachable the queues report connection errors to their owner instead of printing raw stacks
// through BullMQ's console.error fallback (a chaos campaign with a Redis restart printed six bare ECONNREFUSED stacks).
import { createServer } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createQueues, type Queues } from '../../../src/queue/queues.js';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let queues: Queues | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await queues?.close().catch(() => {});
});

describe('queue connection errors', () => {
  it('go to onError, once per queue and message, and never to console.error', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    const heard: { queue: string; message: string }[] = [];
    const port = await closedPort();
    queues = createQueues({ redisUrl: `redis://127.0.0.1:${port}`, prefix: 'queue-errors' }, (queue, error) =>
      heard.push({ queue, message: error.message }),
    );
    // ioredis retries about every 50–2000 ms: wait until every queue has reported and a few retries have passed
    await vi.waitFor(() => expect(new Set(heard.map((h) => h.queue)).size).toBeGreaterThanOrEqual(7), {
      timeout: 10_000,
      interval: 50,
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect(printed).not.toHaveBeenCalled();
    expect(heard.every((h) => h.message.includes('ECONNREFUSED'))).toBe(true);
    const perQueue = new Map<string, number>();
    for (const h of heard) perQueue.set(h.queue, (perQueue.get(h.queue) ?? 0) + 1);
    expect([...perQueue.values()].every((n) => n === 1)).toBe(true);
  });
});
