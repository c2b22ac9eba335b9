// Owns `legwork risk [--json] [--days N]`: the account risk report (src/pipeline/account/risk-report.ts) as a summary
// for people or the whole report as JSON: net liq, greeks, VaR, account-limit use, failsafes and the what-if grid.
import type { AppContext } from '../app/context.js';
import type { RiskReport } from '../pipeline/account/account-stage.js';
import { readArgs } from '../util/cli-args.js';

export const RISK_USAGE = `usage: legwork risk [--json] [--days N]
  the account's risk now: net liq, greeks, value at risk (historical over N trading days, default 250, and
  delta-gamma parametric), account-limit use (rules/account.yaml), failsafes, and the what-if grid (today)`;

export function parseRiskArgs(argv: string[]): { json: boolean; days: number } | string {
  const parsed = readArgs(argv, { json: { type: 'boolean' }, days: { type: 'string' } });
  if (typeof parsed === 'string') return parsed;
  const days = parsed.values.days === undefined ? 250 : Number(parsed.values.days);
  if (!Number.isInteger(days) || days < 2 || days > 2520) return '--days needs a whole number of trading days, 2-2520';
  return { json: parsed.values.json ?? false, days };
}

const usd = (n: number) =>
  `${n < 0 ? '-' : ''}$${Math.abs(n).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** The report for people: a few lines, then the what-if grid at today's horizon. */
export function riskText(r: RiskReport): string {
  const g = r.greeks;
  const lines = [
    `net liq ${usd(r.netLiq)}   delta ${g.delta}  β-delta ${g.betaDelta} SPY  gamma ${g.gamma}  theta ${usd(g.theta)}/day  vega ${usd(g.vega)}/pt`,
    `VaR 1 day: historical ${usd(r.var.hist95)} (95 %) ${usd(r.var.hist99)} (99 %) over ${r.var.days} days; parametric ${usd(r.var.param95)} / ${usd(r.var.param99)}`,
    r.drawdown
      ? `max drawdown ${usd(r.drawdown.maxDrawdown)} (${r.drawdown.maxDrawdownPct} %)`
      : 'max drawdown: no snapshots yet',
    `positions: ${r.positions.length} (${r.positions.filter((p) => p.owner === 'foreign').length} foreign)`,
    `account.yaml: ${r.accountRulesHash ? r.accountRulesHash.slice(0, 12) : 'none'}`,
  ];
  for (const l of r.limits)
    lines.push(`  limit ${l.name}: ${l.used} of ${l.limit} (${l.pct} %)${l.pct > 100 ? '  OVER' : ''}`);
  for (const f of r.failsafes) lines.push(`  failsafe ${f.name}: ${f.state.toUpperCase()} — ${f.reason}`);
  const header = ['vol \\ spot', ...r.scenarios.spot.map((s) => `${s > 0 ? '+' : ''}${Math.round(s * 100)}%`)];
  const rows = r.scenarios.pnl.map((row, i) => [
    `${r.scenarios.vol[i]! > 0 ? '+' : ''}${Math.round(r.scenarios.vol[i]! * 100)}%`,
    ...row.map((v) => String(Math.round(v))),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  lines.push('', 'what-if P&L today ($):');
  for (const row of [header, ...rows]) lines.push(row.map((c, i) => c.padStart(widths[i]!)).join(' '));
  for (const n of r.notes) lines.push(`note: ${n}`);
  return `${lines.join('\n')}\n`;
}

export async function runRisk(
  argv: string[],
  deps: { app?: AppContext; out?: (s: string) => void; err?: (s: string) => void } = {},
): Promise<number> {
  const out = deps.out ?? ((s: string) => process.stdout.write(s));
  const err = deps.err ?? ((s: string) => process.stderr.write(s));
  if (argv.includes('--help') || argv.includes('-h')) {
    out(`${RISK_USAGE}\n`);
    return 0;
  }
  const args = parseRiskArgs(argv);
  if (typeof args === 'string') {
    err(`legwork risk: ${args}\n\n${RISK_USAGE}\n`);
    return 2;
  }
  let app = deps.app;
  if (!app) {
    const opened = await (await import('./open-app.js')).openCliApp();
    if (typeof opened === 'string') {
      err(`legwork risk: ${opened}\n`);
      return 2;
    }
    app = opened;
  }
  try {
    const [{ createExecContext }, { riskReport }] = await Promise.all([
      import('../app/exec-context.js'),
      import('../pipeline/account/account-stage.js'),
    ]);
    const report = await riskReport(createExecContext(app), app.config.broker.env, { historyDays: args.days });
    out(args.json ? `${JSON.stringify(report, null, 2)}\n` : riskText(report));
    return 0;
  } catch (error) {
    err(`legwork risk: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    if (!deps.app) await app.close();
  }
}
