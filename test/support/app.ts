// Owns a whole Legwork app for integration tests: the venue, a fresh database, its own BullMQ prefix and rules folder.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppContext, type AppContext } from '../../src/app/context.js';
import { wallClock } from '../../src/clock/wall-clock.js';
import type { Clock } from '../../src/pipeline/ports.js';
import { loadConfig } from '../../src/config/env.js';
import { createLogger } from '../../src/log.js';
import type { VenueHandle, StartVenueOptions } from '@legwork/venue';
import { createTestDatabase, type TestDatabase } from './db.js';
import { QUEUE_NAMES } from '../../src/queue/jobs.js';
import { setTradingState } from '../../src/store/settings.repo.js';
import { startTestVenue } from './venue.js';

export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

export interface TestApp {
  sim: VenueHandle;
  db: TestDatabase;
  ctx: AppContext;
  rulesDir: string;
  writeRule(file: string, text: string): void;
  /**
   * The environment of a worker child process (`startWorkerProcess`) that joins this app: its venue, database, Redis
   * queues and rules, on the same clock (a frozen venue, deadlines on wall time); `extra` adds or overrides variables.
   */
  workerEnv(extra?: Record<string, string>): Record<string, string>;
  /** The venue fills at once with no fault rules left, and trading is active: the start most tests want. */
  readyToTrade(): Promise<void>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /**
   * Which clock the app's decisions read. `wall` (default) keeps the suite's long-standing arrangement: a frozen venue
   * for deterministic prices while deadlines run on wall time. `broker` follows the venue's clock (the production
   * default under TT_ENV=sim): with a frozen venue, time moves only when the test advances it. `sim-now` reads the
   * in-process venue's time exactly (no sync lag) but waits on wall time: tests that move a frozen venue by hand
   * between executor runs (the executor's own waits would otherwise need a driver).
   */
  clock?: 'wall' | 'broker' | 'sim-now';
  /** The venue's clock (default: frozen at TUESDAY_10_NY). */
  sim?: StartVenueOptions;
  /** More configuration variables (e.g. the Discord bot's). */
  env?: Record<string, string>;
}

export async function startTestApp(rules: Record<string, string>, options: TestAppOptions = {}): Promise<TestApp> {
  const sim = await startTestVenue(options.sim);
  const db = await createTestDatabase();
  const rulesDir = mkdtempSync(join(tmpdir(), 'lw-rules-'));
  const writeRule = (file: string, text: string) => writeFileSync(join(rulesDir, file), text);
  for (const [file, text] of Object.entries(rules)) writeRule(file, text);
  const config = loadConfig({
    LEGWORK_VENUE_URL: sim.baseUrl,
    DATABASE_URL: db.url,
    REDIS_URL,
    LOG_LEVEL: 'warn',
    LEGWORK_CLOCK: options.clock === 'broker' ? 'broker' : 'wall',
    ...options.env,
  });
  const clock: Clock | undefined =
    options.clock === 'sim-now' ? { ...wallClock(), source: 'venue', now: () => sim.clock.now() } : undefined;
  const ctx = await createAppContext({
    ...(clock ? { clock } : {}),
    config,
    log: createLogger({ level: 'warn', pretty: false }),
    queuePrefix: `lwt${randomBytes(4).toString('hex')}`,
    rulesDir,
  });
  return {
    sim,
    db,
    ctx,
    rulesDir,
    writeRule,
    workerEnv: (extra = {}) => ({
      TT_ENV: 'sim',
      LEGWORK_VENUE_URL: sim.baseUrl,
      DATABASE_URL: db.url,
      REDIS_URL,
      LEGWORK_QUEUE_PREFIX: ctx.queues.settings.prefix,
      LEGWORK_RULES_DIR: rulesDir,
      LEGWORK_CLOCK: options.clock === 'broker' ? 'broker' : 'wall',
      ...extra,
    }),
    async readyToTrade() {
      sim.venue.clearFillRules();
      sim.venue.setDefaultFillBehavior({ behavior: 'immediate' });
      await setTradingState(ctx.sql, 'active', 'test');
    },
    async close() {
      for (const q of QUEUE_NAMES) {
        await ctx.queues[q].obliterate({ force: true }).catch(() => {});
      }
      await ctx.close();
      await db.drop();
      await sim.close();
    },
  };
}
