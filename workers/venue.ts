// Owns loading the local venue (@legwork/venue, an optional workspace package): paper mode starts it in-process when no
// venue answers, and `legwork venue` (alias `legwork sim`) runs it on its own. A production install may leave it out;
// then the error says how to run a venue instead. Legwork's adapter never imports it: it talks to a venue over the wire.
// Also where paper mode keeps the in-process venue's account across restarts (one file per database).
import { join } from 'node:path';
export const VENUE_PACKAGE = '@legwork/venue';

export class VenueNotInstalledError extends Error {
  constructor(readonly wantedFor: string) {
    super(
      `${wantedFor} needs the local venue, but ${VENUE_PACKAGE} (packages/venue) is not installed here. ` +
        'Run a venue elsewhere and point LEGWORK_VENUE_URL at it (`docker compose up venue`, or `npm run venue` in a full ' +
        'checkout after `npm install`), or install this checkout with its workspaces (`npm ci` without --workspaces=false).',
    );
    this.name = 'VenueNotInstalledError';
  }
}

/** Whether an import failed because the venue package itself is missing (not one of its own dependencies). */
export function isVenueMissing(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return (
    e?.code === 'ERR_MODULE_NOT_FOUND' && typeof e.message === 'string' && e.message.includes(`'${VENUE_PACKAGE}'`)
  );
}

/** Runs `load` (an import of the venue), turning "package not installed" into a VenueNotInstalledError. */
export async function loadVenue<T>(wantedFor: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (isVenueMissing(error)) throw new VenueNotInstalledError(wantedFor);
    throw error;
  }
}

/** `legwork venue` / `legwork sim`: runs the venue process (its own main reads VENUE_* and stops on signals). */
export async function runVenue(): Promise<number> {
  try {
    await loadVenue('legwork venue', () => import('@legwork/venue/main'));
  } catch (error) {
    if (!(error instanceof VenueNotInstalledError)) throw error;
    console.error(error.message);
    return 2;
  }
  return new Promise<number>(() => {}); // runs until a signal stops it
}

/**
 * The file the in-process venue of `legwork start` keeps its paper account in (VENUE_STATE_FILE): given, `off` for none
 * (in memory: a restart meets an empty account while the database still holds the open paper trades), or by default
 * one per database under `<checkout>/.legwork/paper-accounts/`, so the account and the trades recorded for it stay
 * together (another DATABASE_URL starts another account).
 */
export function paperStateFile(setting: string | undefined, databaseUrl: string, root: string): string | null {
  if (setting === 'off') return null;
  if (setting) return setting;
  let name: string;
  try {
    const u = new URL(databaseUrl);
    name = `${u.hostname}-${u.port || '5432'}-${decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres'}`;
  } catch {
    name = databaseUrl;
  }
  return join(root, '.legwork', 'paper-accounts', `${name.replace(/[^A-Za-z0-9._-]+/g, '_')}.json`);
}
