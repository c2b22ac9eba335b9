// Owns REST rate limits as Discord reports them (Discord docs: topics/rate-limits): per route bucket (method + route,
// counted per top-level resource: channel, guild, webhook), X-RateLimit-Limit/-Remaining/-Reset/-Reset-After/-Bucket on
// every answer, 429 with Retry-After and `{message, retry_after, global}` past the limit; and faults a test injects
// (the next N requests, optionally matching a path, answered 429 or 5xx).
import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export interface RestFault {
  status: 429 | 500 | 502 | 503;
  /** How many requests it answers (default 1). */
  count: number;
  retryAfterMs: number;
  global: boolean;
  /** Only requests whose path (after /api/v10) contains this. */
  path?: string;
  method?: string;
}

const MAJOR = new Set(['channels', 'guilds', 'webhooks']);

/** The route's bucket key (ids replaced, top-level resource ids kept apart) and its major parameter. */
export function routeKey(method: string, path: string): { route: string; major: string } {
  const parts = path.split('/').filter(Boolean);
  const major: string[] = [];
  const route = parts.map((p, i) => {
    const prev = parts[i - 1] ?? '';
    if (MAJOR.has(prev) && /^\d+$/.test(p)) {
      major.push(p);
      return `:${prev}`;
    }
    // A webhook's token is part of its major parameter; an interaction's id and token are not
    if (parts[i - 2] === 'webhooks') {
      major.push(p);
      return ':token';
    }
    if (prev === 'interactions' || parts[i - 2] === 'interactions') return ':id';
    return /^\d+$/.test(p) ? ':id' : p;
  });
  return { route: `${method.toUpperCase()} /${route.join('/')}`, major: major.join('/') };
}

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private faults: RestFault[] = [];

  constructor(
    private readonly limit: { limit: number; windowMs: number },
    private readonly now: () => number = Date.now,
  ) {}

  inject(fault: RestFault): void {
    this.faults.push({ ...fault });
  }

  pendingFaults(): RestFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clearFaults(): void {
    this.faults = [];
  }

  middleware() {
    return (req: Request, res: Response, next: NextFunction) => {
      const now = this.now();
      const { route, major } = routeKey(req.method, req.path);
      const bucket = createHash('sha1').update(route).digest('hex').slice(0, 16);
      const key = `${bucket}:${major}`;
      let w = this.windows.get(key);
      if (!w || now - w.start >= this.limit.windowMs) {
        w = { start: now, count: 0 };
        this.windows.set(key, w);
      }
      w.count += 1;
      const resetAfter = Math.max(0, w.start + this.limit.windowMs - now) / 1000;
      res.setHeader('X-RateLimit-Limit', String(this.limit.limit));
      res.setHeader('X-RateLimit-Remaining', String(Math.max(0, this.limit.limit - w.count)));
      res.setHeader('X-RateLimit-Reset', (now / 1000 + resetAfter).toFixed(3));
      res.setHeader('X-RateLimit-Reset-After', resetAfter.toFixed(3));
      res.setHeader('X-RateLimit-Bucket', bucket);
      const fault = this.takeFault(req);
      if (fault) return this.answerFault(res, fault);
      if (w.count > this.limit.limit) {
        res.setHeader('Retry-After', String(Math.ceil(resetAfter)));
        res.setHeader('X-RateLimit-Scope', 'user');
        res.status(429).json({ message: 'You are being rate limited.', retry_after: resetAfter, global: false });
        return;
      }
      next();
    };
  }

  private takeFault(req: Request): RestFault | undefined {
    const fault = this.faults.find(
      (f) =>
        (f.path === undefined || req.path.includes(f.path)) &&
        (f.method === undefined || f.method.toUpperCase() === req.method.toUpperCase()),
    );
    if (!fault) return undefined;
    fault.count -= 1;
    if (fault.count <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return fault;
  }

  private answerFault(res: Response, fault: RestFault): void {
    if (fault.status !== 429) {
      res.status(fault.status).json({ message: `${fault.status}: injected by the control API`, code: 0 });
      return;
    }
    const retryAfter = fault.retryAfterMs / 1000;
    res.setHeader('Retry-After', String(retryAfter));
    res.setHeader('X-RateLimit-Scope', fault.global ? 'global' : 'user');
    if (fault.global) res.setHeader('X-RateLimit-Global', 'true');
    else res.setHeader('X-RateLimit-Remaining', '0');
    res.status(429).json({ message: 'You are being rate limited.', retry_after: retryAfter, global: fault.global });
  }
}
