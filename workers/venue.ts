// Owns loading the local venue (@legwork/venue, an optional workspace package): paper mode starts it in-process when no
// venue answers, and `legwork venue` (alias `legwork sim`) runs it on its own. A production install may leave it out;
// then the error says how to run a venue instead. Legwork's adapter never imports it: it talks to a venue over the wire.
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
