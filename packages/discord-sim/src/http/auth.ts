// Owns bot authentication: `Authorization: Bot <token>` on REST (401 `{"message": "401: Unauthorized", "code": 0}`
// otherwise) and the token check IDENTIFY and RESUME share. Without a configured token any non-empty one is accepted.
import type { NextFunction, Request, Response } from 'express';
import { errors } from '../core/errors.js';

export function tokenCheck(configured: string | undefined): (token: string) => boolean {
  return (token) => (configured === undefined ? token.length > 0 : token === configured);
}

export function requireBot(isValid: (token: string) => boolean) {
  return (req: Request, res: Response, next: NextFunction) => {
    const match = /^Bot\s+(\S+)$/.exec(req.headers.authorization ?? '');
    if (match && isValid(match[1]!)) return next();
    const e = errors.unauthorized();
    res.status(e.status).json(e.body());
  };
}
