// Owns running the production `legwork worker ROLE` as a child process for crash tests: node itself with the tsx
// loader on bin/legwork.mjs (no tsx/npx wrapper, so SIGKILL hits the process that holds the BullMQ locks), its output
// kept for failure messages, ready once the worker logs that it started (after startup reconciliation); and reading a
// process's peak RSS for benchmarks.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface WorkerProcess {
  child: ChildProcess;
  output: string[];
  /** Resolves once the worker logged "worker ROLE started"; rejects if it exits first. */
  ready: Promise<void>;
  exited: Promise<number | null>;
  kill9(): void;
  alive(): boolean;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const live = new Set<ChildProcess>();
// Last resort against orphans: whatever the test did, a worker never outlives the test process
process.once('exit', () => {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

export function startWorkerProcess(role: string, env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/legwork.mjs', 'worker', role], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const output: string[] = [];
  let resolveReady!: () => void;
  let rejectReady!: (e: Error) => void;
  const ready = new Promise<void>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  ready.catch(() => {}); // only callers that await it care
  const marker = `worker ${role} started`;
  let seen = false;
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    output.push(text);
    // Only until ready: joining the whole output per chunk is quadratic over a soak's weeks of logs
    if (!seen && output.slice(-2).join('').includes(marker)) {
      seen = true;
      resolveReady();
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((res) =>
    child.on('exit', (code, signal) => {
      live.delete(child);
      rejectReady(new Error(`worker ${role} exited (${code ?? signal}) before ready: ${output.join('').slice(-2000)}`));
      res(code);
    }),
  );
  const alive = () => child.exitCode === null && child.signalCode === null;
  return { child, output, ready, exited, alive, kill9: () => void (alive() && child.kill('SIGKILL')) };
}

/** Peak resident set size (VmHWM in /proc/PID/status) of a live process in MB, one decimal; null when unreadable. */
export function peakRssMb(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const kb = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return kb ? Math.round(Number(kb[1]) / 102.4) / 10 : null;
  } catch {
    return null;
  }
}
