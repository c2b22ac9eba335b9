// Owns the chaos campaigns' private Redis and PostgreSQL servers: start on free ports, crash-restart on demand, never outlive us.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chown, mkdir, mkdtemp, readFile, readdir, rm, unlink } from 'node:fs/promises';
import { accessSync, closeSync, constants, existsSync, openSync, readFileSync, statSync, statfsSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ENSURE_HINT = 'run `bash scripts/ensure-services.sh` (it apt-installs redis-server and postgresql)';

export interface RestartOptions {
  /** How long the server stays down after it died (default 500 ms). */
  downMs?: number;
}

export interface PostgresRestartOptions extends RestartOptions {
  /**
   * 'kill' (default): SIGKILL to the postmaster and every backend at once (its whole process group), like an OOM kill.
   * 'immediate': SIGQUIT to the postmaster (= `pg_ctl -m immediate stop`): backends are told to quit, clients get a
   * FATAL "terminating connection due to immediate shutdown command" instead of a reset socket. Both skip the
   * shutdown checkpoint, so the next start runs crash recovery.
   */
  mode?: 'kill' | 'immediate';
}

export interface PrivateRedis {
  url: string;
  port: number;
  /** Crash (SIGKILL), stay down, start again on the same port and dir. Resolves once PING answers; downMs = measured kill-to-PONG. */
  restart(opts?: RestartOptions): Promise<{ downMs: number }>;
  /** Kills the server and removes its dir (unless keepDir). Idempotent. */
  stop(): Promise<void>;
  /** The private folder (AOF in dir/appendonlydir, log in logFile). */
  dir: string;
  logFile: string;
}

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres (trust auth) */
  url: string;
  port: number;
  /** Crash, stay down, start again on the same port and data dir. Resolves once `select 1` works; downMs = measured kill-to-ready. */
  restart(opts?: PostgresRestartOptions): Promise<{ downMs: number }>;
  /** Kills the cluster and removes its dir (unless keepDir). Idempotent. */
  stop(): Promise<void>;
  /** The private folder: data directory in dir/data, unix socket in dir, log in logFile. */
  dir: string;
  logFile: string;
}

export interface StartOptions {
  /**
   * Parent folder for the private temp folder, which is always fresh. Default: /dev/shm (RAM) when it is writable
   * with at least 1 GiB free (a process crash keeps its contents, and Redis' fsync-per-write costs nothing there:
   * about 3x the write rate of a disk-backed /tmp), else os.tmpdir().
   */
  dir?: string;
  /** Leave the private folder (data and logs) in place on stop(), e.g. to inspect it after a failed campaign. */
  keepDir?: boolean;
  /** How long to wait for the server to answer after a (re)start (default 20 s). */
  readyTimeoutMs?: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Ports

const handedOut = new Set<number>();

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 1024 ? low : 32768;
  } catch {
    return 32768;
  }
}

/**
 * A free 127.0.0.1 TCP port. Chosen below the kernel's ephemeral range so that, while a crashed server is down,
 * no outgoing connection (e.g. a client reconnecting) can be handed the same port and make the restart's bind fail.
 */
export async function freePort(): Promise<number> {
  const high = ephemeralLow() - 1;
  const low = Math.max(1025, Math.min(20000, high - 2000));
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (handedOut.has(port)) continue;
    if (await canBind(port)) {
      handedOut.add(port);
      return port;
    }
  }
  // Fallback: let the kernel choose (may be in the ephemeral range)
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Process lifetime: every server runs in its own process group (so a crash kills it and its children at once).
// Two guards make sure none outlives us: an `exit` handler that SIGKILLs the groups, and, because a Ctrl-C, a
// SIGTERM or a SIGKILL of this process skips `exit` handlers, a detached reaper per server that holds a pipe from
// us and, when the pipe closes without a goodbye, kills the group and removes the private folder.

