// Owns starting and stopping the local Discord server: one HTTP server carrying the REST API under /api/v10, the
// gateway WebSocket (/gateway, resumes on /gateway/resume), uploaded files and the /__discord control routes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { type DiscordSimConfig, type DiscordSimOptions, resolveConfig } from './config.js';
import { createControl, type DiscordSimControl } from './control.js';
import { createCore } from './core/core.js';
import { errors } from './core/errors.js';
import { createGateway, RESUME_PATH } from './gateway/gateway.js';
import { accountRoutes, GATEWAY_PATH, gatewayUrl } from './http/account-routes.js';
import { requireBot, tokenCheck } from './http/auth.js';
import { commandRoutes } from './http/command-routes.js';
import { controlRoutes } from './http/control-routes.js';
import { interactionRoutes } from './http/interaction-routes.js';
import { messageRoutes } from './http/message-routes.js';
import { RateLimiter } from './http/rate-limit.js';
import { INTENT } from './intents.js';
import { guildCreatePayload } from './wire/guild.js';
import { currentUserObject } from './wire/users.js';

export interface StartDiscordSimOptions extends DiscordSimOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  log?: (message: string, extra?: Record<string, unknown>) => void;
}

export interface DiscordSimHandle {
  /** http://host:port: the control routes live here. */
  baseUrl: string;
  /** What discord.js takes as `rest.api` (and Legwork as DISCORD_API_URL): `${baseUrl}/api`. */
  apiUrl: string;
  /** The gateway URL GET /gateway/bot hands out. */
  gatewayUrl: string;
  port: number;
  config: DiscordSimConfig;
  control: DiscordSimControl;
  close(): Promise<void>;
}

export const API_PREFIX = '/api/v10';

export async function startDiscordSim(options: StartDiscordSimOptions = {}): Promise<DiscordSimHandle> {
  const config = resolveConfig(options);
  const log = options.log ?? (() => {});
  const core = createCore(config);
  const { world } = core.ctx;
  const isValidToken = tokenCheck(config.token);
  const startedAt = Date.now();
  const gateway = createGateway({
    config,
    isValidToken,
    log,
    readyData: (shard) => ({
      v: 10,
      user: currentUserObject(world.bot),
      guilds: [{ id: world.guild.id, unavailable: true }],
      application: { id: world.applicationId, flags: 0 },
      ...(shard ? { shard } : {}),
    }),
    afterReady: () => [{ t: 'GUILD_CREATE', d: guildCreatePayload(world), intent: INTENT.GUILDS }],
  });
  core.setSink((event) => gateway.dispatch(event));
  const limiter = new RateLimiter(config.rateLimit);
  const control = createControl(core, gateway, limiter);

  const api = Router();
  api.use(limiter.middleware());
  api.get('/gateway', (req, res) => {
    res.json({ url: gatewayUrl(req) });
  });
  api.use(interactionRoutes(core));
  api.use(requireBot(isValidToken));
  api.use(accountRoutes(core, gateway, startedAt));
  api.use(commandRoutes(core));
  api.use(messageRoutes(core));
  api.use((_req, res) => {
    const e = errors.notFound();
    res.status(e.status).json(e.body());
  });

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '25mb' }));
  app.use(express.raw({ type: 'multipart/form-data', limit: '25mb' }));
  app.use(controlRoutes(control, config.users[0]?.id ?? world.bot.id));
  app.get('/attachments/:channelId/:id/:filename', (req, res) => {
    const file = core.attachments.get(String(req.params['id']));
    if (!file) return void res.status(404).end();
    res.type(file.contentType).send(file.data);
  });
  app.use(API_PREFIX, api);
  app.use((_req, res) => {
    const e = errors.notFound();
    res.status(e.status).json(e.body());
  });
  // Malformed JSON and anything a route throws end as Discord-style errors, never an HTML page
  app.use((err: Error & { type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    if (err.type === 'entity.parse.failed') {
      res.status(400).json({ message: 'The request body contains invalid JSON.', code: 50109 });
      return;
    }
    log('discord-sim route failed', { error: err.stack ?? String(err) });
    res.status(500).json({ message: '500: Internal Server Error', code: 0 });
  });

  const server: Server = createServer(app);
  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0]?.replace(/\/+$/, '');
    if (path === GATEWAY_PATH || path === RESUME_PATH) gateway.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  const baseUrl = `http://${host}:${port}`;

  return {
    baseUrl,
    apiUrl: `${baseUrl}/api`,
    gatewayUrl: `ws://${host}:${port}${GATEWAY_PATH}`,
    port,
    config,
    control,
    async close() {
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
