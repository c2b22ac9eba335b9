// Owns driving the local Discord server (@legwork/discord-sim) from tests over its control routes, as the people in a
// channel would: post a message, run a slash command, click a button; read what the bot posted; break the gateway.
import type { DiscordSimHandle, InteractionSummary, MessageSummary, OutageMode } from '@legwork/discord-sim';
import { waitUntil } from './wait-until.js';

export interface DiscordDriver {
  /** A user's message in a channel (MESSAGE_CREATE goes out before this resolves). */
  say(userId: string, content: string, channelId: string): Promise<MessageSummary>;
  slash(
    userId: string,
    command: string,
    options: Record<string, string | boolean>,
    channelId: string,
  ): Promise<InteractionSummary>;
  click(userId: string, messageId: string, customId: string): Promise<InteractionSummary>;
  /** The bot's messages in a channel, oldest first. */
  botMessages(channelId: string): Promise<MessageSummary[]>;
  interaction(id: string): Promise<InteractionSummary>;
  /** An interaction's answer, waited for: its response message once it is no longer "thinking". */
  answer(interactionId: string): Promise<{ interaction: InteractionSummary; message: MessageSummary }>;
  /** The bot's first message in the channel that `match` accepts, waited for. */
  waitForMessage(channelId: string, match: (m: MessageSummary) => boolean, what: string): Promise<MessageSummary>;
  drop(body?: Record<string, unknown>): Promise<void>;
  /** Refuses gateway connections for `ms` (0 ends an outage); `stall` holds each handshake until the end, then 503. */
  outage(ms: number, mode?: OutageMode): Promise<void>;
  commands(): Promise<{ global: { name: string }[]; guild: { name: string; options?: { name: string }[] }[] }>;
}

export function discordDriver(sim: DiscordSimHandle): DiscordDriver {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${sim.baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  const driver: DiscordDriver = {
    say: (userId, content, channelId) => call('POST', '/__discord/messages', { channelId, userId, content }),
    slash: (userId, command, options, channelId) =>
      call('POST', '/__discord/interactions', { channelId, userId, command, options }),
    click: (userId, messageId, customId) => call('POST', '/__discord/interactions', { userId, messageId, customId }),
    botMessages: async (channelId) =>
      (await call<{ messages: MessageSummary[] }>('GET', `/__discord/channels/${channelId}/messages`)).messages,
    interaction: (id) => call('GET', `/__discord/interactions/${id}`),
    answer: async (interactionId) => {
      const i = await waitUntil(
        async () => {
          const x = await driver.interaction(interactionId);
          return x.responseMessageId && !x.loading ? x : undefined;
        },
        { timeoutMs: 15_000, what: `an answer to interaction ${interactionId}` },
      );
      const message = (await driver.botMessages(i.channelId)).find((m) => m.id === i.responseMessageId);
      if (!message) throw new Error(`interaction ${interactionId}: its response ${i.responseMessageId} is not listed`);
      return { interaction: i, message };
    },
    waitForMessage: (channelId, match, what) =>
      waitUntil(async () => (await driver.botMessages(channelId)).find(match), { timeoutMs: 15_000, what }),
    drop: async (body = { mode: 'terminate' }) => void (await call('POST', '/__discord/drop', body)),
    outage: async (ms, mode) => void (await call('POST', '/__discord/outage', { ms, ...(mode ? { mode } : {}) })),
    commands: () => call('GET', '/__discord/commands'),
  };
  return driver;
}
