// Builds each Dockerfile target the way `docker build --target` would, on this machine (Docker does not run here): the
// target's COPY steps into an empty directory, its `npm ci` (from the npm cache), then its command. Proves that
// Legwork's production install leaves the venue and the dev dependencies out and still runs, that its postinstall
// patches postgres.js, and that the venue image runs the venue with nothing of Legwork's.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { command, copyArgs, readDockerfile, stageSteps } from '../support/dockerfile.js';
import { waitUntil } from '../support/wait-until.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const stages = readDockerfile(join(ROOT, 'Dockerfile'));
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The target's COPY and RUN steps in a fresh directory (WORKDIR /app = that directory); returns it. */
function build(target: string): string {
  const app = mkdtempSync(join(tmpdir(), `legwork-image-${target}-`));
  dirs.push(app);
  for (const [keyword, args] of stageSteps(stages, target)) {
    if (keyword === 'COPY') {
      const { sources, dest } = copyArgs(args);
      for (const src of sources) {
        const to = dest.endsWith('/') ? join(app, dest, src.split('/').at(-1)!) : join(app, dest);
        cpSync(join(ROOT, src), to, { recursive: true });
      }
    } else if (keyword === 'RUN') {
      // Only the install: `npm cache clean --force` would empty this machine's cache
      for (const part of args.split('&&').map((p) => p.trim())) {
        if (!part.startsWith('npm ci')) continue;
        const run = spawnSync('bash', ['-c', `${part} --prefer-offline`], {
          cwd: app,
          encoding: 'utf8',
          env: { ...process.env, NODE_ENV: 'production', CI: 'true' },
        });
        expect(run.status, `${target}: ${part}\n${run.stdout}\n${run.stderr}`).toBe(0);
      }
    }
  }
  return app;
}

/** A port free right now (the venue binds it a moment later). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const installed = (app: string, name: string) => existsSync(join(app, 'node_modules', name, 'package.json'));

/** Runs `node bin/legwork.mjs …` in the built directory with a clean, paper-mode environment. */
function legwork(app: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['bin/legwork.mjs', ...args], {
    cwd: app,
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env['PATH'] ?? '', HOME: app, NODE_ENV: 'production', TT_ENV: 'sim', ...env },
  });
}

describe('the Dockerfile targets, installed and run on this machine', () => {
  it('legwork: production dependencies only, postgres.js patched, no venue; it runs, and asks for a venue elsewhere', () => {
    const app = build('legwork');
    for (const name of ['bullmq', 'ioredis', 'postgres', 'express', '@tastytrade/api', 'pino', 'tsx'])
      expect(installed(app, name), name).toBe(true);
    // (typescript itself comes in as a peer of @bull-board/api's valibot)
    for (const name of ['@legwork/venue', 'vitest', 'json-rules-engine', 'pino-pretty', '@biomejs/biome'])
      expect(installed(app, name), name).toBe(false);
    expect(existsSync(join(app, 'packages')), 'no venue sources').toBe(false);
    // The postinstall applied every patch: each added line of the patch is in the installed file
    const patch = readFileSync(join(ROOT, 'patches/postgres+3.4.9.patch'), 'utf8');
    const file = /^\+\+\+ b\/(node_modules\/\S+)/m.exec(patch)![1]!;
    const added = /^\+ {4}if \(socket === null\).*$/m.exec(patch)![0].slice(1);
    expect(readFileSync(join(app, file), 'utf8')).toContain(added);

    const check = legwork(app, ['rules', 'check']);
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(/rules\//);

    const venue = legwork(app, ['venue']);
    expect(venue.status).not.toBe(0);
    expect(venue.stderr).toMatch(/@legwork\/venue \(packages\/venue\) is not installed here/);
    expect(venue.stderr).toMatch(/LEGWORK_VENUE_URL/);
    expect(command(stageSteps(stages, 'legwork'))).toEqual(['node', 'bin/legwork.mjs', 'start']);
  }, 180_000);

  it('venue: only the workspace and its dependencies; its command serves the venue and stops on SIGTERM', async () => {
    const app = build('venue');
    for (const name of ['express', 'ws', 'zod', 'tsx', 'pino']) expect(installed(app, name), name).toBe(true);
    for (const name of ['bullmq', 'postgres', '@tastytrade/api', 'vitest'])
      expect(installed(app, name), name).toBe(false);
    expect(existsSync(join(app, 'src')), 'no Legwork sources').toBe(false);

    const port = await freePort();
    const [bin, ...args] = command(stageSteps(stages, 'venue'));
    expect(bin).toBe('node');
    const child = spawn(process.execPath, args, {
      cwd: app,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env['PATH'] ?? '',
        NODE_ENV: 'production',
        VENUE_HOST: '127.0.0.1',
        VENUE_PORT: String(port),
      },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitUntil(
        async () => (await fetch(`http://127.0.0.1:${port}/__sim/state`).catch(() => null))?.ok === true,
        { timeoutMs: 30_000, what: `the venue image's command to serve /__sim/state (output: ${output.slice(-500)})` },
      );
      const clock = (await (await fetch(`http://127.0.0.1:${port}/__sim/clock`)).json()) as { now: number };
      expect(clock.now).toBeGreaterThan(Date.parse('2020-01-01'));
      // Tastytrade's routes answer as Tastytrade does: a session token first
      expect((await fetch(`http://127.0.0.1:${port}/customers/me`)).status).toBe(401);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 180_000);
});
