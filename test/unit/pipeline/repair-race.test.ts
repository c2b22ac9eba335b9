// The repair pass and the executor never both act on one stale entry (100-campaign chaos, seeds 20261426 and 20261433:
// a night's clock jump made a pending trade "10 minutes old" while the executor was planning it; the repair rejected
// it, the executor planned and filled it, and the venue held the legs of a rejected trade). Over the in-memory Store
// and the fake broker: the repair takes the entry group's lock, as the executor does.
import { describe, expect, it } from 'vitest';
import { STALE_ENTRY_MS } from '../../../src/domain/trade-repair.js';
import { executeGroup } from '../../../src/pipeline/execute/execute-group.js';
import { repairTrades } from '../../../src/pipeline/exit/repair-trades.js';
import { execHarness, pendingCondor } from '../../support/exec-harness.js';

describe('a stale pending entry', () => {
  it('is left to an executor that holds its group lock, and rejected once none does; an executor after that sends nothing', async () => {
    const h = execHarness();
    const trade = await pendingCondor(h, 'ic-legged');
    h.clock.advance(STALE_ENTRY_MS + 1000);

    // An executor is planning it (it holds the entry group's lock): the repair leaves it alone
    const executor = await h.store.groupLock(trade.entryGroupId);
    expect(await executor.tryAcquire()).toBe(true);
    expect((await repairTrades(h.ctx)).filter((r) => r.event)).toEqual([]);
    expect((await h.store.trades.get(trade.id))!.status).toBe('pending');
    // ... and gives its lock handle (a reserved connection in PostgreSQL) back: only the executor's is still open.
    // Chaos seed 20261140 index 18: every pass left one behind, ten and the exit process's pool hung for good.
    expect((await repairTrades(h.ctx)).filter((r) => r.event)).toEqual([]);
    expect(h.store.openLockHandles()).toBe(1);
    await executor.release();
    expect(h.store.openLockHandles()).toBe(0);

    // Nobody holds it: rejected
    const repairs = await repairTrades(h.ctx);
    expect(repairs.map((r) => [r.tradeId, r.decision, r.event])).toEqual([[trade.id, 'reject_entry', 'EntryRejected']]);
    expect((await h.store.trades.get(trade.id))!.status).toBe('rejected');

    // The executor that comes later plans nothing and sends nothing
    // and its job ends as done, not failed (a failed job would be retried and shown red in Bull Board for a benign race)
    const late = await executeGroup(h.ctx, trade.id, trade.entryGroupId);
    expect(late).toMatchObject({ status: 'not_planned', orders: 0, reason: expect.stringMatching(/already rejected/) });
    expect(await h.store.groups.get(trade.entryGroupId)).toBeUndefined();
    expect(h.broker.calls).toEqual([]);
  });
});
