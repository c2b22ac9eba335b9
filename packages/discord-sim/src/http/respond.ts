// Owns turning a route's outcome into Discord's HTTP answer: JSON bodies, 204 without one, and DiscordApiError as
// `{message, code, errors?}` with its status.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { DiscordApiError } from '../core/errors.js';

export type Outcome = { status?: number; body?: unknown } | undefined;

/** Wraps a handler: its return value is the response; a thrown DiscordApiError becomes Discord's error answer. */
export function route(handler: (req: Request, res: Response) => Outcome | Promise<Outcome>): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const out = await handler(req, res);
      if (res.headersSent) return;
      if (out === undefined || out.body === undefined) res.status(out?.status ?? 204).end();
      else res.status(out.status ?? 200).json(out.body);
    } catch (error) {
      if (error instanceof DiscordApiError) {
        res.status(error.status).json(error.body());
        return;
      }
      next(error);
    }
  };
}

export const ok = (body: unknown, status = 200): Outcome => ({ status, body });
export const noContent = (): Outcome => ({ status: 204 });

/** The URL this server is reached at, as the client addressed it (works behind Docker port maps). */
export function baseUrlOf(req: Request): string {
  return `http://${req.headers.host ?? '127.0.0.1'}`;
}

/** Discord's boolean query strings: true, True or 1 (reference#boolean-query-strings). */
export function queryFlag(value: unknown): boolean {
  return value === 'true' || value === 'True' || value === '1';
}
