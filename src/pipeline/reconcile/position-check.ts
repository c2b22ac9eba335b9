// Owns the position check of every reconciliation: the broker's positions against what each trade holds (its fills,
// settlements and closes by hand), per symbol, each difference explained from the broker's settlements and the fills
// of orders not ours (src/domain/position-explain.ts), recorded once per distinct state as a `position_explained`
// audit event, alerted when someone must act or a trader closed something by hand, and what explains a trade's
// difference recorded against it (apply-settlements.ts, outside-closes.ts).
import { nyDate } from '../../domain/dates.js';
import { explainPositions, type DifferenceKind, type PositionDifference } from '../../domain/position-explain.js';
import type { Settlement } from '../../domain/settlement.js';
import { applySettlements, closeSettledFlatTrades } from './apply-settlements.js';
import { applyOutsideCloses, readOutsideEvidence } from './outside-closes.js';
import { sleep } from '../../util/sleep.js';
import type { ExecContext } from '../execution-context.js';

/** Pages of 250 Receive Deliver transactions read per check (newest first). */
const SETTLEMENT_PAGES = 2;

/** The broker's recent settlements; null when they could not be read (differences are then explained without them). */
export async function recentSettlements(ctx: Pick<ExecContext, 'broker' | 'log'>): Promise<Settlement[] | null> {
  const all: Settlement[] = [];
  try {
    for (let page = 0; page < SETTLEMENT_PAGES; page++) {
      const rows = await ctx.broker.settlements({ perPage: 250, pageOffset: page });
      all.push(...rows);
      if (rows.length < 250) break;
    }
    return all;
  } catch (error) {
    ctx.log.warn(
      { err: error },
      'reading the broker settlements failed: position differences are explained without them',
    );
    return null;
  }
}

const ALERT_OF: Readonly<Record<DifferenceKind, 'assignment' | 'reconcile_mismatch' | 'closed_outside' | null>> = {
  expired: null,
  assigned: 'assignment',
  exercised: 'assignment',
  delivered: 'assignment',
  closed_outside: 'closed_outside',
  foreign: 'reconcile_mismatch',
  missing: 'reconcile_mismatch',
  unexplained: 'reconcile_mismatch',
};

/**
 * How long a difference must last to count (wall time). The broker's positions show a fill a moment before the fill
 * reaches Postgres (the account stream, the monitor's job, §8 of the API notes): seen in paper mode, every new trade
 * was first reported as a foreign position. A difference is read again after this long and counts only if it is still
 * there, the same.
 */
export const POSITION_CONFIRM_MS = 1_500;

async function readDifferences(ctx: ExecContext) {
  const held = await ctx.store.positions.held();
  const broker = (await ctx.broker.positions()).map((p) => ({ symbol: p.symbol, quantity: p.quantity }));
  return { held, broker, differences: explainPositions({ held, broker, settlements: [], today: nyDate(ctx.now()) }) };
}

/** Compares, explains, records and alerts. Returns the differences (empty when the broker and the trades agree). */
export async function checkPositions(ctx: ExecContext, confirmMs = POSITION_CONFIRM_MS): Promise<PositionDifference[]> {
  let { held, broker, differences } = await readDifferences(ctx);
  if (differences.length > 0 && confirmMs > 0) {
    const first = differences;
    await sleep(confirmMs);
    ({ held, broker, differences } = await readDifferences(ctx));
    differences = differences.filter((d) =>
      first.some((f) => f.symbol === d.symbol && f.ours === d.ours && f.broker === d.broker),
    );
  }
  if (differences.length === 0) {
    // A settled trade whose exit ended after its settlement was recorded holds nothing: closed now, not at the open
    await closeSettledFlatTrades(ctx);
    return [];
  }
  // Settlements and trade transactions are read only when something differs (most reconciliations find nothing)
  const settlements = await recentSettlements(ctx);
  // A difference one trade holds may be a close by hand: only the broker's fills of an order not ours can say so
  const outside = await readOutsideEvidence(ctx, differences);
  const explained =
    settlements === null && outside === undefined
      ? differences
      : explainPositions({
          held,
          broker,
          settlements: settlements ?? [],
          today: nyDate(ctx.now()),
          recorded: settlements ? await ctx.store.settlements.recordedIds(settlements.map((s) => s.id)) : new Set(),
          settledBy: settlements ? await ctx.store.settlements.optionOwners() : new Map(),
          ...(outside ? { outside } : {}),
        });
  for (const d of explained) {
    const first = await ctx.store.audit.append({
      kind: 'position_explained',
      tradeId: d.tradeIds[0] ?? null,
      dedupeKey: `position:${d.kind}:${d.symbol}:${d.ours}:${d.broker}:${d.settlementIds.join(',')}`,
      data: { ...d, settlementsRead: settlements !== null },
    });
    const alert = ALERT_OF[d.kind];
    if (first && alert) {
      const { kind: difference, ...rest } = d;
      const message = alert === difference ? d.detail : `${difference}: ${d.detail}`;
      await ctx.alert(alert, message, { ...rest, difference, tradeId: d.tradeIds[0] ?? null });
    }
  }
  await applyOutsideCloses(ctx, explained, outside);
  if (settlements !== null) await applySettlements(ctx, explained, settlements);
  else await closeSettledFlatTrades(ctx);
  return explained;
}
