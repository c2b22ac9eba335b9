// Owns the venue's state file (a paper account kept across restarts): reading and checking it, refusing one saved
// later than the clock now starts, and writing it atomically (a temporary file renamed over it) at most every few
// hundred milliseconds while the venue changes, and once more when it stops.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isoTimeZ } from './format.js';
import type { VenueSavedState } from './core/venue.js';

/** A state file the venue cannot start from: unreadable, not a venue state, or saved after the clock now starts. */
export class VenueStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VenueStateError';
  }
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The saved state, or undefined when there is no file yet (a new paper account). */
export function readStateFile(path: string): VenueSavedState | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new VenueStateError(`cannot read the venue state file ${path}: ${(error as Error).message}`);
  }
  let data: Partial<VenueSavedState>;
  try {
    data = JSON.parse(text) as Partial<VenueSavedState>;
  } catch (error) {
    throw new VenueStateError(`the venue state file ${path} is not JSON: ${(error as Error).message}`);
  }
  const ok =
    data !== null &&
    typeof data === 'object' &&
    data.version === 1 &&
    isCount(data.savedAt) &&
    Array.isArray(data.accounts) &&
    data.accounts.every((a) => a && typeof a.accountNumber === 'string' && Array.isArray(a.positions)) &&
    Array.isArray(data.orders) &&
    data.orders.every((o) => o && isCount(o.id) && Array.isArray(o.legs)) &&
    isCount(data.nextOrderId) &&
    isCount(data.nextExecId) &&
    isCount(data.nextTransactionId);
  if (!ok) throw new VenueStateError(`${path} is not a venue state file (version 1)`);
  return data as VenueSavedState;
}

/** Refuses a state saved after `now`: positions and orders from the clock's future, and ids a replay would reuse. */
export function checkResumable(path: string, saved: VenueSavedState, now: number): void {
  if (saved.savedAt <= now) return;
  const later = isoTimeZ(Math.ceil((saved.savedAt + 1) / 60_000) * 60_000).replace('.000Z', 'Z');
  throw new VenueStateError(
    `the paper account in ${path} was saved at ${isoTimeZ(saved.savedAt)} (venue time), after this venue's clock ` +
      `starts (${isoTimeZ(now)}): start the clock at or after it (e.g. VENUE_CLOCK=${later}@60x), or start a new ` +
      'paper account with a new database (move the file away, or VENUE_STATE_FILE=off)',
  );
}

export function writeStateFile(path: string, state: VenueSavedState): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state)}\n`);
  renameSync(tmp, path);
}

export interface StateSaver {
  /** Something changed: written at the next flushIfDue. */
  changed(): void;
  /** Writes when something changed and the last write is at least `everyMs` old (wall time). */
  flushIfDue(): void;
  /** Writes now whatever changed. */
  flush(): void;
}

/** Writes `read()` to `path`; a failed write is reported once per failure streak and tried again at the next change. */
export function createStateSaver(
  path: string,
  read: () => VenueSavedState,
  report: (message: string, extra?: Record<string, unknown>) => void,
  everyMs = 250,
): StateSaver {
  let dirty = true;
  let lastWrite = 0;
  let failing = false;
  const flush = () => {
    if (!dirty) return;
    dirty = false;
    lastWrite = Date.now();
    try {
      writeStateFile(path, read());
      failing = false;
    } catch (error) {
      dirty = true;
      if (!failing) report('venue state file write failed', { path, error: (error as Error).message });
      failing = true;
    }
  };
  return {
    changed: () => {
      dirty = true;
    },
    flushIfDue: () => {
      if (dirty && Date.now() - lastWrite >= everyMs) flush();
    },
    flush,
  };
}
