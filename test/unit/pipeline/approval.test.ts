// Trade approval over the in-memory Store and the fake broker: decideApproval approves (pending, queued, then opened by
// the executor) or rejects (who and why) exactly once however many approvers race, a proposal past its deadline
// expires (by the sweep, or when someone tries to decide it late), and an approved trade whose credit fell below the
// floor meanwhile is refused when planned, with nothing sent. The same paths run against PostgreSQL and the venue in
// test/integration/approval.test.ts.
import { describe, expect, it } from 'vitest';
import type { TradeRow } from '../../../src/domain/records.js';
import { decideApproval, expireApprovals } from '../../../src/pipeline/approval.js';
import { executeGroup } from '../../../src/pipeline/execute/execute-group.js';
import type { ApprovalOutcome } from '../../../src/pipeline/ports.js';
import { CONDOR, type ExecHarness, execHarness, heldByTrade, pendingCondor } from '../../support/exec-harness.js';

const TIMEOUT_MS = 300_000;

interface Setting {
  h: ExecHarness;
  queued: [string, string][];
  told: [string, string][];
}

/** The harness with its queue and notifier recorded. */
function setting(): Setting {
  const h = execHarness();
  const queued: [string, string][] = [];
  const told: [string, string][] = [];
  h.ctx.jobs = { enqueueExecute: async (tradeId, groupId) => void queued.push([tradeId, groupId]) };
  h.ctx.approvals = {
    proposed: async (t) => void told.push([t.id, 'proposed']),
    resolved: async (t, o: ApprovalOutcome) => void told.push([t.id, o.kind]),
  };
  return { h, queued, told };
}

const propose = (h: ExecHarness): Promise<TradeRow> =>
  pendingCondor(h, 'ic-manual', 1, new Date(h.clock.now() + TIMEOUT_MS));

const audit = (h: ExecHarness, tradeId: string) =>
  h.store.state.audit.filter((a) => a.tradeId === tradeId).map((a) => [a.kind, a.data]);

