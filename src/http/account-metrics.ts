// Owns the account's Prometheus gauges: net liq, greeks, VaR, each limit's use and each failsafe's trip, from the risk
// report, plus the report's own time; and the cache that keeps a scrape cheap (the report is read at most once a minute).
import type { RiskReport } from '../pipeline/account/account-stage.js';

/** Where /metrics reads the account's risk report; null when there is none. */
export type RiskSource = () => Promise<RiskReport | null>;

export const ACCOUNT_NET_LIQ = 'legwork_account_net_liq_dollars';
export const ACCOUNT_GREEK = 'legwork_account_greek';
export const ACCOUNT_VAR = 'legwork_account_var_dollars';
export const ACCOUNT_LIMIT_USED = 'legwork_account_limit_used_ratio';
export const ACCOUNT_FAILSAFE_TRIPPED = 'legwork_account_failsafe_tripped';
export const ACCOUNT_REPORT_TIME = 'legwork_account_report_timestamp_seconds';

/** How long one risk report serves scrapes. */
export const RISK_CACHE_MS = 60_000;

/** The greeks as the `greek` label spells them. */
const GREEK_LABELS = [
  ['delta', 'delta'],
  ['betaDelta', 'beta_delta'],
  ['gamma', 'gamma'],
  ['theta', 'theta'],
  ['vega', 'vega'],
] as const;

/** A metric in the JSON form of prom-client's `getMetricsAsJSON()`, as `AggregatorRegistry.aggregate` takes it. */
export interface MetricJson {
  name: string;
  help: string;
  type: 'gauge';
  aggregator: 'sum';
  values: { labels: Record<string, string>; value: number }[];
}

const gauge = (name: string, help: string, values: MetricJson['values']): MetricJson => ({
  name,
  help,
  type: 'gauge',
  aggregator: 'sum',
  values,
});

/** used/limit; a zero limit (nothing allowed) reads 0 while unused and +Inf once used. */
export function usedRatio(used: number, limit: number): number {
  if (limit > 0) return used / limit;
  return used > 0 ? Number.POSITIVE_INFINITY : 0;
}

/**
 * How much of a limit is in use, 1 at the limit: the report's pct / 100 (used/limit for a maximum, and its own measure
 * for a minimum such as greeks.minTheta), else used/limit (a zero limit's pct is infinite, and null once through JSON).
 */
export function limitRatio(l: { used: number; limit: number; pct: number | null }): number {
  return typeof l.pct === 'number' && Number.isFinite(l.pct) ? l.pct / 100 : usedRatio(l.used, l.limit);
}

/**
 * The account gauges of one report. Without a report every gauge is present with no sample: Prometheus then has no
 * value rather than a made-up 0 for the net liq.
 */
export function accountMetrics(report: RiskReport | null): MetricJson[] {
  const r = report;
  const vars: [string, string, number | undefined][] = [
    ['historical', '95', r?.var?.hist95],
    ['historical', '99', r?.var?.hist99],
    ['parametric', '95', r?.var?.param95],
    ['parametric', '99', r?.var?.param99],
  ];
  const finite = (v: number | undefined | null): v is number => typeof v === 'number' && !Number.isNaN(v);
  return [
    gauge(
      ACCOUNT_NET_LIQ,
      'Net liquidating value of the account in dollars',
      r && finite(r.netLiq) ? [{ labels: {}, value: r.netLiq }] : [],
    ),
    gauge(
      ACCOUNT_GREEK,
      'Greeks of the whole account as the risk report gives them: delta, beta_delta (in SPY shares), gamma, theta, vega',
      r?.greeks
        ? GREEK_LABELS.filter(([k]) => finite(r.greeks[k])).map(([k, greek]) => ({
            labels: { greek },
            value: r.greeks[k],
          }))
        : [],
    ),
    gauge(
      ACCOUNT_VAR,
      'One-day value at risk of the account in dollars, by method (historical, parametric) and confidence (95, 99)',
      vars
        .filter(([, , v]) => finite(v))
        .map(([method, confidence, v]) => ({ labels: { method, confidence }, value: v as number })),
    ),
    gauge(
      ACCOUNT_LIMIT_USED,
      'Share of each account limit in use (used/limit; 1 is at the limit; a minimum such as greeks.minTheta: 0 above it, over 1 below)',
      (r?.limits ?? []).map((l) => ({ labels: { limit: l.name }, value: limitRatio(l) })),
    ),
    gauge(
      ACCOUNT_FAILSAFE_TRIPPED,
      'Account failsafes: 1 tripped (trading halted until legwork resume), 0 not',
      (r?.failsafes ?? []).map((f) => ({ labels: { failsafe: f.name }, value: f.state === 'tripped' ? 1 : 0 })),
    ),
    gauge(
      ACCOUNT_REPORT_TIME,
      'When the account risk report was made (broker time, Unix seconds)',
      r && finite(r.at) ? [{ labels: {}, value: r.at / 1000 }] : [],
    ),
  ];
}

export interface CacheOptions {
  ttlMs?: number;
  /** Milliseconds, for the cache's age only (default Date.now). */
  now?: () => number;
  /** Told when the source fails; the failure is cached like an empty report so a broken source is not hammered. */
  onError?: (error: unknown) => void;
}

/**
 * The source read at most once per `ttlMs`: scrapes inside that window (and concurrent ones) share one read. A failed
 * read counts as no report until the window ends.
 */
export function cachedRiskSource(source: RiskSource, options: CacheOptions = {}): RiskSource {
  const ttl = options.ttlMs ?? RISK_CACHE_MS;
  const now = options.now ?? Date.now;
  let entry: { at: number; report: Promise<RiskReport | null> } | undefined;
  return () => {
    const t = now();
    if (!entry || t - entry.at >= ttl) {
      entry = {
        at: t,
        report: source().catch((error: unknown) => {
          options.onError?.(error);
          return null;
        }),
      };
    }
    return entry.report;
  };
}
