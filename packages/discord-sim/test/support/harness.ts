// Owns what the Discord server's tests share: starting it, an unmodified discord.js Client pointed at it, waiting for a
// condition (never for a time), and calling the control routes.
import { Client, type ClientOptions, GatewayIntentBits } from 'discord.js';
import { type DiscordSimHandle, type StartDiscordSimOptions, startDiscordSim } from '../../src/index.js';

export const TOKEN = 'sim-bot-token';
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export function startSim(options: StartDiscordSimOptions = {}): Promise<DiscordSimHandle> {
  return startDiscordSim({ token: TOKEN, ...options });
}

export const DEFAULT_INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.MessageContent,
];

/** The options Legwork's bot uses: the REST base is the server's /api; the gateway URL comes from GET /gateway/bot. */
export function clientOptions(sim: DiscordSimHandle, intents: number[] = DEFAULT_INTENTS): ClientOptions {
  return { intents, rest: { api: sim.apiUrl } };
}

/** A logged-in client, ready (READY and GUILD_CREATE received). */
export async function loginClient(sim: DiscordSimHandle, intents?: number[], token = TOKEN): Promise<Client> {
  const client = new Client(clientOptions(sim, intents));
  const ready = new Promise<void>((resolve) => client.once('clientReady', () => resolve()));
  await client.login(token);
  await ready;
  return client;
}

export interface ControlAnswer<T = any> {
  status: number;
  body: T;
}

export async function control<T = any>(
  sim: DiscordSimHandle,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<ControlAnswer<T>> {
  const res = await fetch(`${sim.baseUrl}${path}`, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** A REST call as a bot would make it (Authorization: Bot <token>), path after /api/v10. */
export async function api<T = any>(
  sim: DiscordSimHandle,
  method: string,
  path: string,
  body?: unknown,
  token: string | null = TOKEN,
): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(`${sim.apiUrl}/v10${path}`, {
    method,
    headers: {
      ...(token !== null ? { authorization: `Bot ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
}

/** The bot's messages in a channel as the control route lists them. */
export async function botMessages(sim: DiscordSimHandle, channelId: string): Promise<any[]> {
  const { body } = await control(sim, 'GET', `/__discord/channels/${channelId}/messages`);
  return body.messages;
}
