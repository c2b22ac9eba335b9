// Crash recovery proven with kill -9: an executor child process is killed at several points of a legged entry, a new
// one starts (reconcile on startup, then resume), and the group must end filled or flat with no naked leg at the venue
// and exactly one venue order per order id of ours. The time from the kill to a terminal group is measured and printed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, REDIS_URL, type TestApp } from '../support/app.js';
import { crashScenario, type ExecutorProcess, type KillPoint } from '../support/executor-process.js';

let app: TestApp;
const spawned: ExecutorProcess[] = [];
let offset = 0.02;

beforeAll(async () => {
  app = await startTestApp({});
});
afterAll(async () => {
  for (const p of spawned) if (p.child.exitCode === null && p.child.signalCode === null) p.kill9();
  await Promise.all(spawned.map((p) => p.exited));
  await app?.close();
});

const cases: { killPoint: KillPoint; expected: string[] }[] = [
  { killPoint: 'planned', expected: ['filled'] },
  // The held leg is found at the venue (filled); the other legs then normally fill too, but under load (seen once in
  // CI) the resumed run can pass a leg's 2 s timeout and roll back instead. Both are settled and safe (checked below).
  { killPoint: 'submit-hang', expected: ['filled', 'rolled_back', 'cancelled'] },
  { killPoint: 'working', expected: ['rolled_back', 'cancelled', 'filled'] },
  { killPoint: 'compensating', expected: ['rolled_back'] },
];

describe('crash recovery (kill -9 of the executor process)', () => {
  for (const { killPoint, expected } of cases) {
    it(`killed at ${killPoint}: the restarted executor settles the group`, async () => {
      offset += 0.02;
      const outcome = await crashScenario(
        {
          sim: app.sim,
          app: app.ctx,
          databaseUrl: app.db.url,
          redisUrl: REDIS_URL,
          queuePrefix: app.ctx.queues.settings.prefix,
          offset,
        },
        killPoint,
        spawned,
      );
      console.log(
        JSON.stringify({ metric: 'crash-recovery', killPoint, status: outcome.status, recoveryMs: outcome.recoveryMs }),
      );
      expect(expected).toContain(outcome.status);
      expect(outcome.naked).toEqual([]);
      expect(outcome.duplicateIds).toEqual([]);
      expect(outcome.unmatched).toEqual([]);
    }, 90_000);
  }
});
