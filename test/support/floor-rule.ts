// Owns writing a manual-approval condor rule whose credit floor (`entry.minCredit`) sits at 90 % of the best natural
// credit its underlying offers now: the scan proposes it, and a vol crush afterwards takes it below the floor. Used by
// the "refused at approval" tests (the approval core's and the Discord button's).
import { nyDate } from '../../src/domain/dates.js';
import { scanRuleSet } from '../../src/pipeline/scan/scan-stage.js';
import type { TestApp } from './app.js';
import { condorRule } from './rules.js';

/** Writes `<name>.yaml` for `symbol` with the floor and returns the floor in cents. */
export async function writeFloorRule(app: TestApp, name: string, symbol: string, execution: string): Promise<number> {
  const file = `${name}.yaml`;
  const natural = '{ price: natural, maxSteps: 0, fillTimeoutSeconds: 30 }';
  app.writeRule(file, condorRule({ name, symbols: [symbol], entry: natural, execution }));
  await app.ctx.rules.reload();
  const probe = await scanRuleSet(
    { marketData: app.ctx.marketData, today: nyDate(app.ctx.clock.now()) },
    app.ctx.rules.get(name)!,
  );
  const best = Math.max(...probe.ranked.map((r) => r.candidate.creditNaturalCents));
  if (!(best > 10)) throw new Error(`${symbol}: no condor worth a floor (best natural credit ${best} cents)`);
  const floor = Math.floor(best * 0.9);
  const entry = `{ price: natural, maxSteps: 0, minCredit: ${(floor / 100).toFixed(2)}, fillTimeoutSeconds: 30 }`;
  app.writeRule(file, condorRule({ name, symbols: [symbol], entry, execution }));
  await app.ctx.rules.reload();
  return floor;
}
