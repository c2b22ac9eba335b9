// `npm run sim` as a user runs it: environment parsing, the `listening` line with the URL, and clean failure on bad input.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';

function runSim(env: Record<string, string>): { lines: string[]; exit: Promise<number | null>; stop(): void } {
  const child = spawn('npm', ['run', '--silent', 'sim'], {
    env: { ...process.env, LOG_LEVEL: 'info', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const lines: string[] = [];
  const collect = (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return {
    lines,
    exit: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
    stop: () => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
    },
  };
}

describe('npm run sim', () => {
  it('logs a listening line with its URL and serves the control routes there', async () => {
    const sim = runSim({ SIM_PORT: '0', SIM_SEED: '11', SIM_CLOCK: 'open' });
    try {
      const deadline = Date.now() + 20_000;
      let url: string | undefined;
      while (!url && Date.now() < deadline) {
        url = sim.lines.map((l) => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(l)?.[1]).find(Boolean);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(url, sim.lines.join('\n')).toBeTruthy();
      const state = (await (await fetch(`${url}/__sim/state`)).json()) as { clock: { mode: string; session: string } };
      expect(state.clock.mode).toBe('open');
      expect(state.clock.session).toBe('Open');
    } finally {
      sim.stop();
      await sim.exit;
    }
  });

  it('refuses a malformed SIM_CLOCK and SIM_PORT together, naming both, with exit code 2', async () => {
    const sim = runSim({ SIM_PORT: 'eighty', SIM_CLOCK: 'yesterday@fast' });
    const code = await sim.exit;
    expect(code).toBe(2);
    const output = sim.lines.join('\n');
    expect(output).toMatch(/SIM_PORT/);
    expect(output).toMatch(/SIM_CLOCK/);
  });
});

describe('legwork start (paper mode) and the venue port', () => {
  it('a port held by something that is not the venue: a one-line error naming it and LEGWORK_VENUE_URL, exit 2', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const { port } = blocker.address() as { port: number };
    try {
      const run = spawnSync(process.execPath, ['bin/legwork.mjs', 'start'], {
        env: { ...process.env, TT_ENV: 'sim', LEGWORK_VENUE_URL: `http://127.0.0.1:${port}`, LEGWORK_ADMIN_USER: 'admin', LEGWORK_ADMIN_PASSWORD: 'x-test', PORT: '0', NODE_ENV: 'production' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toContain(`cannot start the local venue on 127.0.0.1:${port} (EADDRINUSE)`);
      expect(run.stderr).toContain('LEGWORK_VENUE_URL');
      expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      blocker.close();
    }
  }, 70_000);
});
