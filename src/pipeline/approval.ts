// Owns deciding on proposed trades (rule sets with `execution.approval: manual`): approve or reject by a human, one
// decision per trade (a compare-and-set, so two approvers at once cannot both act), expiry at the deadline (broker
// time), the audit of who decided and why, and telling the ApprovalNotifier. The CLI, the HTTP API, the dashboard and
// (later) Discord all come through `decideApproval`; the exit cycle runs `expireApprovals`.
import type { TradeRow } from '../domain/records.js';
import type { Logger } from '../log.js';
import type { ExecJobs } from './execution-context.js';
import type { ApprovalNotifier, ApprovalOutcome } from './ports.js';
import type { Store } from './store-port.js';

/** The exit reason of a proposal nobody decided on in time. */
export const APPROVAL_EXPIRED = 'approval expired';

/** The default notifier: proposals are only recorded (audit `trade_proposed`) and shown by the CLI, API and dashboard. */
export const NO_APPROVAL_NOTIFIER: ApprovalNotifier = {
  proposed: async () => {},
  resolved: async () => {},
};

export interface ApprovalContext {
  store: Store;
  /** Where an approved trade's entry goes (the executor's queue). */
  jobs: ExecJobs;
  log: Logger;
  /** Broker time: deadlines are compared with it. */
  now(): number;
  approvals?: ApprovalNotifier;
}

export interface ApprovalRequest {
  decision: 'approve' | 'reject';
  /** Who decides, for the audit: `cli:<user>`, `http:<user>`, `discord:<user>`. */
  by: string;
  reason?: string;
}

export type ApprovalResult =
  /** This request decided: the trade as it is now (pending and queued, or rejected). */
  | { ok: true; decision: 'approve' | 'reject'; trade: TradeRow; queued: boolean }
  /**
   * Nothing was decided by this request. `not_found`: no such trade; `not_awaiting`: it was not (or no longer) awaiting
   * approval, e.g. another approver was first; `expired`: its deadline had passed (it is rejected now, if it was not).
   */
  | { ok: false; code: 'not_found' | 'not_awaiting' | 'expired'; message: string; trade?: TradeRow };

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/** Tells the notifier, best effort: a notifier that fails is logged, never fails the caller. */
export async function notifyApproval(
  ctx: { approvals?: ApprovalNotifier; log: Logger },
  what: string,
  call: (n: ApprovalNotifier) => Promise<void>,
): Promise<void> {
  if (!ctx.approvals) return;
  try {
    await call(ctx.approvals);
  } catch (error) {
    ctx.log.warn({ err: error }, `approval notifier failed (${what}); the decision stands`);
  }
}

/** Why a request found nothing to decide, from the trade as it is now. */
function notAwaiting(tradeId: string, trade: TradeRow | undefined): ApprovalResult {
  if (!trade) return { ok: false, code: 'not_found', message: `no trade ${tradeId}` };
  if (trade.approvalDeadline === null)
    return { ok: false, code: 'not_awaiting', message: `trade ${tradeId} was not proposed for approval`, trade };
  if (trade.exitReason === APPROVAL_EXPIRED && trade.approvalBy === null)
    return {
      ok: false,
      code: 'expired',
      message: `trade ${tradeId} expired at ${iso(trade.approvalDeadline)} without a decision`,
      trade,
    };
  const decided =
    trade.approvalBy === null
      ? ''
      : ` ${trade.status === 'rejected' && trade.exitReason?.startsWith('rejected by') ? 'rejected' : 'approved'} by ${trade.approvalBy}`;
  return {
    ok: false,
    code: 'not_awaiting',
    message: `trade ${tradeId} was already decided${decided}; it is ${trade.status}${trade.exitReason ? ` (${trade.exitReason})` : ''}`,
    trade,
  };
}

/**
 * Approves or rejects one proposed trade. Exactly one decision wins: the move out of `awaiting_approval` is a
 * compare-and-set, in one transaction with its audit event (`trade_approved` / `trade_rejected`, with who and why), so
 * a second approver (Discord and the dashboard at once) gets `not_awaiting` naming who was first. A request after the
 * deadline expires the trade instead. An approved trade is `pending` and its entry is queued: the executor plans it on
 * fresh quotes and gates it like any entry; it may still end `rejected` (refused at approval when its credit fell below
 * the floor, or denied by the pre-trade gate). A queueing failure (Redis down) leaves it pending: the exit cycle's
 * repair pass queues a pending trade that was never planned.
 */
