// Owns the time the store writes into timestamps that decisions later compare (created/updated/submitted/opened/closed
// at, state events): the app's one clock, bound once per process by createAppContext, never Postgres now().
let current: () => number = () => Date.now(); // one-clock: default only for processes without an app context (CLIs, migrations)

/** Called by createAppContext: from then on every timestamp the store writes is broker time. */
export function bindStoreClock(now: () => number): void {
  current = now;
}

/** Broker time as the value of a timestamptz parameter. */
export const storeNow = (): Date => new Date(current());
