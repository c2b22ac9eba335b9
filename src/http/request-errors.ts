// Owns the API's error shape `{error:{message}}`: HttpError, zod parsing that names the field, the 404 and error handlers.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { z } from 'zod';
import type { Logger } from '../log.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Parses `value` or throws a 400 naming each bad field, e.g. `body.reason: expected string, received number`. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const message = r.error.issues.map((i) => `${[where, ...i.path.map(String)].join('.')}: ${i.message}`).join('; ');
  throw new HttpError(400, message);
}

export const notFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: { message: `not found: ${req.method} ${req.path}` } });
};

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (res.headersSent) return next(err);
    if (err instanceof HttpError) return void res.status(err.status).json({ error: { message: err.message } });
    // express.json() failures carry a status (400 bad JSON, 413 too large)
    const status =
      typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' ? err.status : 500;
    if (status >= 500) log.error({ err }, 'http request failed');
    const message = status >= 500 ? 'internal error' : err instanceof Error ? err.message : String(err);
    res.status(status).json({ error: { message } });
  };
}
