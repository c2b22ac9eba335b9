// Owns the venue's request counter: how many requests each "METHOD /path" received (tests and chaos measure a client's
// request rate with it, e.g. order polls per working order).
import type { NextFunction, Request, Response } from 'express';

export class RequestLog {
  private readonly counts = new Map<string, number>();

  /** Requests whose method matches and whose path starts with `pathPrefix`. */
  count(method: string, pathPrefix = '/'): number {
    let n = 0;
    for (const [key, c] of this.counts) {
      const space = key.indexOf(' ');
      if (key.slice(0, space) === method.toUpperCase() && key.slice(space + 1).startsWith(pathPrefix)) n += c;
    }
    return n;
  }

  clear(): void {
    this.counts.clear();
  }

  middleware() {
    return (req: Request, _res: Response, next: NextFunction): void => {
      const key = `${req.method} ${req.path}`;
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      next();
    };
  }
}
