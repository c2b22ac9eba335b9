// Owns reading a CLI command's configuration from the environment: the configuration, or nothing after saying why on
// stderr as `legwork <command>: <why>` (each command then exits 2); and stopping quietly when stdout is closed early.
import type { AppConfig } from '../config/env.js';

export async function cliConfig(
  command: string,
  err: (s: string) => void = (s) => process.stderr.write(s),
): Promise<AppConfig | undefined> {
  const { ConfigError, loadConfig } = await import('../config/env.js');
  try {
    return loadConfig();
  } catch (error) {
    err(`legwork ${command}: ${error instanceof ConfigError ? error.message : String(error)}\n`);
    return undefined;
  }
}

/** `legwork chain SPY | head` closes stdout early: stop quietly instead of crashing on EPIPE. */
export function exitQuietlyOnClosedStdout(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
  });
}
