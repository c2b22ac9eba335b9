// Owns leaving the kill switch (`legwork resume`, POST /api/resume): refused while any trade or order group is broken
import type { FailsafeTrip } from '../domain/portfolio.js';
import type { TradingStateValue } from '../domain/records.js';
import type { Store } from './store-port.js';
// (a broken trade holds something nobody has flattened yet), unless forced with a reason, which is audited with the ids
// it overrode. Resuming clears a standing flatten request and resets every tripped account failsafe.

export interface BrokenThings {
  trades: string[];
  groups: string[];
}

/** Broken trades, and broken groups whose trade is not settled (a later flatten may have closed it). */
export async function brokenThings(store: Store): Promise<BrokenThings> {
  return { trades: await store.trades.brokenIds(), groups: await store.groups.brokenUnsettledIds() };
}

export type ResumeResult =
  | {
      ok: true;
      state: TradingStateValue;
      before: TradingStateValue;
      overridden?: BrokenThings;
      /** Account failsafes this resume reset (they re-arm from here: today's loss and the peak count from now). */
      failsafesReset: FailsafeTrip[];
    }
  | { ok: false; message: string; blocking: BrokenThings };

export async function resumeTrading(
  store: Store,
  by: string,
  options: { reason?: string | undefined; force?: boolean },
): Promise<ResumeResult> {
  const before = await store.tradingState.get();
  const blocking = await brokenThings(store);
  const broken = blocking.trades.length + blocking.groups.length > 0;
  if (broken && !options.force) {
    return {
      ok: false,
      blocking,
      message: `refused: ${blocking.trades.length} broken trade(s) and ${blocking.groups.length} broken group(s) hold positions nobody manages to a close; flatten them, or resume with --force and a --reason`,
    };
  }
  if (broken && !options.reason)
    return { ok: false, blocking, message: 'refused: --force needs a --reason (it is audited)' };
  const state = await store.tradingState.set('active', by, options.reason, {
    ...(broken
      ? {
          audit: {
            forced: true,
            overriddenTrades: blocking.trades,
            overriddenGroups: blocking.groups,
            from: before.state,
          },
        }
      : {}),
  });
  const failsafesReset = await store.failsafes.reset(by);
  return { ok: true, state, before, failsafesReset, ...(broken ? { overridden: blocking } : {}) };
}
