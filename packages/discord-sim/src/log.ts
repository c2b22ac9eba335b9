// Owns the server process's logger: pino JSON lines (pretty on a terminal when pino-pretty is installed), level
// LOG_LEVEL. A copy of the venue's: this package imports nothing of Legwork's or the venue's.
import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';

function prettyInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

export function createDiscordSimLogger(name = 'discord-sim'): Logger {
  const opts = { name, level: process.env['LOG_LEVEL'] ?? 'info', base: { pid: process.pid } };
  const pretty = process.stdout.isTTY === true && process.env['NODE_ENV'] !== 'production' && prettyInstalled();
  if (pretty)
    return pino({
      ...opts,
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } },
    });
  return pino(opts);
}
