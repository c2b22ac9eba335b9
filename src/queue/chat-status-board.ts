// Owns sharing the Discord bot's connection status between processes through Redis: the `chat` role writes it on
// every change and every few seconds (with an expiry), the `api` role reads it for GET /api/ready. A chat process that
// dies stops writing and its status expires. The active chat process (the lease holder: one bot per token) and a
// standby write under separate keys, so a standby never hides the active bot's status; a read prefers the active's.
// Writes never throw; a read that fails says so.
import type { Redis } from 'ioredis';
import type { ChatStatus } from '../chat/chat-status.js';
import { producerConnection } from './connection.js';

/** A status not refreshed for this long has expired (the writer refreshes every 5 s). */
export const CHAT_STATUS_TTL_MS = 20_000;

// KEYS[1] the active status, ARGV[1] a chat process: deleted only if that process wrote it (compare-and-delete)
const WITHDRAW = `
local text = redis.call('GET', KEYS[1])
if text and cjson.decode(text).activeIn == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface ChatStatusBoard {
  publish(status: ChatStatus): Promise<void>;
  /** The latest status the active chat process wrote, else a standby's, or null when none is fresh. */
  read(): Promise<ChatStatus | null>;
  /** Removes the active status if process `activeIn` wrote it (it lost the lease: its status no longer speaks). */
  withdraw(activeIn: string): Promise<void>;
  close(): Promise<void>;
}

export function createChatStatusBoard(redisUrl: string, prefix: string): ChatStatusBoard {
  let redis: Redis | undefined;
  const client = () => (redis ??= producerConnection(redisUrl));
  const activeKey = `${prefix}:chat:status`;
  const standbyKey = `${prefix}:chat:standby`;
  return {
    async publish(status) {
      await client()
        .set(status.role === 'standby' ? standbyKey : activeKey, JSON.stringify(status), 'PX', CHAT_STATUS_TTL_MS)
        .catch(() => {});
    },
    async read() {
      const [active, standby] = await client().mget(activeKey, standbyKey);
      const text = active ?? standby;
      return text ? (JSON.parse(text) as ChatStatus) : null;
    },
    async withdraw(activeIn) {
      await client()
        .eval(WITHDRAW, 1, activeKey, activeIn)
        .catch(() => {});
    },
    async close() {
      await redis?.quit().catch(() => redis?.disconnect());
    },
  };
}
