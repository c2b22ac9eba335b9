// Loading the optional venue package: a missing @legwork/venue becomes an error that says how to run a venue; any other
// failure (one of the venue's own dependencies missing, a bug) passes through untouched.
import { describe, expect, it } from 'vitest';
import { isVenueMissing, loadVenue, paperStateFile, VenueNotInstalledError } from '../../../workers/venue.js';

/** The error Node's ESM loader throws for a package that is not installed. */
const notFound = (name: string) =>
  Object.assign(new Error(`Cannot find package '${name}' imported from /app/workers/venue.ts`), {
    code: 'ERR_MODULE_NOT_FOUND',
  });

describe('loadVenue', () => {
  it('returns what the import returns when the venue is installed (the real package here)', async () => {
    const venue = await loadVenue('test', () => import('@legwork/venue'));
    expect(typeof venue.startVenue).toBe('function');
  });

  it('turns a missing @legwork/venue into an error naming the command, LEGWORK_VENUE_URL and how to run a venue', async () => {
    const failure = loadVenue('legwork start (paper mode)', () => Promise.reject(notFound('@legwork/venue')));
    await expect(failure).rejects.toBeInstanceOf(VenueNotInstalledError);
    await expect(failure).rejects.toThrow(
      /^legwork start \(paper mode\) needs the local venue, but @legwork\/venue \(packages\/venue\) is not installed here\. .*LEGWORK_VENUE_URL.*docker compose up venue.*npm run venue/,
    );
  });

  it('lets a missing dependency of the venue itself, or any other error, through unchanged', async () => {
    const inner = notFound('express');
    await expect(loadVenue('x', () => Promise.reject(inner))).rejects.toBe(inner);
    const bug = new TypeError('boom');
    await expect(loadVenue('x', () => Promise.reject(bug))).rejects.toBe(bug);
    expect(isVenueMissing(new Error("Cannot find package '@legwork/venue'"))).toBe(false); // no ERR_MODULE_NOT_FOUND code
  });
});

describe('paperStateFile (where `legwork start` keeps the paper account)', () => {
  it('is one file per database under the checkout’s .legwork/, without the password', () => {
    expect(paperStateFile(undefined, 'postgres://postgres@127.0.0.1:5432/legwork', '/repo')).toBe(
      '/repo/.legwork/paper-accounts/127.0.0.1-5432-legwork.json',
    );
    expect(paperStateFile(undefined, 'postgres://u:secret@db/paper_restart', '/repo')).toBe(
      '/repo/.legwork/paper-accounts/db-5432-paper_restart.json',
    );
  });

  it('is the file VENUE_STATE_FILE names, or none with VENUE_STATE_FILE=off', () => {
    expect(paperStateFile('/var/lib/legwork/paper.json', 'postgres://db/x', '/repo')).toBe(
      '/var/lib/legwork/paper.json',
    );
    expect(paperStateFile('off', 'postgres://db/x', '/repo')).toBeNull();
  });
});
