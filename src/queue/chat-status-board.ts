// Owns sharing the Discord bot's connection status between processes through Redis: the `chat` role writes it on
// every change and every few seconds (with an expiry), the `api` role reads it for GET /api/ready. A chat process that
// dies stops writing and its status expires. Writes never throw; a read that fails says so.
import type { Redis } from 'ioredis';
import type { ChatStatus } from '../chat/chat-status.js';
import { producerConnection } from './connection.js';

/** A status not refreshed for this long has expired (the writer refreshes every 5 s). */
export const CHAT_STATUS_TTL_MS = 20_000;

export interface ChatStatusBoard {
  publish(status: ChatStatus): Promise<void>;
  /** The latest status a chat process wrote, or null when none is fresh. */
  read(): Promise<ChatStatus | null>;
  close(): Promise<void>;
}

export function createChatStatusBoard(redisUrl: string, prefix: string): ChatStatusBoard {
  let redis: Redis | undefined;
  const client = () => (redis ??= producerConnection(redisUrl));
  const key = `${prefix}:chat:status`;
  return {
    async publish(status) {
      await client()
        .set(key, JSON.stringify(status), 'PX', CHAT_STATUS_TTL_MS)
        .catch(() => {});
    },
    async read() {
      const text = await client().get(key);
      return text ? (JSON.parse(text) as ChatStatus) : null;
    },
    async close() {
      await redis?.quit().catch(() => redis?.disconnect());
    },
  };
}
