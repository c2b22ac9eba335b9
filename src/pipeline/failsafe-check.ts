// Owns the account failsafes at run time: once per exit cycle, reads the account's net liquidating value, its start of
// day and equity peak (snapshots) and recent broker errors, and trips what is over its limit: recorded with why,
// alerted, trading halted (with a standing flatten for a daily loss that asks for it). Only `legwork resume` resets.
import { checkFailsafes, type FailsafeCheck, type FailsafeInputs, type FailsafeLimits } from '../domain/failsafes.js';
import { nyDate } from '../domain/dates.js';
import type { FailsafeName } from '../domain/portfolio.js';
import type { AccountContext, ExecContext } from './execution-context.js';

export interface FailsafeReport {
  checks: FailsafeCheck[];
  /** Failsafes this check tripped (already tripped ones are not repeated). */
  tripped: FailsafeName[];
  /** Why nothing was checked (no account file, the broker did not answer). */
  skipped?: string;
}

/** The start of day a daily loss is measured from: the last close before today, else today's first point; after a reset today, the first point since. */
async function dayStartNetLiq(
  ctx: Pick<ExecContext, 'store'>,
  portfolioId: number,
  nowMs: number,
): Promise<number | null> {
  const today = nyDate(nowMs);
  const reset = await ctx.store.failsafes.lastReset('dailyLoss');
  if (reset && nyDate(reset.getTime()) === today) {
    const [first] = await ctx.store.portfolio.snapshotsSince(portfolioId, reset.getTime());
    return first?.netLiqCents ?? null;
  }
  const closes = await ctx.store.portfolio.snapshotsSince(portfolioId, nowMs - 10 * 86_400_000, 'close');
  const previous = closes.filter((c) => c.sessionDate < today).at(-1);
  if (previous) return previous.netLiqCents;
  const todays = (await ctx.store.portfolio.snapshotsSince(portfolioId, nowMs - 86_400_000)).find(
    (s) => s.sessionDate === today,
  );
  return todays?.netLiqCents ?? null;
}

/** What the failsafes measure now: net liq, the start of the day, the equity peak and broker errors since their resets. */
export async function failsafeInputs(
  ctx: Pick<ExecContext, 'store' | 'broker' | 'now'>,
  account: AccountContext,
  limits: FailsafeLimits,
): Promise<FailsafeInputs> {
  const now = ctx.now();
  const netLiqCents = (await ctx.broker.balances()).netLiquidatingValueCents;
  const portfolio = await ctx.store.portfolio.ensure(account.environment, ctx.broker.accountNumber);
  const drawdownReset = await ctx.store.failsafes.lastReset('drawdown');
  const errorsReset = await ctx.store.failsafes.lastReset('brokerErrors');
  const windowStart = limits.brokerErrors ? now - limits.brokerErrors.minutes * 60_000 : now;
  return {
    netLiqCents,
    dayStartNetLiqCents: limits.dailyLoss ? await dayStartNetLiq(ctx, portfolio.id, now) : null,
    peakNetLiqCents:
      limits.drawdownPct !== null
        ? await ctx.store.portfolio.peakNetLiq(portfolio.id, drawdownReset?.getTime() ?? 0)
        : null,
    brokerErrors: limits.brokerErrors
      ? await account.brokerErrorsSince(Math.max(windowStart, errorsReset?.getTime() ?? 0))
      : 0,
  };
}

/** Each failsafe as it stands (for `legwork risk` and the dashboard): an active trip shows as tripped, with its reason. */
export async function failsafeStates(
  ctx: Pick<ExecContext, 'store' | 'broker' | 'now'>,
  account: AccountContext,
): Promise<FailsafeCheck[]> {
  const { failsafes: limits } = await account.rules();
  const checks = checkFailsafes(limits, await failsafeInputs(ctx, account, limits));
  const active = await ctx.store.failsafes.active();
  return checks.map((c) => {
    const trip = active.find((t) => t.name === c.name);
    return trip ? { ...c, state: 'tripped', reason: trip.reason } : c;
  });
}

export async function checkAccountFailsafes(ctx: ExecContext): Promise<FailsafeReport> {
  const account = ctx.account;
  if (!account) return { checks: [], tripped: [], skipped: 'no account context' };
  const { failsafes: limits, hash } = await account.rules();
  if (!limits.dailyLoss && limits.drawdownPct === null && !limits.brokerErrors) return { checks: [], tripped: [] };
  let inputs: FailsafeInputs;
  try {
    inputs = await failsafeInputs(ctx, account, limits);
  } catch (error) {
    ctx.log.warn({ err: error }, 'failsafes: balances unavailable; checked next cycle');
    return { checks: [], tripped: [], skipped: 'balances unavailable' };
  }
  const checks = checkFailsafes(limits, inputs);
  const tripped: FailsafeName[] = [];
  for (const c of checks.filter((x) => x.state === 'tripped')) {
    const reason = `failsafe ${c.name}: ${c.reason}`;
    const recorded = await ctx.store.failsafes.trip(c.name, reason, { ...c.data, accountRulesHash: hash });
    const state = await ctx.store.tradingState.get();
    if (!recorded && state.state !== 'active' && (!c.flatten || state.flatten)) continue;
    tripped.push(c.name);
    // Halted (or still reducing after a broken group); a daily loss that asks for it also flattens
    await ctx.store.tradingState.set(state.state === 'reducing' ? 'reducing' : 'halted', `failsafe:${c.name}`, reason, {
      flatten: c.flatten || state.flatten === true,
      audit: { failsafe: c.name, ...c.data, accountRulesHash: hash },
    });
    await ctx.alert('failsafe', reason, { failsafe: c.name, flatten: c.flatten, ...c.data });
  }
  return { checks, tripped };
}