describe('decideApproval', () => {
  it('approves once: pending, who and when recorded and audited, the entry queued; the executor then opens it', async () => {
    const { h, queued, told } = setting();
    const trade = await propose(h);
    expect(trade.status).toBe('awaiting_approval');
    h.clock.advance(60_000);

    const result = await decideApproval(h.ctx, trade.id, {
      decision: 'approve',
      by: 'cli:alice',
      reason: 'looks fine',
    });

    expect(result).toMatchObject({ ok: true, decision: 'approve', queued: true });
    expect(await h.store.trades.get(trade.id)).toMatchObject({
      status: 'pending',
      approvalBy: 'cli:alice',
      approvalAt: new Date(h.clock.now()),
      exitReason: null,
    });
    expect(queued).toEqual([[trade.id, trade.entryGroupId]]);
    expect(audit(h, trade.id)).toEqual([
      [
        'trade_approved',
        {
          by: 'cli:alice',
          reason: 'looks fine',
          ruleSet: 'ic-manual',
          underlying: 'SPY',
          expectedCreditCents: 100,
          deadline: trade.approvalDeadline!.toISOString(),
        },
      ],
    ]);
    expect(told).toEqual([[trade.id, 'approved']]);

    // The executor plans it on fresh quotes (natural $0.80, above the $0.75 floor) and it fills
    const entry = await executeGroup(h.ctx, trade.id, trade.entryGroupId);
    expect(entry).toMatchObject({ status: 'filled', filledUnits: 1 });
    expect(await h.store.trades.get(trade.id)).toMatchObject({ status: 'open', entryCreditCents: 80 });
    expect(h.broker.calls.map((c) => [c.op, c.limitPriceCents])).toEqual([['submit', 80]]);
    expect((await heldByTrade(h, trade.id)).size).toBe(4);
  });

  it('acts once when approvers race: one decides, the others are told who was first; one job, one audit row', async () => {
    const { h, queued } = setting();
    const trade = await propose(h);

    const results = await Promise.all([
      decideApproval(h.ctx, trade.id, { decision: 'approve', by: 'discord:bob' }),
      decideApproval(h.ctx, trade.id, { decision: 'approve', by: 'http:carol' }),
      decideApproval(h.ctx, trade.id, { decision: 'reject', by: 'cli:dave' }),
    ]);

    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    const won = winners[0]!;
    const losers = results.filter((r) => !r.ok);
    expect(losers.map((r) => !r.ok && r.code)).toEqual(['not_awaiting', 'not_awaiting']);
    const first = (await h.store.trades.get(trade.id))!;
    expect(first.approvalBy).toBe(won.ok ? (won.decision === 'approve' ? 'discord:bob' : 'cli:dave') : null);
    for (const r of losers) if (!r.ok) expect(r.message).toContain(`by ${first.approvalBy}`);
    const decisions = h.store.state.audit.filter((a) => a.kind === 'trade_approved' || a.kind === 'trade_rejected');
    expect(decisions).toHaveLength(1);
    expect(queued).toHaveLength(won.ok && won.decision === 'approve' ? 1 : 0);

    // Asked again later: nothing changes
    const again = await decideApproval(h.ctx, trade.id, { decision: 'reject', by: 'cli:erin' });
    expect(again).toMatchObject({ ok: false, code: 'not_awaiting' });
    expect((await h.store.trades.get(trade.id))!.approvalBy).toBe(first.approvalBy);
  });

  it('rejects with who and why: rejected, the reason names them, audited, nothing queued or sent', async () => {
    const { h, queued, told } = setting();
    const trade = await propose(h);

    const result = await decideApproval(h.ctx, trade.id, { decision: 'reject', by: 'http:trader', reason: 'earnings' });

    expect(result).toMatchObject({ ok: true, decision: 'reject', queued: false });
    expect(await h.store.trades.get(trade.id)).toMatchObject({
      status: 'rejected',
      exitReason: 'rejected by http:trader: earnings',
      approvalBy: 'http:trader',
      closedAt: new Date(h.clock.now()),
    });
    expect(audit(h, trade.id).map(([kind, data]) => [kind, (data as Record<string, unknown>)['by']])).toEqual([
      ['trade_rejected', 'http:trader'],
    ]);
    expect(queued).toEqual([]);
    expect(told).toEqual([[trade.id, 'rejected']]);
    expect(h.broker.calls).toEqual([]);
  });

  it('refuses what is not a proposal waiting for a decision', async () => {
    const { h } = setting();
    expect(
      await decideApproval(h.ctx, '00000000-0000-4000-8000-000000000000', { decision: 'approve', by: 'x' }),
    ).toEqual({ ok: false, code: 'not_found', message: 'no trade 00000000-0000-4000-8000-000000000000' });
    const auto = await pendingCondor(h, 'ic-natural');
    const result = await decideApproval(h.ctx, auto.id, { decision: 'approve', by: 'cli:alice' });
    expect(result).toMatchObject({ ok: false, code: 'not_awaiting' });
    expect(!result.ok && result.message).toBe(`trade ${auto.id} was not proposed for approval`);
    expect((await h.store.trades.get(auto.id))!.status).toBe('pending');
  });

  it('a notifier that fails does not undo or fail the decision', async () => {
    const { h, queued } = setting();
    h.ctx.approvals = {
      proposed: async () => {},
      resolved: async () => {
        throw new Error('discord is down');
      },
    };
    const trade = await propose(h);
    expect(await decideApproval(h.ctx, trade.id, { decision: 'approve', by: 'cli:alice' })).toMatchObject({ ok: true });
    expect((await h.store.trades.get(trade.id))!.status).toBe('pending');
    expect(queued).toHaveLength(1);
  });
});

