// `npm run venue` (and its deprecated alias `npm run sim`, `legwork venue`) as a user runs them: environment parsing
// (VENUE_*, SIM_* read as aliases), the `listening` line with the URL, and clean failure on bad input.
import { createServer } from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function runVenue(
  env: Record<string, string>,
  command: string[] = ['npm', 'run', '--silent', 'venue'],
): { lines: string[]; exit: Promise<number | null>; stop(): void } {
  const child = spawn(command[0]!, command.slice(1), {
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

/** Waits for the `listening on URL` line and returns the URL. */
async function listeningUrl(lines: string[]): Promise<string> {
  const deadline = Date.now() + 20_000;
  let url: string | undefined;
  while (!url && Date.now() < deadline) {
    url = lines.map((l) => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(l)?.[1]).find(Boolean);
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(url, lines.join('\n')).toBeTruthy();
  return url!;
}

type State = { clock: { mode: string; session: string; now: string } };

describe('npm run venue', () => {
  it('logs a listening line with its URL and serves the control routes there', async () => {
    const venue = runVenue({ VENUE_PORT: '0', VENUE_SEED: '11', VENUE_CLOCK: 'open' });
    try {
      const url = await listeningUrl(venue.lines);
      const state = (await (await fetch(`${url}/__sim/state`)).json()) as State;
      expect(state.clock.mode).toBe('open');
      expect(state.clock.session).toBe('Open');
    } finally {
      venue.stop();
      await venue.exit;
    }
  });

  it('refuses a malformed VENUE_CLOCK and VENUE_PORT together, naming both, with exit code 2', async () => {
    const venue = runVenue({ VENUE_PORT: 'eighty', VENUE_CLOCK: 'yesterday@fast' });
    const code = await venue.exit;
    expect(code).toBe(2);
    const output = venue.lines.join('\n');
    expect(output).toMatch(/VENUE_PORT/);
    expect(output).toMatch(/VENUE_CLOCK/);
  });

  it('`npm run sim` reads the deprecated SIM_* names when VENUE_* is unset, warns, and VENUE_* wins over SIM_*', async () => {
    const venue = runVenue(
      {
        SIM_PORT: '0',
        SIM_CLOCK: '2026-11-17T15:00:00Z@0x',
        VENUE_CLOCK: '',
        VENUE_SEED: '5',
        SIM_SEED: 'not-a-number',
      },
      ['npm', 'run', '--silent', 'sim'],
    );
    try {
      const url = await listeningUrl(venue.lines);
      const state = (await (await fetch(`${url}/__sim/state`)).json()) as State;
      expect(state.clock.mode).toBe('replay');
      expect(state.clock.now).toBe('2026-11-17T15:00:00.000Z');
      const output = venue.lines.join('\n');
      expect(output).toMatch(/SIM_CLOCK is deprecated: set VENUE_CLOCK instead/);
      expect(output).toMatch(/SIM_PORT is deprecated: set VENUE_PORT instead/);
      expect(output).not.toMatch(/SIM_SEED/); // VENUE_SEED is set: the bad SIM_SEED is never read
    } finally {
      venue.stop();
      await venue.exit;
    }
  });

  it('names the deprecated variable a bad value came from', async () => {
    const venue = runVenue({ SIM_PORT: 'eighty' }, ['npm', 'run', '--silent', 'sim']);
    expect(await venue.exit).toBe(2);
    expect(venue.lines.join('\n')).toMatch(/SIM_PORT must be a whole number/);
  });

  it('`legwork venue --help` and `legwork sim --help` list the VENUE_* variables and exit 0', async () => {
    for (const command of ['venue', 'sim']) {
      const venue = runVenue({}, ['node', 'bin/legwork.mjs', command, '--help']);
      expect(await venue.exit, command).toBe(0);
      const output = venue.lines.join('\n');
      for (const name of ['VENUE_PORT', 'VENUE_HOST', 'VENUE_SEED', 'VENUE_CLOCK', 'VENUE_UNDERLYINGS'])
        expect(output, command).toContain(name);
    }
  });
});

describe('legwork start (paper mode) and the venue port', () => {
  it('a port held by something that is not the venue: a one-line error naming it and LEGWORK_VENUE_URL, exit 2', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const { port } = blocker.address() as { port: number };
    try {
      const run = spawnSync(process.execPath, ['bin/legwork.mjs', 'start'], {
        env: {
          ...process.env,
          TT_ENV: 'sim',
          LEGWORK_VENUE_URL: `http://127.0.0.1:${port}`,
          LEGWORK_ADMIN_USER: 'admin',
          LEGWORK_ADMIN_PASSWORD: 'x-test',
          PORT: '0',
          NODE_ENV: 'production',
        },
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
