// Owns HTTP Basic auth for the server: two roles (admin: everything; viewer: read-only), constant-time credential checks,
// and the loopback-only fallback when no admin user is configured (a random password generated at start, logged ONCE).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { HttpCredentials } from '../config/env.js';
import type { Logger } from '../log.js';

export type Role = 'admin' | 'viewer';

export const REALM = 'legwork';
export const GENERATED_ADMIN_USER = 'admin';

/** Constant-time string equality: both sides are hashed first so neither content nor length leaks through timing. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

/** The credentials of an `Authorization: Basic …` header, or null when absent or malformed. */
export function parseBasic(header: string | undefined): HttpCredentials | null {
  if (!header) return null;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** True for a client on this machine (the socket's address, never a forwarded header). */
export function isLoopback(req: Pick<Request, 'socket'>): boolean {
  const addr = req.socket.remoteAddress ?? '';
  return addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.');
}

export interface AuthOptions {
  admin?: HttpCredentials;
  viewer?: HttpCredentials;
  log?: Logger;
  /** For tests: the generated admin password. */
  generatePassword?: () => string;
}

export interface HttpAuth {
  /** 'env': LEGWORK_ADMIN_USER/PASSWORD; 'generated': user `admin`, random password, loopback clients only. */
  adminSource: 'env' | 'generated';
  adminUser: string;
  viewerConfigured: boolean;
  /** The role these request's credentials grant (null: none or wrong). Generated admin credentials count on loopback only. */
  roleOf(req: Request): Role | null;
  /** Viewer or admin. */
  requireViewer: RequestHandler;
  /** Admin only: viewer gets 403; in generated mode a non-loopback client gets 403 too. */
  requireAdmin: RequestHandler;
  /** Viewer/admin, or no credentials at all from a loopback client (for a local Prometheus). */
  requireViewerOrLoopback: RequestHandler;
}

const unauthorized = (res: Response) =>
  res
    .status(401)
    .set('WWW-Authenticate', `Basic realm="${REALM}", charset="UTF-8"`)
    .json({ error: { message: 'authentication required' } });
const forbidden = (res: Response, message: string) => res.status(403).json({ error: { message } });

export function createAuth(options: AuthOptions = {}): HttpAuth {
  const generated = !options.admin;
  const admin: HttpCredentials = options.admin ?? {
    user: GENERATED_ADMIN_USER,
    password: (options.generatePassword ?? (() => randomBytes(18).toString('base64url')))(),
  };
  if (generated) {
    // The one and only place the generated password appears
    options.log?.warn(
      `LEGWORK_ADMIN_USER is not set: admin access is for loopback clients only, user "${admin.user}" password "${admin.password}" (generated for this process; set LEGWORK_ADMIN_USER/LEGWORK_ADMIN_PASSWORD to choose one)`,
    );
  }
  const viewer = options.viewer;

  const matches = (given: HttpCredentials, want: HttpCredentials): boolean => {
    // Evaluate both comparisons every time: no short-circuit on the user name
    const u = safeEqual(given.user, want.user);
    const p = safeEqual(given.password, want.password);
    return u && p;
  };

  const identify = (req: Request): { role: Role; user: string } | null => {
    const given = parseBasic(req.headers.authorization);
    if (!given) return null;
    const isAdmin = matches(given, admin);
    const isViewer = viewer ? matches(given, viewer) : false;
    if (isAdmin && (!generated || isLoopback(req))) return { role: 'admin', user: given.user };
    if (isViewer) return { role: 'viewer', user: given.user };
    return null;
  };
  const roleOf = (req: Request): Role | null => identify(req)?.role ?? null;

  const requireViewer: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    const who = identify(req);
    if (!who) return void unauthorized(res);
    res.locals['role'] = who.role;
    res.locals['user'] = who.user;
    next();
  };

  const requireAdmin: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    if (generated && !isLoopback(req))
      return void forbidden(res, 'admin access is only served to loopback clients while LEGWORK_ADMIN_USER is not set');
    const who = identify(req);
    if (!who) return void unauthorized(res);
    if (who.role !== 'admin') return void forbidden(res, 'this action needs the admin role');
    res.locals['role'] = who.role;
    res.locals['user'] = who.user;
    next();
  };

  const requireViewerOrLoopback: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    if (!req.headers.authorization && isLoopback(req)) return void next();
    requireViewer(req, res, next);
  };

  return {
    adminSource: generated ? 'generated' : 'env',
    adminUser: admin.user,
    viewerConfigured: !!viewer,
    roleOf,
    requireViewer,
    requireAdmin,
    requireViewerOrLoopback,
  };
}
