// Owns Tastytrade's JSON envelopes on the venue: {data, context}, {data:{items}} (+ pagination), {error:{...}}.
import type { Request, Response } from 'express';
import type { JsonObject, WireError } from '../types.js';

/** The request path without the query string, as Tastytrade puts it in `context`. */
export function contextOf(req: Request): string {
  return req.originalUrl.split('?')[0] ?? req.path;
}

export function sendData(req: Request, res: Response, data: unknown, status = 200): void {
  res.status(status).json({ data, context: contextOf(req) });
}

export function sendItems(req: Request, res: Response, items: unknown[], pagination?: JsonObject): void {
  const body: JsonObject = { data: { items }, context: contextOf(req) };
  if (pagination) body['pagination'] = pagination;
  res.status(200).json(body);
}

export function sendError(res: Response, status: number, error: WireError): void {
  res.status(status).json({ error });
}

export function notFound(res: Response, what: string): void {
  sendError(res, 404, { code: 'not_found', message: `${what} not found` });
}

/** Wraps a result of the venue core into the matching HTTP response. */
export function sendResult(
  req: Request,
  res: Response,
  result: { ok: true; value: unknown } | { ok: false; httpStatus: number; error: WireError },
  okStatus = 200,
): void {
  if (result.ok) sendData(req, res, result.value, okStatus);
  else sendError(res, result.httpStatus, result.error);
}
