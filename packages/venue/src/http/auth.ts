// Owns the venue's OAuth: access tokens for the REST API and the account streamer, and DXLink quote tokens.
import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { sendError } from './envelope.js';

export interface AuthOptions {
  /** When set, only this client secret is accepted by POST /oauth/token. */
  clientSecret?: string;
  /** When set, only this refresh token is accepted. */
  refreshToken?: string;
  /** Lifetime advertised and enforced, seconds (Tastytrade: 900; the SDK refreshes 30 s early). */
  expiresInSec?: number;
  wallNow?: () => number;
}

export interface TokenIssue {
  ok: boolean;
  status: number;
  body: Record<string, unknown>;
}

export class TokenStore {
  private readonly access = new Map<string, number>(); // token → expires at (wall ms)
  private readonly quote = new Set<string>();
  private readonly expiresInSec: number;
  private readonly wallNow: () => number;

  constructor(private readonly options: AuthOptions = {}) {
    this.expiresInSec = options.expiresInSec ?? 900;
    this.wallNow = options.wallNow ?? Date.now;
  }

  /** POST /oauth/token with a refresh_token grant, answered unwrapped like Tastytrade. */
  issue(body: unknown): TokenIssue {
    const b = (body ?? {}) as Record<string, unknown>;
    if (
      b['grant_type'] !== 'refresh_token' ||
      typeof b['refresh_token'] !== 'string' ||
      typeof b['client_secret'] !== 'string'
    ) {
      return {
        ok: false,
        status: 400,
        body: {
          error: 'invalid_request',
          error_description: 'grant_type=refresh_token, refresh_token and client_secret are required',
        },
      };
    }
    const secretOk = this.options.clientSecret === undefined || b['client_secret'] === this.options.clientSecret;
    const refreshOk = this.options.refreshToken === undefined || b['refresh_token'] === this.options.refreshToken;
    if (!secretOk || !refreshOk) {
      return { ok: false, status: 401, body: { error: 'invalid_grant', error_description: 'Grant is invalid' } };
    }
    const token = `sim-at-${randomBytes(18).toString('base64url')}`;
    this.access.set(token, this.wallNow() + this.expiresInSec * 1000);
    return {
      ok: true,
      status: 200,
      body: { access_token: token, token_type: 'Bearer', expires_in: this.expiresInSec },
    };
  }

  /** Accepts "Bearer <token>" (REST header and streamer auth-token) or a bare token. */
  isValidAccess(header: string | undefined | null): boolean {
    if (!header) return false;
    const token = header.startsWith('Bearer ') ? header.slice(7) : header;
    const expiresAt = this.access.get(token);
    return expiresAt !== undefined && expiresAt > this.wallNow();
  }

  newQuoteToken(): string {
    const token = `sim-qt-${randomBytes(18).toString('base64url')}`;
    this.quote.add(token);
    return token;
  }

  isValidQuoteToken(token: string): boolean {
    return this.quote.has(token);
  }

  /** Forgets every token (clients must authenticate again). */
  revokeAll(): void {
    this.access.clear();
    this.quote.clear();
  }
}

/** Express middleware: 401 like Tastytrade when the bearer token is missing, unknown or expired. */
export function requireBearer(tokens: TokenStore) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (tokens.isValidAccess(req.header('authorization'))) return next();
    sendError(res, 401, {
      code: 'unauthorized',
      message: `Unauthorized. Unique customer support identifier: sim-${randomBytes(4).toString('hex')}`,
    });
  };
}
