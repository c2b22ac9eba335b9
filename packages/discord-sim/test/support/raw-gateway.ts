// Owns a raw gateway client for protocol tests: connect, read payloads in order, send, and see the close code.
import WebSocket from 'ws';
import type { DiscordSimHandle } from '../../src/index.js';
import { TOKEN, waitFor } from './harness.js';

export interface Payload {
  op: number;
  d: any;
  s: number | null;
  t: string | null;
}

export interface RawGateway {
  ws: WebSocket;
  /** The next payload not read yet. */
  next(what?: string): Promise<Payload>;
  send(op: number, d: unknown): void;
  sendRaw(data: string): void;
  /** The close code once the server closes the connection. */
  closed(): Promise<number>;
  close(code?: number): Promise<void>;
}

export async function connectRaw(sim: DiscordSimHandle, path = '/gateway?v=10&encoding=json'): Promise<RawGateway> {
  const ws = new WebSocket(`${sim.baseUrl.replace('http', 'ws')}${path}`);
  const inbox: Payload[] = [];
  let closeCode: number | undefined;
  ws.on('message', (data) => inbox.push(JSON.parse(data.toString()) as Payload));
  ws.on('close', (code) => {
    closeCode = code;
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    next: (what = 'a payload') => waitFor(() => inbox.shift(), what, 5000),
    send: (op, d) => ws.send(JSON.stringify({ op, d })),
    sendRaw: (data) => ws.send(data),
    closed: () => waitFor(() => closeCode, 'the close', 5000),
    close: async (code = 1000) => {
      if (ws.readyState === WebSocket.OPEN) ws.close(code);
      await waitFor(() => closeCode !== undefined, 'the close', 5000);
    },
  };
}

export const identifyData = (intents = 1 | (1 << 9) | (1 << 15), token = TOKEN) => ({
  token,
  intents,
  properties: { os: 'linux', browser: 'raw-test', device: 'raw-test' },
});

/** HELLO, IDENTIFY, READY, GUILD_CREATE: a connected session. */
export async function identified(sim: DiscordSimHandle, intents?: number): Promise<{ gw: RawGateway; ready: Payload }> {
  const gw = await connectRaw(sim);
  await gw.next('HELLO');
  gw.send(2, identifyData(intents));
  const ready = await gw.next('READY');
  return { gw, ready };
}
