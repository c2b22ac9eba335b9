// Owns `npm run sim`: reads SIM_PORT, SIM_SEED, SIM_CLOCK, starts the venue, logs where it listens, stops on signals.
import { createLogger } from '../../log.js';
import { parseClockSpec } from './clock.js';
import { startSim } from './server.js';
import { defaultUnderlyings } from './market/underlyings.js';
import { readUnderlyingsFile } from './underlyings-file.js';
import type { UnderlyingSpec } from './types.js';

const log = createLogger({ name: 'legwork-sim' });

function readInt(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return Number(raw);
}

/** SIM_UNDERLYINGS names a YAML file of extra (or replacement) underlyings; see README. */
function readUnderlyings(path: string | undefined): UnderlyingSpec[] | undefined {
  if (!path) return undefined;
  const file = readUnderlyingsFile(path);
  if (!file.includeDefaults) return file.underlyings;
  const mine = new Set(file.underlyings.map((u) => u.symbol));
  return [...defaultUnderlyings().filter((u) => !mine.has(u.symbol)), ...file.underlyings];
}

async function main(): Promise<void> {
  const problems: string[] = [];
  const attempt = <T>(read: () => T, fallback: T): T => {
    try {
      return read();
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
      return fallback;
    }
  };
  const port = attempt(() => readInt('SIM_PORT', 4100, 0, 65535), 4100);
  const seed = attempt(() => readInt('SIM_SEED', 42, 0, 2 ** 31 - 1), 42);
  const clock = attempt(() => parseClockSpec(process.env['SIM_CLOCK']), { mode: 'open' as const });
  const underlyings = attempt(() => readUnderlyings(process.env['SIM_UNDERLYINGS']), undefined);
  if (problems.length > 0) {
    log.error({ problems }, `venue configuration is invalid:\n  - ${problems.join('\n  - ')}`);
    process.exit(2);
  }
  const sim = await startSim({
    port,
    host: process.env['SIM_HOST'] ?? '127.0.0.1',
    seed,
    clock,
    ...(underlyings ? { underlyings } : {}),
    log: (message, extra) => log.warn(extra ?? {}, message),
  });
  log.info(
    { baseUrl: sim.baseUrl, streamerUrl: sim.streamerUrl, dxlinkUrl: sim.dxlinkUrl, seed, clock: clock.mode },
    `local Tastytrade venue listening on ${sim.baseUrl} (account streamer ${sim.streamerUrl}, DXLink ${sim.dxlinkUrl})`,
  );
  const stop = async (signal: string) => {
    log.info({ signal }, 'venue stopping');
    await sim.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  log.error({ err: error }, `venue failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