describe('approval expiry (broker time)', () => {
  it('the sweep leaves a proposal before its deadline and rejects it at the deadline: approval expired, audited', async () => {
    const { h, told } = setting();
    const trade = await propose(h);
    // While it waits it holds its underlying: no second trade on SPY, from any rule set
    await expect(pendingCondor(h, 'ic-natural')).rejects.toThrow(`trade blocked by ${trade.id}`);

    h.clock.advance(TIMEOUT_MS - 1);
    expect(await expireApprovals(h.ctx)).toEqual([]);
    expect((await h.store.trades.get(trade.id))!.status).toBe('awaiting_approval');

    h.clock.advance(1);
    expect(await expireApprovals(h.ctx)).toEqual([
      { tradeId: trade.id, ruleSet: 'ic-manual', underlying: 'SPY', deadline: trade.approvalDeadline!.toISOString() },
    ]);
    expect(await h.store.trades.get(trade.id)).toMatchObject({
      status: 'rejected',
      exitReason: 'approval expired',
      approvalBy: null,
      approvalAt: trade.approvalDeadline,
    });
    expect(audit(h, trade.id).map(([kind]) => kind)).toEqual(['approval_expired']);
    expect(told).toEqual([[trade.id, 'expired']]);
    // The underlying is free again
    expect((await pendingCondor(h, 'ic-natural')).status).toBe('pending');
    // Once: the next sweep finds nothing, an approval now is refused as expired
    expect(await expireApprovals(h.ctx)).toEqual([]);
    const late = await decideApproval(h.ctx, trade.id, { decision: 'approve', by: 'cli:alice' });
    expect(late).toMatchObject({ ok: false, code: 'expired' });
    expect(!late.ok && late.message).toBe(
      `trade ${trade.id} expired at ${trade.approvalDeadline!.toISOString()} without a decision`,
    );
  });

  it('an approval that arrives after the deadline but before the sweep expires the trade instead of approving it', async () => {
    const { h, queued } = setting();
    const trade = await propose(h);
    h.clock.advance(TIMEOUT_MS + 5000);

    const result = await decideApproval(h.ctx, trade.id, { decision: 'approve', by: 'cli:alice' });

    expect(result).toMatchObject({ ok: false, code: 'expired' });
    expect(await h.store.trades.get(trade.id)).toMatchObject({ status: 'rejected', exitReason: 'approval expired' });
    expect(queued).toEqual([]);
    expect(audit(h, trade.id).map(([kind]) => kind)).toEqual(['approval_expired']);
  });
});

describe('planning an approved trade on fresh quotes', () => {
  /** The short put's bid falls 10 cents: natural credit 80 → 70, below the $0.75 floor. */
  const marketMoves = (h: ExecHarness) => h.market.setQuote(CONDOR.shortPut.streamerSymbol, 140, 160);

  it('refuses it when its credit fell below the floor: denied before anything is sent, rejected naming both', async () => {
    const { h, told } = setting();
    const trade = await propose(h);
    expect(await decideApproval(h.ctx, trade.id, { decision: 'approve', by: 'cli:alice' })).toMatchObject({ ok: true });
    marketMoves(h);

    const result = await executeGroup(h.ctx, trade.id, trade.entryGroupId);

    const reason =
      'refused at approval: the market moved and its natural credit $0.70 fell below the floor $0.75 ' +
      '(entry.minCredit; $1.00 mid when proposed)';
    expect(result).toMatchObject({ status: 'denied', orders: 0, reason });
    expect(await h.store.trades.get(trade.id)).toMatchObject({
      status: 'rejected',
      exitReason: reason,
      approvalBy: 'cli:alice',
    });
    expect(await h.store.groups.get(trade.entryGroupId)).toMatchObject({ status: 'denied', reason });
    expect(h.broker.calls).toEqual([]);
    expect(audit(h, trade.id).map(([kind, data]) => [kind, (data as Record<string, unknown>)['atApproval']])).toEqual([
      ['trade_approved', undefined],
      ['order_planned', undefined],
      ['trade_skipped', true],
    ]);
    expect(told).toEqual([
      [trade.id, 'approved'],
      [trade.id, 'refused'],
    ]);
    // A redelivered job finds the group settled and sends nothing
    expect(await executeGroup(h.ctx, trade.id, trade.entryGroupId)).toMatchObject({ status: 'denied' });
    expect(h.broker.calls).toEqual([]);
  });

  it('leaves trades that were never proposed to the entry floor as before (only an approved trade is re-tested)', async () => {
    const { h } = setting();
    marketMoves(h);
    const trade = await pendingCondor(h, 'ic-manual'); // by hand (legwork trade): no approval, no deadline
    h.broker.script({ kind: 'never' });

    const result = await executeGroup(h.ctx, trade.id, trade.entryGroupId);

    // Sent at the floor ($0.75 > natural $0.70), worked until its timeout, nothing filled
    expect(h.broker.calls[0]).toMatchObject({ op: 'submit', limitPriceCents: 75 });
    expect(result.status).toBe('cancelled');
  });
});
