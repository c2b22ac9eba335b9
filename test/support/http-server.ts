// Owns serving the HTTP app of an integration test: createHttpApp on a free loopback port (request logs off unless
// asked for), its base URL, and closing it with its open connections.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppContext } from '../../src/app/context.js';
import { createHttpApp, type HttpAppOptions } from '../../src/http/server.js';

export interface ServedHttpApp {
  server: Server;
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  base: string;
  /** Drops the open (keep-alive) connections and waits for the listener to close; never throws. */
  close(): Promise<void>;
}

/** createHttpApp(ctx, options) listening on 127.0.0.1 at a free port; `requestLogging` defaults to false. */
export async function serveHttpApp(ctx: AppContext, options: HttpAppOptions = {}): Promise<ServedHttpApp> {
  const { express } = createHttpApp(ctx, { requestLogging: false, ...options });
  const server = await new Promise<Server>((resolve) => {
    const s = express.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    server,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
