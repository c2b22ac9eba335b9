// Owns the venue process (`npm run venue`, `legwork venue`): reads VENUE_PORT, VENUE_HOST, VENUE_SEED, VENUE_CLOCK,
// VENUE_UNDERLYINGS (or their deprecated SIM_* aliases) and VENUE_STATE_FILE, starts the venue, logs where it listens,
// stops on signals.
import { parseClockSpec } from './clock.js';
import { venueSetting, type VenueVariable } from './env.js';
import { createVenueLogger } from './log.js';
import { startVenue } from './server.js';
import { VenueStateError } from './state-file.js';
import { defaultUnderlyings } from './market/underlyings.js';
import { readUnderlyingsFile } from './underlyings-file.js';
import type { UnderlyingSpec } from './types.js';

const log = createVenueLogger();

const USAGE = `usage: npm run venue | legwork venue     (aliases: npm run sim, legwork sim)

The local Tastytrade-compatible venue: REST, the account streamer (/streamer) and DXLink (/dxlink) on one port, with a
simulated market; control API under /__sim/*. Settings come from the environment (the SIM_* names of earlier versions
are deprecated aliases, read only when the VENUE_* name is unset):
  VENUE_PORT         HTTP + WebSocket port (default 4100; 0 picks a free one)
  VENUE_HOST         interface to bind (default 127.0.0.1; 0.0.0.0 in Docker)
  VENUE_SEED         seed of the market model and the venue (default 42)
  VENUE_CLOCK        open (default) | real | <ISO time>@<speed>x (e.g. 2026-11-20T14:30:00Z@60x; @0x = frozen)
  VENUE_UNDERLYINGS  YAML file of extra underlyings (see packages/venue/config/underlyings.example.yaml)
  VENUE_STATE_FILE   keep the paper account (positions, orders, balances) in this JSON file across restarts
                     (default: in memory only; \`legwork start\` keeps one per database under .legwork/)
  LOG_LEVEL          pino level (default info)`;

function readInt(key: VenueVariable, fallback: number, min: number, max: number): number {
  const { name, value: raw } = venueSetting(key);
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return Number(raw);
}

/** VENUE_UNDERLYINGS names a YAML file of extra (or replacement) underlyings; see README. */
function readUnderlyings(path: string | undefined): UnderlyingSpec[] | undefined {
  if (!path) return undefined;
  const file = readUnderlyingsFile(path);
  if (!file.includeDefaults) return file.underlyings;
  const mine = new Set(file.underlyings.map((u) => u.symbol));
  return [...defaultUnderlyings().filter((u) => !mine.has(u.symbol)), ...file.underlyings];
}

async function main(): Promise<void> {
  if (process.argv.slice(2).some((a) => a === '--help' || a === '-h')) {
    console.log(USAGE);
    process.exit(0);
  }
  const problems: string[] = [];
  const attempt = <T>(read: () => T, fallback: T): T => {
    try {
      return read();
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
      return fallback;
    }
  };
  const deprecated = (['HOST', 'PORT', 'SEED', 'CLOCK', 'UNDERLYINGS'] as const)
    .map((k) => venueSetting(k))
    .filter((s) => s.deprecated);
  for (const s of deprecated)
    log.warn({ variable: s.name }, `${s.name} is deprecated: set ${s.name.replace(/^SIM_/, 'VENUE_')} instead`);
  const port = attempt(() => readInt('PORT', 4100, 0, 65535), 4100);
  const seed = attempt(() => readInt('SEED', 42, 0, 2 ** 31 - 1), 42);
  const clockSetting = venueSetting('CLOCK');
  const clock = attempt(() => parseClockSpec(clockSetting.value, clockSetting.name), { mode: 'open' as const });
  const underlyings = attempt(() => readUnderlyings(venueSetting('UNDERLYINGS').value), undefined);
  if (problems.length > 0) {
    log.error({ problems }, `venue configuration is invalid:\n  - ${problems.join('\n  - ')}`);
    process.exit(2);
  }
  const stateFile = venueSetting('STATE_FILE').value;
  let venue: Awaited<ReturnType<typeof startVenue>>;
  try {
    venue = await startVenue({
      port,
      host: venueSetting('HOST').value ?? '127.0.0.1',
      seed,
      clock,
      ...(underlyings ? { underlyings } : {}),
      ...(stateFile && stateFile !== 'off' ? { stateFile } : {}),
      log: (message, extra) => log.warn(extra ?? {}, message),
    });
  } catch (error) {
    if (!(error instanceof VenueStateError)) throw error;
    log.error(error.message);
    process.exit(2);
  }
  log.info(
    {
      baseUrl: venue.baseUrl,
      streamerUrl: venue.streamerUrl,
      dxlinkUrl: venue.dxlinkUrl,
      seed,
      clock: clock.mode,
      ...(venue.state ? { stateFile: venue.state.file, restored: venue.state.restored } : {}),
    },
    `local Tastytrade venue listening on ${venue.baseUrl} (account streamer ${venue.streamerUrl}, DXLink ${venue.dxlinkUrl})`,
  );
  const stop = async (signal: string) => {
    log.info({ signal }, 'venue stopping');
    await venue.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  log.error({ err: error }, `venue failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
