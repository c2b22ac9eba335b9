// Owns running the real `bin/legwork.mjs` in tests: environment pointed at a venue, output captured, must exit by itself.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI against the venue at `venueUrl` and waits for it to exit (killed and failed after `timeoutMs`). */
export function runLegwork(
  args: string[],
  venueUrl: string,
  env: Record<string, string> = {},
  timeoutMs = 40_000,
): Promise<CliRun> {
  const child = spawn(process.execPath, [resolve(ROOT, 'bin/legwork.mjs'), ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      TT_ENV: 'sim',
      LEGWORK_VENUE_URL: venueUrl,
      LEGWORK_LIVE_TRADING: '',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(
        new Error(
          `legwork ${args.join(' ')} did not exit by itself\nstdout: ${stdout.slice(0, 500)}\nstderr: ${stderr}`,
        ),
      );
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

export interface CliLines {
  code: number | null;
  stdout: string[];
  stderr: string[];
}

/** Runs a command that needs no broker (e.g. `rules check`) from the repository root; output as non-empty lines. */
export function legworkLines(args: string[]): Promise<CliLines> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [resolve(ROOT, 'bin/legwork.mjs'), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', fail);
    child.on('exit', (code) => {
      const lines = (s: string) => s.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('npm warn'));
      done({ code, stdout: lines(out), stderr: lines(err) });
    });
  });
}