export async function decideApproval(
  ctx: ApprovalContext,
  tradeId: string,
  request: ApprovalRequest,
): Promise<ApprovalResult> {
  const trade = await ctx.store.trades.get(tradeId);
  if (trade?.status !== 'awaiting_approval') return notAwaiting(tradeId, trade);
  if (trade.approvalDeadline !== null && ctx.now() >= trade.approvalDeadline.getTime()) {
    await expireOne(ctx, trade);
    return notAwaiting(tradeId, await ctx.store.trades.get(tradeId));
  }
  const approve = request.decision === 'approve';
  const reason = request.reason?.trim() || undefined;
  const moved = await ctx.store.tx(async (tx) => {
    const ok = await tx.trades.move(
      tradeId,
      approve ? 'Approve' : 'Reject',
      approve
        ? { approvalBy: request.by }
        : { approvalBy: request.by, exitReason: `rejected by ${request.by}${reason ? `: ${reason}` : ''}` },
    );
    if (!ok) return false;
    await tx.audit.append({
      kind: approve ? 'trade_approved' : 'trade_rejected',
      tradeId,
      // One decision per trade, whoever makes it
      dedupeKey: `trade_approval:${tradeId}`,
      data: {
        by: request.by,
        ...(reason ? { reason } : {}),
        ruleSet: trade.ruleSet,
        underlying: trade.underlying,
        expectedCreditCents: trade.expectedCreditCents,
        deadline: iso(trade.approvalDeadline),
      },
    });
    return true;
  });
  const after = await ctx.store.trades.get(tradeId);
  if (!moved || !after) return notAwaiting(tradeId, after);
  let queued = false;
  if (approve) {
    try {
      await ctx.jobs.enqueueExecute(tradeId, trade.entryGroupId);
      queued = true;
    } catch (error) {
      ctx.log.error(
        { err: error, tradeId },
        'approved trade not queued; the repair pass queues it within a minute of broker time',
      );
    }
  }
  ctx.log.info({ tradeId, by: request.by, reason }, `trade ${approve ? 'approved' : 'rejected'} by ${request.by}`);
  const outcome: ApprovalOutcome = {
    kind: approve ? 'approved' : 'rejected',
    by: request.by,
    ...(reason ? { reason } : {}),
  };
  await notifyApproval(ctx, outcome.kind, (n) => n.resolved(after, outcome));
  return { ok: true, decision: request.decision, trade: after, queued };
}

export interface ExpiredApproval {
  tradeId: string;
  ruleSet: string;
  underlying: string;
  deadline: string;
}

/** Expires one proposal (compare-and-set with its audit event); false when it was decided in the meantime. */
async function expireOne(ctx: ApprovalContext, trade: TradeRow): Promise<boolean> {
  const moved = await ctx.store.tx(async (tx) => {
    if (!(await tx.trades.move(trade.id, 'ApprovalExpired', { exitReason: APPROVAL_EXPIRED }))) return false;
    await tx.audit.append({
      kind: 'approval_expired',
      tradeId: trade.id,
      dedupeKey: `trade_approval:${trade.id}`,
      data: {
        ruleSet: trade.ruleSet,
        underlying: trade.underlying,
        deadline: iso(trade.approvalDeadline),
        at: new Date(ctx.now()).toISOString(),
      },
    });
    return true;
  });
  if (!moved) return false;
  ctx.log.info({ tradeId: trade.id, deadline: iso(trade.approvalDeadline) }, 'proposed trade expired unapproved');
  const after = await ctx.store.trades.get(trade.id);
  if (after) await notifyApproval(ctx, 'expired', (n) => n.resolved(after, { kind: 'expired' }));
  return true;
}

/**
 * The approval sweep (every exit cycle, market open or not): every proposal whose deadline has passed in broker time
 * ends `rejected` with "approval expired", audited `approval_expired`. Errors on one trade are logged and do not stop
 * the others.
 */
export async function expireApprovals(ctx: ApprovalContext): Promise<ExpiredApproval[]> {
  const expired: ExpiredApproval[] = [];
  const now = ctx.now();
  for (const trade of await ctx.store.trades.list({ statuses: ['awaiting_approval'], limit: 10_000 })) {
    if (trade.approvalDeadline === null || trade.approvalDeadline.getTime() > now) continue;
    try {
      if (await expireOne(ctx, trade))
        expired.push({
          tradeId: trade.id,
          ruleSet: trade.ruleSet,
          underlying: trade.underlying,
          deadline: trade.approvalDeadline.toISOString(),
        });
    } catch (error) {
      ctx.log.error({ err: error, tradeId: trade.id }, 'approval expiry failed; tried again next cycle');
    }
  }
  return expired;
}
