// Basic auth: roles, the loopback-only generated admin password (logged once), and the constant-time comparison.
import type { Request, Response } from 'express';
import { describe, expect, it, vi } from 'vitest';
import { createAuth, isLoopback, parseBasic, safeEqual } from '../../../src/http/auth.js';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const req = (authorization: string | undefined, remoteAddress = '127.0.0.1') =>
  ({ headers: authorization ? { authorization } : {}, socket: { remoteAddress } }) as unknown as Request;

function run(handler: (req: Request, res: Response, next: () => void) => void, r: Request) {
  const out = { status: 0, headers: {} as Record<string, string>, body: undefined as unknown, next: false };
  const res = {
    locals: {},
    status(n: number) {
      out.status = n;
      return this;
    },
    set(k: string, v: string) {
      out.headers[k.toLowerCase()] = v;
      return this;
    },
    json(b: unknown) {
      out.body = b;
      return this;
    },
  } as unknown as Response;
  handler(r, res, () => {
    out.next = true;
  });
  return out;
}

describe('safeEqual', () => {
  it('compares contents of any length in constant time (hash + timingSafeEqual)', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });

  it('uses crypto.timingSafeEqual, never ===, on equal-length digests', async () => {
    const crypto = await import('node:crypto');
    expect(typeof crypto.timingSafeEqual).toBe('function');
    const src = (await import('node:fs')).readFileSync(new URL('../../../src/http/auth.ts', import.meta.url), 'utf8');
    expect(src).toMatch(/timingSafeEqual\(ha, hb\)/);
    expect(src).not.toMatch(/password\s*===|===\s*\w+\.password/);
  });
});

describe('parseBasic / isLoopback', () => {
  it('parses Basic credentials (password may contain ":")', () => {
    expect(parseBasic(basic('u', 'p:w'))).toEqual({ user: 'u', password: 'p:w' });
    expect(parseBasic('Bearer x')).toBeNull();
    expect(parseBasic(undefined)).toBeNull();
  });
  it('knows loopback addresses', () => {
    for (const a of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) expect(isLoopback(req(undefined, a))).toBe(true);
    for (const a of ['10.0.0.2', '::ffff:192.168.1.1']) expect(isLoopback(req(undefined, a))).toBe(false);
  });
});

describe('configured users', () => {
  const auth = createAuth({ admin: { user: 'boss', password: 'pw1' }, viewer: { user: 'view', password: 'pw2' } });
  it('admin anywhere, viewer read-only, 401 with a challenge otherwise', () => {
    expect(run(auth.requireAdmin, req(basic('boss', 'pw1'), '10.0.0.9')).next).toBe(true);
    expect(run(auth.requireViewer, req(basic('view', 'pw2'), '10.0.0.9')).next).toBe(true);
    const forbidden = run(auth.requireAdmin, req(basic('view', 'pw2')));
    expect(forbidden.status).toBe(403);
    const denied = run(auth.requireViewer, req(basic('boss', 'nope')));
    expect(denied.status).toBe(401);
    expect(denied.headers['www-authenticate']).toContain('Basic realm="legwork"');
    expect(run(auth.requireViewer, req(undefined)).status).toBe(401);
    expect(auth.adminSource).toBe('env');
  });
});

describe('without admin credentials (loopback-only, generated password)', () => {
  it('generates a password, logs it exactly once, and serves admin to loopback clients only', () => {
    const warn = vi.fn();
    const log = { warn, info: vi.fn(), error: vi.fn(), debug: vi.fn() } as never;
    const auth = createAuth({ log, generatePassword: () => 'gen-pass-123' });
    expect(auth.adminSource).toBe('generated');
    expect(auth.adminUser).toBe('admin');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain('gen-pass-123');

    expect(run(auth.requireAdmin, req(basic('admin', 'gen-pass-123'), '127.0.0.1')).next).toBe(true);
    expect(run(auth.requireAdmin, req(basic('admin', 'gen-pass-123'), '::1')).next).toBe(true);
    expect(run(auth.requireAdmin, req(basic('admin', 'wrong'), '127.0.0.1')).status).toBe(401);
    // a remote client never gets admin, even with the right password
    expect(run(auth.requireAdmin, req(basic('admin', 'gen-pass-123'), '10.1.2.3')).status).toBe(403);
    expect(run(auth.requireViewer, req(basic('admin', 'gen-pass-123'), '10.1.2.3')).status).toBe(401);
    // using it never logs it again
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('a random password by default, different per process', () => {
    const a = createAuth({});
    const b = createAuth({});
    expect(run(a.requireAdmin, req(basic('admin', ''))).status).toBe(401);
    expect(a).not.toBe(b);
  });

  it('/metrics style guard: loopback without credentials passes, remote needs them', () => {
    const auth = createAuth({ viewer: { user: 'v', password: 'w' } });
    expect(run(auth.requireViewerOrLoopback, req(undefined, '127.0.0.1')).next).toBe(true);
    expect(run(auth.requireViewerOrLoopback, req(undefined, '10.0.0.1')).status).toBe(401);
    expect(run(auth.requireViewerOrLoopback, req(basic('v', 'w'), '10.0.0.1')).next).toBe(true);
  });
});
