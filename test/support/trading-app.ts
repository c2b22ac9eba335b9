// Owns the hooks of an integration test file that trades against one app (the exit, flatten, settlement and fee tests):
// the app started once before the file's tests, with an ExecContext whose decisions read the venue's clock, and closed
// after them; before each test the venue fills at once with no fault rules left and trading is active.
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createExecContext } from '../../src/app/exec-context.js';
import type { ExecContext } from '../../src/pipeline/execution-context.js';
import { startTestApp, type TestApp, type TestAppOptions } from './app.js';

export interface TradingApp {
  app: TestApp;
  /** Decisions (days to expiration, days held, the session) read the venue's clock: it moves when a test moves it. */
  ctx: ExecContext;
  /** The venue's first account. */
  account: string;
}

/**
 * Registers the file's hooks. `started` gets the app once it is up: to keep it, and for the file's own setup. After
 * hooks run in reverse order (vitest's `stack`): a file's own `afterAll`, registered after this, runs before the close.
 */
export function useTradingApp(
  rules: Record<string, string>,
  started: (t: TradingApp) => void | Promise<void>,
  options: TestAppOptions = {},
): void {
  let app: TestApp | undefined;
  beforeAll(async () => {
    const a = await startTestApp(rules, options);
    app = a;
    const ctx = createExecContext(a.ctx, { now: () => a.sim.clock.now() });
    await started({ app: a, ctx, account: a.sim.venue.accountNumbers()[0]! });
  }, 60_000);
  afterAll(() => app?.close());
  beforeEach(() => app?.readyToTrade());
}
