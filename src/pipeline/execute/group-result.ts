// Owns what running a group returns: its status, filled units and order count as Postgres holds them now.
import type { GroupRow } from '../../store/groups.repo.js';
import { ordersOfGroup } from '../../store/orders.repo.js';
import type { ExecContext } from '../execution-context.js';
import type { ExecuteResult } from './plan-entry.js';

export async function groupResult(ctx: Pick<ExecContext, 'sql'>, group: GroupRow, extra: Partial<ExecuteResult> = {}): Promise<ExecuteResult> {
  const orders = await ordersOfGroup(ctx.sql, group.id);
  return {
    groupId: group.id,
    status: group.status,
    filledUnits: group.filledUnits,
    orders: orders.length,
    ...(group.reason ? { reason: group.reason } : {}),
    ...extra,
  };
}