const liveGroups = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
  });
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* already gone */
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const REAPER = `
trap '' INT HUP TERM
pid=
while IFS= read -r line; do
  case "$line" in
    "pid "*) pid="\${line#pid }" ;;
    done) exit 0 ;;
  esac
done
if [ -n "$pid" ] && [ "$pid" != "-" ]; then $KILL -s KILL -- "-$pid" 2>/dev/null; sleep 0.2; fi
[ "$KEEP" = 1 ] || rm -rf -- "$DIR"
`;

class Reaper {
  private readonly child: ChildProcess;
  constructor(dir: string, keepDir: boolean) {
    // dash's builtin kill cannot signal a process group; bash's can, and so can procps' /bin/kill
    const bash = findOnPath('bash');
    this.child = spawn(bash ?? '/bin/sh', ['-c', REAPER], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        DIR: dir,
        KEEP: keepDir ? '1' : '0',
        KILL: bash ? 'kill' : '/bin/kill',
      },
    });
    this.child.on('error', () => {});
    this.child.stdin?.on('error', () => {});
    this.child.unref();
    (this.child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  }
  watch(pgid: number | undefined): void {
    this.child.stdin?.write(`pid ${pgid ?? '-'}\n`);
  }
  dismiss(): void {
    this.child.stdin?.end('done\n');
  }
}

function waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** SIGKILLs a server's whole process group and waits until the leader is reaped and the group is empty. */
async function crashGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  const pgid = child.pid;
  if (pgid === undefined) return;
  if (signal === 'SIGKILL') killGroup(pgid, 'SIGKILL');
  else child.kill(signal);
  if (!(await waitExit(child, 10_000))) {
    killGroup(pgid, 'SIGKILL');
    await waitExit(child, 5000);
  }
  // Orphaned members (e.g. Postgres backends, a Redis rewrite child) die with the group; wait until none is left
  const deadline = Date.now() + 3000;
  while (groupAlive(pgid) && Date.now() < deadline) {
    killGroup(pgid, 'SIGKILL');
    await sleep(10);
  }
  liveGroups.delete(pgid);
}

async function logTail(file: string, lines = 30): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    return text.trim() ? text.trimEnd().split('\n').slice(-lines).join('\n') : '(log is empty)';
  } catch (error) {
    return `(no log: ${(error as Error).message})`;
  }
}

function defaultParent(): string {
  try {
    accessSync('/dev/shm', constants.W_OK | constants.X_OK);
    const fs = statfsSync('/dev/shm');
    if (fs.bavail * fs.bsize >= 1024 ** 3) return '/dev/shm';
  } catch {
    /* no usable /dev/shm */
  }
  return tmpdir();
}

function findOnPath(name: string): string | undefined {
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    if (!folder) continue;
    const candidate = join(folder, name);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      /* not here */
    }
  }
  for (const folder of ['/usr/bin', '/usr/local/bin', '/usr/sbin'])
    if (existsSync(join(folder, name))) return join(folder, name);
  return undefined;
}

/** Serialises restart/stop calls so a stop during a restart waits for it. */
function serial(): <T>(work: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>) => {
    const next = tail.then(work, work);
    tail = next.catch(() => {});
    return next;
  };
}

async function waitReady(
  what: string,
  probe: () => Promise<boolean>,
  child: ChildProcess,
  logFile: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `${what} exited during startup (code ${child.exitCode}, signal ${child.signalCode}); tail of ${logFile}:\n${await logTail(logFile)}`,
      );
    }
    if (await probe()) return;
    if (Date.now() > deadline) {
      throw new Error(`${what} did not answer within ${timeoutMs} ms; tail of ${logFile}:\n${await logTail(logFile)}`);
    }
    await sleep(20);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Redis

