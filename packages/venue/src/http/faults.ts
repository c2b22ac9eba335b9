// Owns the venue's injected faults: what is armed, how many times it fires, and the HTTP side of firing them.
import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { sendError } from './envelope.js';

export const FAULT_KINDS = [
  'http500AfterCreate', // the order IS created, the client sees a 500
  'hang', // the request is processed, the response is held back for `ms`
  'rateLimit', // 429 without processing
  'dropStreams', // every streamer and DXLink socket is closed abruptly
  'silentStreams', // sockets stay open but nothing is sent for `ms`
  'duplicatePushes', // the next `count` account-streamer notifications are sent twice
  'reorderPushes', // the next `count` pairs of account-streamer notifications are swapped
  'delayedSubmit', // the next `count` order POSTs (or PUTs) are held `ms` BEFORE they are processed: the order appears late
  'fillsLag', // the next `count` orders to fill report Filled (remaining 0) with only their first leg's fills for `ms` (wall time)
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const faultRequestSchema = z
  .object({
    kind: z.enum(FAULT_KINDS),
    count: z.number().int().positive().optional(),
    ms: z.number().int().nonnegative().optional(),
    /** Only requests whose path starts with this prefix are affected (HTTP faults). */
    path: z.string().startsWith('/').optional(),
    /** With `path`: only that exact path (so `/accounts/X/orders` holds a submit, not its dry-run `…/orders/dry-run`). */
    exact: z.boolean().optional(),
  })
  .strict();
export type FaultRequest = z.infer<typeof faultRequestSchema>;

interface Armed {
  kind: FaultKind;
  remaining: number;
  ms: number;
  path?: string;
  exact?: boolean;
}

export class FaultState {
  private armed: Armed[] = [];
  /** Counters of faults that actually fired, by kind (for tests and chaos reports). */
  readonly fired: Record<FaultKind, number> = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<
    FaultKind,
    number
  >;

  arm(request: FaultRequest): void {
    const defaultsMs: Partial<Record<FaultKind, number>> = {
      hang: 30_000,
      silentStreams: 10_000,
      fillsLag: 2000,
      delayedSubmit: 5000,
    };
    this.armed.push({
      kind: request.kind,
      remaining: request.count ?? 1,
      ms: request.ms ?? defaultsMs[request.kind] ?? 0,
      ...(request.path !== undefined ? { path: request.path } : {}),
      ...(request.exact ? { exact: true } : {}),
    });
  }

  /** Consumes one firing of `kind` for a request path, if armed. Returns the armed entry's `ms`. */
  take(kind: FaultKind, path = '/'): { ms: number } | undefined {
    const entry = this.armed.find((a) => a.kind === kind && a.remaining > 0 && pathMatches(a, path));
    if (!entry) return undefined;
    entry.remaining -= 1;
    this.fired[kind] += 1;
    this.armed = this.armed.filter((a) => a.remaining > 0);
    return { ms: entry.ms };
  }

  pending(): { kind: FaultKind; remaining: number; ms: number; path?: string; exact?: boolean }[] {
    return this.armed.map((a) => ({ ...a }));
  }

  clear(): void {
    this.armed = [];
  }
}

function pathMatches(armed: Armed, path: string): boolean {
  if (armed.path === undefined) return true;
  return armed.exact ? path === armed.path : path.startsWith(armed.path);
}

export function internalError(res: Response): void {
  sendError(res, 500, {
    code: 'internal_server_error',
    message: `Internal Server Error. Unique customer support identifier: sim-${randomBytes(4).toString('hex')}`,
  });
}

/** Express middleware for rate-limit bursts and hanging responses on the real API routes. */
export function httpFaults(faults: FaultState) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (faults.take('rateLimit', req.path)) {
      sendError(res, 429, { code: 'too_many_requests', message: 'Too many requests. Please slow down.' });
      return;
    }
    if ((req.method === 'POST' || req.method === 'PUT') && /\/orders(\/\d+)?$/.test(req.path)) {
      const held = faults.take('delayedSubmit', req.path);
      if (held) {
        // Held before processing: the client may give up (timeout) while the order is still to be created
        setTimeout(next, held.ms);
        return;
      }
    }
    const hang = faults.take('hang', req.path);
    if (hang) {
      const sendJson = res.json.bind(res);
      res.json = (body: unknown) => {
        const timer = setTimeout(() => {
          if (!res.destroyed && !res.headersSent) sendJson(body);
        }, hang.ms);
        res.on('close', () => clearTimeout(timer));
        return res;
      };
    }
    next();
  };
}
