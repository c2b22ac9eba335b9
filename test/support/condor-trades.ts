// Owns making iron-condor trades for integration tests the way the scanner and the executor do: a pending trade for a
// loaded rule set (legs from the venue's chain), and an open one whose entry the executor filled at the venue.
import { expect } from 'vitest';
import { deterministicId, newId } from '../../src/domain/ids.js';
import type { ExecContext } from '../../src/pipeline/execution-context.js';
import { executeGroup } from '../../src/pipeline/execute/execute-group.js';
import { getTrade, insertPendingTrade, type TradeRow } from '../../src/store/trades.repo.js';
import type { TestApp } from './app.js';
import { venueCondorLegs, venueSignedPositions } from './iron-condor.js';

/**
 * A pending SPY-style condor trade on `underlying` for the loaded rule set `ruleName` (risk $400, credit $1), in the
 * expiration nearest `pick.dte` days (35 unless given), `pick.quantity` structures (1 unless given).
 */
export async function pendingCondorTrade(
  app: TestApp,
  ruleName: string,
  underlying: string,
  pick: { dte?: number; quantity?: number } = {},
): Promise<TradeRow> {
  const rs = app.ctx.rules.get(ruleName);
  if (!rs) throw new Error(`rule ${ruleName} not loaded: ${JSON.stringify(app.ctx.rules.errors())}`);
  const id = newId();
  const legs = venueCondorLegs(app.sim, underlying, pick.dte === undefined ? {} : { dte: pick.dte });
  const quantity = pick.quantity ?? 1;
  return (
    await insertPendingTrade(app.ctx.sql, {
      id,
      ruleSet: rs.name,
      rulesHash: rs.hash,
      candidateId: null,
      strategy: 'iron-condor',
      underlying,
      expiration: legs[0]!.expiration,
      quantity,
      legs,
      entryGroupId: deterministicId('entry-group', id),
      riskCents: 40_000 * quantity,
      expectedCreditCents: 100,
      facts: {},
    })
  ).trade;
}

/** A pending condor whose entry the executor filled: the trade is `open` and the venue holds its four legs. */
export async function openCondorTrade(
  app: TestApp,
  ctx: ExecContext,
  ruleName: string,
  underlying: string,
  pick: { dte?: number; quantity?: number } = {},
): Promise<TradeRow> {
  const trade = await pendingCondorTrade(app, ruleName, underlying, pick);
  const entry = await executeGroup(ctx, trade.id, trade.entryGroupId);
  expect(entry.status, entry.reason ?? undefined).toBe('filled');
  const open = (await getTrade(app.ctx.sql, trade.id))!;
  expect(open.status).toBe('open');
  expect(venueSignedPositions(app.sim, app.sim.venue.accountNumbers()[0]!, underlying)).toHaveLength(4);
  return open;
}