/** One RESP PING over a fresh TCP connection; true only for +PONG (a server still loading its AOF says -LOADING). */
function redisPing(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

export async function startPrivateRedis(opts: StartOptions = {}): Promise<PrivateRedis> {
  const bin = findOnPath('redis-server');
  if (!bin) throw new Error(`redis-server not found on PATH: ${ENSURE_HINT}`);
  const parent = opts.dir ?? defaultParent();
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(join(parent, 'legwork-chaos-redis-'));
  const logFile = join(dir, 'redis.log');
  const port = await freePort();
  const readyTimeoutMs = opts.readyTimeoutMs ?? 20_000;
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--protected-mode',
    'no',
    '--daemonize',
    'no',
    '--dir',
    dir,
    '--logfile',
    logFile,
    '--save',
    '',
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
    '--aof-load-truncated',
    'yes',
    // BullMQ relies on keys never being evicted
    '--maxmemory-policy',
    'noeviction',
  ];
  installExitHook();
  const reaper = new Reaper(dir, opts.keepDir === true);
  const queue = serial();
  let child: ChildProcess | undefined;
  let stopped = false;

  const launch = async (): Promise<void> => {
    const c = spawn(bin, args, { detached: true, stdio: 'ignore' });
    c.on('error', () => {});
    c.unref();
    child = c;
    if (c.pid !== undefined) liveGroups.add(c.pid);
    reaper.watch(c.pid);
    await waitReady(`redis-server on port ${port}`, () => redisPing(port), c, logFile, readyTimeoutMs);
  };

  const kill = async (): Promise<void> => {
    if (!child) return;
    await crashGroup(child);
    reaper.watch(undefined);
  };

  try {
    await launch();
  } catch (error) {
    await kill();
    reaper.dismiss();
    if (!opts.keepDir) await rm(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    logFile,
    restart: (restartOpts = {}) =>
      queue(async () => {
        if (stopped) throw new Error('private Redis was stopped');
        const started = Date.now();
        await kill();
        await sleep(restartOpts.downMs ?? 500);
        await launch();
        return { downMs: Date.now() - started };
      }),
    stop: () =>
      queue(async () => {
        if (stopped) return;
        stopped = true;
        await kill();
        reaper.dismiss();
        if (!opts.keepDir) await rm(dir, { recursive: true, force: true });
      }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL

async function postgresBin(): Promise<string> {
  const root = '/usr/lib/postgresql';
  let versions: string[] = [];
  try {
    versions = await readdir(root);
  } catch {
    /* not installed */
  }
  const usable = versions
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => join(root, v, 'bin'))
    .filter((bin) => ['initdb', 'postgres', 'psql'].every((tool) => existsSync(join(bin, tool))));
  if (!usable[0])
    throw new Error(`PostgreSQL server binaries (${root}/*/bin/initdb, postgres) not found: ${ENSURE_HINT}`);
  return usable[0];
}

/** The uid/gid to run initdb/postgres as: ourselves, or (they refuse root) the `postgres` OS user, created if missing. */
async function postgresUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const lookup = async () => {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  try {
    return await lookup();
  } catch {
    try {
      await run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
    } catch (error) {
      // A parallel start may have created it meanwhile
      try {
        return await lookup();
      } catch {
        throw new Error(
          `cannot create the postgres OS user (initdb/postgres refuse to run as root): ${(error as Error).message}`,
        );
      }
    }
    return lookup();
  }
}

export async function startPrivatePostgres(opts: StartOptions = {}): Promise<PrivatePostgres> {
  const bin = await postgresBin();
  const user = await postgresUser();
  const parent = opts.dir ?? defaultParent();
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(join(parent, 'legwork-chaos-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  const readyTimeoutMs = opts.readyTimeoutMs ?? 20_000;
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  const env = { ...process.env, LC_ALL: 'C', ...(user ? { HOME: dir, USER: 'postgres', LOGNAME: 'postgres' } : {}) };
  installExitHook();
  const reaper = new Reaper(dir, opts.keepDir === true);

  try {
    if (user) await chown(dir, user.uid, user.gid);
    await new Promise<void>((resolve, reject) => {
      const initdb = spawn(
        join(bin, 'initdb'),
        ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'],
        { ...asUser, cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      initdb.stdout?.on('data', (c: Buffer) => (output += c.toString()));
      initdb.stderr?.on('data', (c: Buffer) => (output += c.toString()));
      initdb.on('error', reject);
      initdb.on('exit', (code) =>
        code === 0
          ? resolve()
          : reject(
              new Error(
                `initdb failed (exit ${code}) in ${data}` +
                  (user
                    ? ' (run as the postgres OS user: every folder above it must be searchable by that user)'
                    : '') +
                  `:\n${output.trim().split('\n').slice(-15).join('\n')}`,
              ),
            ),
      );
    });
  } catch (error) {
    reaper.dismiss();
    if (!opts.keepDir) await rm(dir, { recursive: true, force: true });
    throw error;
  }

  const port = await freePort();
  const args = [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    // A process crash (what chaos does) cannot lose what the OS already has, so fsync and full-page writes are
    // pointless here. synchronous_commit stays ON: off would let a crash lose acknowledged commits (up to ~3 x
    // wal_writer_delay), which a campaign would then blame on Legwork. With fsync off it costs one write() per commit.
    '-c',
    'fsync=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'synchronous_commit=on',
    '-c',
    'max_connections=300',
    '-c',
    'shared_buffers=64MB',
    '-c',
    'huge_pages=off',
    '-c',
    'max_wal_size=1GB',
    '-c',
    'log_line_prefix=%m [%p] ',
  ];
  const psql = join(bin, 'psql');
  const selectOne = () =>
    new Promise<boolean>((resolve) => {
      execFile(
        psql,
        ['-X', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-Atqc', 'select 1'],
        { env: { ...process.env, PGCONNECT_TIMEOUT: '2', PGSSLMODE: 'disable' }, timeout: 5000 },
        (error, stdout) => resolve(!error && stdout.trim() === '1'),
      );
    });

  const queue = serial();
  let child: ChildProcess | undefined;
  let stopped = false;

  const launch = async (): Promise<void> => {
    const logFd = openSync(logFile, 'a');
    let c: ChildProcess;
    try {
      c = spawn(join(bin, 'postgres'), args, {
        ...asUser,
        cwd: dir,
        env,
        detached: true,
        stdio: ['ignore', logFd, logFd],
      });
    } finally {
      closeSync(logFd);
    }
    c.on('error', () => {});
    c.unref();
    child = c;
    if (c.pid !== undefined) liveGroups.add(c.pid);
    reaper.watch(c.pid);
    await waitReady(`postgres on port ${port}`, selectOne, c, logFile, readyTimeoutMs);
  };

  const kill = async (mode: 'kill' | 'immediate' = 'kill'): Promise<void> => {
    if (!child) return;
    await crashGroup(child, mode === 'immediate' ? 'SIGQUIT' : 'SIGKILL');
    reaper.watch(undefined);
    // The postmaster is reaped and its group is empty, so its lock files are stale. Postgres would refuse to start if
    // the dead postmaster's PID (pid_max can be small) had meanwhile been reused by another process of the same user.
    await unlink(join(data, 'postmaster.pid')).catch(() => {});
    await unlink(join(dir, `.s.PGSQL.${port}.lock`)).catch(() => {});
  };

  try {
    await launch();
  } catch (error) {
    await kill();
    reaper.dismiss();
    if (!opts.keepDir) await rm(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    logFile,
    restart: (restartOpts = {}) =>
      queue(async () => {
        if (stopped) throw new Error('private PostgreSQL was stopped');
        const started = Date.now();
        await kill(restartOpts.mode ?? 'kill');
        await sleep(restartOpts.downMs ?? 500);
        await launch();
        return { downMs: Date.now() - started };
      }),
    stop: () =>
      queue(async () => {
        if (stopped) return;
        stopped = true;
        await kill();
        reaper.dismiss();
        if (!opts.keepDir) await rm(dir, { recursive: true, force: true });
      }),
  };
}
