// Owns what running a group returns: its status, filled units and order count as Postgres holds them now.
import type { GroupRow } from '../../domain/records.js';
import type { ExecContext } from '../execution-context.js';
import type { ExecuteResult } from './plan-entry.js';

export async function groupResult(
  ctx: Pick<ExecContext, 'store'>,
  group: GroupRow,
  extra: Partial<ExecuteResult> = {},
): Promise<ExecuteResult> {
  const orders = await ctx.store.orders.ofGroup(group.id);
  return {
    groupId: group.id,
    status: group.status,
    filledUnits: group.filledUnits,
    orders: orders.length,
    ...(group.reason ? { reason: group.reason } : {}),
    ...extra,
  };
}
