// Owns the HTTP server of the `api` role: express 5 with JSON bodies, pino-http request logs (authorization redacted by
// the app's logger), the dashboard's static files at / (its chart library at /vendor/uplot/), the JSON API at /api,
// Bull Board at /admin/queues(-view) and Prometheus metrics at /metrics; plus starting and stopping the listener.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import type { AppContext } from '../app/context.js';
import { adminRoutes } from './admin-routes.js';
import type { RiskSource } from './account-metrics.js';
import { appRiskReport, readRoutes } from './api-routes.js';
import { createAuth, type HttpAuth } from './auth.js';
import { mountBullBoard } from './bull-board.js';
import { errorHandler, notFound } from './request-errors.js';
import { createMetrics } from './metrics.js';

export const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

/** uPlot's dist folder (the dashboard's charts), or null when the package is not installed: the charts then say so. */
export function uplotDir(): string | null {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');
  } catch {
    return null;
  }
}

function packageVersion(): string {
  try {
    return (
      (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string })
        .version ?? 'unknown'
    );
  } catch {
    return 'unknown';
  }
}

export interface HttpAppOptions {
  /** Defaults to one built from app.config.http (which logs a generated admin password once when none is configured). */
  auth?: HttpAuth;
  /** Log every request (default true); /api/health and /metrics are never logged. */
  requestLogging?: boolean;
  /** The account's risk report for the legwork_account_* gauges of /metrics (default: the one GET /api/risk serves). */
  riskSource?: RiskSource;
}

export interface HttpApp {
  express: Express;
  auth: HttpAuth;
}

export function createHttpApp(app: AppContext, opts: HttpAppOptions = {}): HttpApp {
  const log = app.log.child({ component: 'http' });
  const auth =
    opts.auth ??
    createAuth({
      ...(app.config.http.admin ? { admin: app.config.http.admin } : {}),
      ...(app.config.http.viewer ? { viewer: app.config.http.viewer } : {}),
      log,
    });
  const http = express();
  http.disable('x-powered-by');
  if (opts.requestLogging !== false) {
    http.use(
      pinoHttp({
        logger: log,
        autoLogging: { ignore: (req) => req.url === '/api/health' || req.url === '/metrics' },
        customLogLevel: (_req, res, err) =>
          err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'debug',
      }),
    );
  }
  mountBullBoard(http, app, auth); // before express.json(): the board's sub-app parses its own bodies
  http.use(express.json({ limit: '64kb' }));
  const risk = appRiskReport(app);
  http.use('/api', readRoutes(app, auth, { version: packageVersion(), startedAt: Date.now(), risk }));
  http.use('/api', adminRoutes(app, auth));
  const metrics = createMetrics(app, { riskSource: opts.riskSource ?? (() => risk.get()), log });
  http.get('/metrics', auth.requireViewerOrLoopback, async (_req, res) => {
    res.set('Content-Type', metrics.contentType).send(await metrics.metrics());
  });
  const uplot = uplotDir();
  if (uplot) http.use('/vendor/uplot', express.static(uplot, { index: false }));
  http.use('/', express.static(PUBLIC_DIR, { index: 'index.html' }));
  http.use(notFound);
  http.use(errorHandler(log));
  return { express: http, auth };
}

export interface RunningHttpServer {
  url: string;
  auth: HttpAuth;
  close(): Promise<void>;
}

export async function startHttpServer(
  app: AppContext,
  options: { port?: number; host?: string } & HttpAppOptions = {},
): Promise<RunningHttpServer> {
  const { express: http, auth } = createHttpApp(app, options);
  const host = options.host ?? '0.0.0.0';
  const server = await new Promise<import('node:http').Server>((resolve, reject) => {
    const s = http.listen(options.port ?? app.config.http.port, host, (error?: Error) =>
      error ? reject(error) : resolve(s),
    );
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    auth,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
