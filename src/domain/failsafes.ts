// Owns the account failsafes (rules/account.yaml's failsafes section) as pure decisions: given the account's net
// liquidating value, its start-of-day and peak values, and recent broker errors, which failsafe trips and why.
import type { FailsafeName } from './portfolio.js';

export interface FailsafeLimits {
  /** A loss in cents, or in % of the start-of-day net liq; `flatten` also closes everything Legwork holds. */
  dailyLoss:
    | { kind: 'dollars'; cents: number; flatten: boolean }
    | { kind: 'pct'; pct: number; flatten: boolean }
    | null;
  drawdownPct: number | null;
  brokerErrors: { count: number; minutes: number } | null;
}

export interface FailsafeInputs {
  netLiqCents: number;
  /** Net liq at the start of the day (or at the failsafe's reset today), null when unknown yet. */
  dayStartNetLiqCents: number | null;
  /** The highest net liq since the drawdown failsafe's last reset, null when unknown. */
  peakNetLiqCents: number | null;
  /** Broker rejections and errors within the window. */
  brokerErrors: number;
}

export interface FailsafeCheck {
  name: FailsafeName;
  /** off: not configured; waiting: no baseline yet; ok; tripped: over its limit now. */
  state: 'off' | 'waiting' | 'ok' | 'tripped';
  reason: string;
  flatten: boolean;
  data: Record<string, number | null>;
}

const dollars = (cents: number) => `$${(cents / 100).toFixed(2)}`;

export function checkFailsafes(limits: FailsafeLimits, x: FailsafeInputs): FailsafeCheck[] {
  const out: FailsafeCheck[] = [];
  const dl = limits.dailyLoss;
  if (!dl) out.push({ name: 'dailyLoss', state: 'off', reason: 'not configured', flatten: false, data: {} });
  else if (x.dayStartNetLiqCents === null)
    out.push({ name: 'dailyLoss', state: 'waiting', reason: 'no start-of-day net liq yet', flatten: false, data: {} });
  else {
    const loss = x.dayStartNetLiqCents - x.netLiqCents;
    const limitCents = dl.kind === 'dollars' ? dl.cents : Math.round((x.dayStartNetLiqCents * dl.pct) / 100);
    const tripped = loss >= limitCents;
    out.push({
      name: 'dailyLoss',
      state: tripped ? 'tripped' : 'ok',
      reason: `lost ${dollars(Math.max(0, loss))} today of ${dollars(x.dayStartNetLiqCents)} (limit ${dollars(limitCents)}${dl.kind === 'pct' ? `, ${dl.pct} %` : ''})`,
      flatten: tripped && dl.flatten,
      data: { lossCents: loss, limitCents, dayStartNetLiqCents: x.dayStartNetLiqCents, netLiqCents: x.netLiqCents },
    });
  }
  if (limits.drawdownPct === null)
    out.push({ name: 'drawdown', state: 'off', reason: 'not configured', flatten: false, data: {} });
  else if (x.peakNetLiqCents === null || x.peakNetLiqCents <= 0)
    out.push({ name: 'drawdown', state: 'waiting', reason: 'no equity peak yet', flatten: false, data: {} });
  else {
    const peak = Math.max(x.peakNetLiqCents, x.netLiqCents);
    const drawdownPct = ((peak - x.netLiqCents) / peak) * 100;
    const tripped = drawdownPct >= limits.drawdownPct;
    out.push({
      name: 'drawdown',
      state: tripped ? 'tripped' : 'ok',
      reason: `${drawdownPct.toFixed(2)} % below the equity peak ${dollars(peak)} (limit ${limits.drawdownPct} %)`,
      flatten: false,
      data: { drawdownPct: Math.round(drawdownPct * 100) / 100, peakNetLiqCents: peak, netLiqCents: x.netLiqCents },
    });
  }
  const be = limits.brokerErrors;
  if (!be) out.push({ name: 'brokerErrors', state: 'off', reason: 'not configured', flatten: false, data: {} });
  else {
    const tripped = x.brokerErrors >= be.count;
    out.push({
      name: 'brokerErrors',
      state: tripped ? 'tripped' : 'ok',
      reason: `${x.brokerErrors} broker rejections or errors in ${be.minutes} min (limit ${be.count})`,
      flatten: false,
      data: { errors: x.brokerErrors, count: be.count, minutes: be.minutes },
    });
  }
  return out;
}
