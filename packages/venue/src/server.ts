// Owns starting and stopping the local Tastytrade venue: one HTTP server carrying REST, the account streamer and DXLink.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { createMarketClock } from './clock.js';
import { createMarketModel } from './market/market.js';
import { createVenue } from './core/venue.js';
import { createAccountStreamer } from './streams/account-streamer.js';
import { createDxlinkServer } from './streams/dxlink.js';
import { TokenStore, requireBearer, type AuthOptions } from './http/auth.js';
import { FaultState, httpFaults } from './http/faults.js';
import { RequestLog } from './http/request-log.js';
import { accountRoutes } from './http/account-routes.js';
import { marketRoutes } from './http/market-routes.js';
import { controlRoutes } from './http/control-routes.js';
import { sendError } from './http/envelope.js';
import { createControl, type VenueControl } from './control.js';
import { checkResumable, createStateSaver, readStateFile } from './state-file.js';
import type { ClockSpec, MarketModel, MarketClock, UnderlyingSpec, Venue } from './types.js';

export interface StartVenueOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  seed?: number;
  clock?: ClockSpec;
  underlyings?: UnderlyingSpec[];
  accounts?: { accountNumber: string; cashCents: number; nickname?: string; marginOrCash?: 'Margin' | 'Cash' }[];
  auth?: AuthOptions;
  /** How often (wall ms) prices step and the venue routes, fills and expires orders. */
  tickMs?: number;
  /** Reject camelCase keys inside legs[] (default true: stricter than Tastytrade, catches client bugs). */
  strictLegKeys?: boolean;
  log?: (message: string, extra?: Record<string, unknown>) => void;
  /**
   * A paper account kept across restarts: the accounts, positions, orders, transactions and id counters are read from
   * this file at the start (when it exists) and written to it as they change and at close(). Default: none (in memory).
   * A file saved later than the clock starts is refused (VenueStateError).
   */
  stateFile?: string;
}

export interface VenueHandle {
  baseUrl: string;
  streamerUrl: string;
  dxlinkUrl: string;
  port: number;
  clock: MarketClock;
  market: MarketModel;
  venue: Venue;
  control: VenueControl;
  /** Requests received per method and path (the API routes, not /__sim). */
  requests: RequestLog;
  /** With `stateFile`: the file, and what it held at the start (null: no file yet, a new account). */
  state?: { file: string; restored: { savedAt: number; positions: number; orders: number } | null };
  close(): Promise<void>;
}

const STREAMER_PATH = '/streamer';
const DXLINK_PATH = '/dxlink';

export async function startVenue(options: StartVenueOptions = {}): Promise<VenueHandle> {
  const log = options.log ?? (() => {});
  const seed = options.seed ?? 42;
  const clock = createMarketClock(options.clock ?? { mode: 'open' });
  const market = createMarketModel({
    clock,
    seed,
    ...(options.underlyings ? { underlyings: options.underlyings } : {}),
  });
  const saved = options.stateFile ? readStateFile(options.stateFile) : undefined;
  if (options.stateFile && saved) checkResumable(options.stateFile, saved, clock.now());
  const venue = createVenue({
    clock,
    market,
    seed,
    ...(saved ? { restore: saved } : {}),
    ...(options.accounts ? { accounts: options.accounts } : {}),
    ...(options.strictLegKeys !== undefined ? { strictLegKeys: options.strictLegKeys } : {}),
  });
  const tokens = new TokenStore(options.auth);
  const faults = new FaultState();
  const requests = new RequestLog();
  const accountStreamer = createAccountStreamer({ venue, isValidToken: (t) => tokens.isValidAccess(t) });
  const dxlink = createDxlinkServer({ market, isValidToken: (t) => tokens.isValidQuoteToken(t) });
  const control = createControl({ clock, market, venue, faults, accountStreamer, dxlink });
  const saver = options.stateFile ? createStateSaver(options.stateFile, () => venue.exportState(), log) : undefined;
  if (saver) venue.onEvent(() => saver.changed());

  let baseUrl = '';
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '1mb' }));
  app.use(controlRoutes(control));
  app.post('/oauth/token', (req, res) => {
    const issued = tokens.issue(req.body);
    res.status(issued.status).json(issued.body);
  });
  app.use(requests.middleware());
  app.use(httpFaults(faults));
  app.use(requireBearer(tokens));
  app.use(accountRoutes(venue, faults));
  app.use(
    marketRoutes({
      market,
      clock,
      tokens,
      dxlinkUrl: (req) => `ws://${req.headers.host ?? baseUrl.slice('http://'.length)}${DXLINK_PATH}`,
    }),
  );
  app.use((_req: Request, res: Response) => sendError(res, 404, { code: 'not_found', message: 'Resource not found' }));
  // Malformed JSON bodies and anything thrown by a route end as a Tastytrade-style error, never an HTML page
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    if (err.type === 'entity.parse.failed') {
      return sendError(res, 400, { code: 'invalid_json', message: `Request body is not valid JSON: ${err.message}` });
    }
    log('venue route failed', { error: err.stack ?? String(err) });
    sendError(res, 500, { code: 'internal_server_error', message: 'Internal Server Error' });
  });

  const server: Server = createServer(app);
  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === STREAMER_PATH) accountStreamer.handleUpgrade(req, socket, head);
    else if (path === DXLINK_PATH) dxlink.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  baseUrl = `http://${host}:${port}`;
  // The file exists from the start (a new account too), once the venue is sure to run
  saver?.flush();

  const timer = setInterval(() => {
    try {
      control.tick();
    } catch (error) {
      log('venue tick failed', { error: error instanceof Error ? error.stack : String(error) });
    }
    saver?.flushIfDue();
  }, options.tickMs ?? 100);
  timer.unref();

  return {
    baseUrl,
    streamerUrl: `ws://${host}:${port}${STREAMER_PATH}`,
    dxlinkUrl: `ws://${host}:${port}${DXLINK_PATH}`,
    port,
    clock,
    market,
    venue,
    control,
    requests,
    ...(options.stateFile
      ? {
          state: {
            file: options.stateFile,
            restored: saved
              ? {
                  savedAt: saved.savedAt,
                  positions: saved.accounts.reduce((n, a) => n + a.positions.length, 0),
                  orders: saved.orders.length,
                }
              : null,
          },
        }
      : {}),
    async close() {
      clearInterval(timer);
      saver?.flush();
      await Promise.all([accountStreamer.close(), dxlink.close()]);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
