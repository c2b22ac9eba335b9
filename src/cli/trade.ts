// Owns `legwork trade --underlying SYM --strategy NAME [--rules FILE] [--mode combo|legged] [--quantity N] [--json]`:
// one trade by hand. The strategy runs on that underlying with the rule set's params and filters, the best candidate
// by its ranking is validated exactly like the scanner's (kill switch, busy underlying, limits, dry-run), the pending
// trade is inserted and the executor queued; prints the ids without waiting.
import type { AppContext } from '../app/context.js';
import { nyDate } from '../domain/dates.js';
import type { RuleSet } from '../rules/schema.js';
import { STRATEGY_NAMES, type StrategyName } from '../strategies/types.js';
import { readArgs } from '../util/cli-args.js';

export const TRADE_USAGE = `usage: legwork trade --underlying SYM --strategy NAME [--rules FILE] [--mode combo|legged] [--quantity N] [--json]

  --underlying SYM    the underlying, e.g. SPY
  --strategy NAME     ${STRATEGY_NAMES.join(' | ')}
  --rules FILE        the rule set to use (params, filters, score, sizing, limits, exits); default: the first rule set
                      in rules/ with that strategy
  --mode MODE         combo | legged: overrides the rule set's execution.mode for this trade (recorded in the trade's
                      facts as executionMode)
  --quantity N        structures (at most; sizing.maxRiskPerTrade may lower it)
  --json              {tradeId, entryGroupId, underlying, strategy, expiration, quantity, creditMidCents, mode, ruleSet}

Needs Postgres, Redis and the broker. The executor (legwork start / worker execute) opens the trade.`;

export interface TradeArgs {
  underlying: string;
  strategy: StrategyName;
  rules: string | undefined;
  mode: 'combo' | 'legged' | undefined;
  quantity: number | undefined;
  json: boolean;
}

export function parseTradeArgs(argv: string[]): TradeArgs | string {
  const text = { type: 'string' } as const;
  const parsed = readArgs(argv, {
    underlying: text,
    strategy: text,
    rules: text,
    mode: text,
    quantity: text,
    json: { type: 'boolean' },
  });
  if (typeof parsed === 'string') return parsed;
  const { json = false, ...given } = parsed.values;
  const empty = Object.entries(given).find(([, v]) => v === '');
  if (empty) return `--${empty[0]} needs a value`;
  const { underlying, strategy, rules, mode, quantity } = given;
  if (underlying !== undefined && !/^[A-Za-z][A-Za-z0-9./]{0,9}$/.test(underlying))
    return `${JSON.stringify(underlying)} is not a ticker symbol`;
  if (mode !== undefined && mode !== 'combo' && mode !== 'legged') return `--mode is combo or legged (got ${mode})`;
  const n = quantity === undefined ? undefined : Number(quantity);
  if (n !== undefined && (!Number.isInteger(n) || n < 1 || n > 1000))
    return `--quantity is a whole number 1-1000 (got ${quantity})`;
  if (!underlying) return '--underlying is missing';
  if (!strategy) return '--strategy is missing';
  if (!(STRATEGY_NAMES as readonly string[]).includes(strategy))
    return `unknown strategy ${strategy}; one of ${STRATEGY_NAMES.join(', ')}`;
  return { underlying: underlying.toUpperCase(), strategy: strategy as StrategyName, rules, mode, quantity: n, json };
}

async function ruleSetFor(app: AppContext, args: TradeArgs): Promise<RuleSet | string> {
  if (args.rules) {
    const [{ readRuleFiles, parseRuleSet }] = await Promise.all([import('../rules/loader.js')]);
    let text: string | undefined;
    try {
      text = (await readRuleFiles([args.rules])).values().next().value;
    } catch (error) {
      return `cannot read ${args.rules}: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (text === undefined) return `${args.rules}: no rule file there`;
    const parsed = parseRuleSet(text, args.rules);
    if (!parsed.ok)
      return `${args.rules} is not valid:\n${parsed.problems.map((p) => `  ${JSON.stringify(p)}`).join('\n')}`;
    if (parsed.ruleSet.strategy !== args.strategy)
      return `${args.rules} is a ${parsed.ruleSet.strategy} rule set, not ${args.strategy}`;
    return parsed.ruleSet;
  }
  const sets = app.rules.active().filter((r) => r.strategy === args.strategy);
  const chosen = sets.find((r) => r.enabled) ?? sets[0];
  return chosen ?? `no rule set with strategy ${args.strategy} in the rules folder; give one with --rules FILE`;
}

export async function runTrade(
  argv: string[],
  deps: { app?: AppContext; out?: (s: string) => void } = {},
): Promise<number> {
  const out = deps.out ?? ((s: string) => process.stdout.write(`${s}\n`));
  const fail = (code: number, message: string) => {
    process.stderr.write(`legwork trade: ${message}\n`);
    return code;
  };
  if (argv.includes('--help') || argv.includes('-h')) {
    out(TRADE_USAGE);
    return 0;
  }
  const args = parseTradeArgs(argv);
  if (typeof args === 'string') return fail(2, `${args}\n\n${TRADE_USAGE}`);
  let app = deps.app;
  if (!app) {
    const opened = await (await import('./open-app.js')).openCliApp();
    if (typeof opened === 'string') return fail(2, opened);
    app = opened;
  }
  try {
    const found = await ruleSetFor(app, args);
    if (typeof found === 'string') return fail(2, found);
    if (app.config.broker.env === 'production' && !(await app.store.promotions.get(found.name, found.hash))) {
      const { promoteCommand, shortHash } = await import('../domain/promotion.js');
      return fail(
        2,
        `refused: rule set ${found.name} (${found.file}, sha256:${shortHash(found.hash)}) is not promoted at this hash, and TT_ENV=production trades real money; run ${promoteCommand(found.name)}`,
      );
    }
    const broker = app.broker;
    const ruleSet: RuleSet = args.quantity ? { ...found, sizing: { ...found.sizing, quantity: args.quantity } } : found;
    const [
      { scanRuleSet },
      { pendingTradeOf, selectTrades },
      scans,
      settings,
      trades,
      { appendAudit },
      ids,
      { isTerminal },
      { cliExecContext },
    ] = await Promise.all([
      import('../pipeline/scan/scan-stage.js'),
      import('../pipeline/scan/scan-stage.js'),
      import('../store/scans.repo.js'),
      import('../store/settings.repo.js'),
      import('../store/trades.repo.js'),
      import('../store/audit.repo.js'),
      import('../domain/ids.js'),
      import('../domain/broker-order.js'),
      import('./halt.js'),
    ]);
    await scans.recordRuleVersion(app.sql, {
      hash: ruleSet.hash,
      name: ruleSet.name,
      file: ruleSet.file,
      content: ruleSet.content,
    });
    // Today as the broker counts days (follows the venue's clock in paper mode)
    const { todayFromChain } = await import('../pipeline/scan/scan-stage.js');
    const today =
      app.scan.today?.() ?? todayFromChain(await app.marketData.chain(args.underlying)) ?? nyDate(app.clock.now());
    const outcome = await scanRuleSet({ marketData: app.marketData, today }, ruleSet, {
      underlyings: [args.underlying],
    });
    if (outcome.ranked.length === 0) {
      const why =
        outcome.skipped[0]?.reason ??
        `${outcome.candidatesEvaluated} candidates built, none passed the filters of ${ruleSet.name}`;
      return fail(1, `no ${args.strategy} for ${args.underlying}: ${why}`);
    }
    const state = await settings.getTradingState(app.sql);
    const working = (await app.broker.liveOrders()).filter((o) => !isTerminal(o.status)).map((o) => o.underlyingSymbol);
    const all = await trades.riskSummary(app.sql);
    const mine = await trades.riskSummary(app.sql, ruleSet.name);
    const selection = await selectTrades(
      {
        ruleSet: { ...ruleSet, risk: { ...ruleSet.risk, maxNewTradesPerScan: 1 } },
        ranked: outcome.ranked.map((r) => ({ candidate: r.candidate, score: r.score })),
        tradingAllowed: settings.allowsEntries(state)
          ? { allowed: true }
          : { allowed: false, reason: `trading is ${state.state}` },
        busyUnderlyings: new Set([...all.underlyings, ...working]),
        openRisk: mine,
      },
      (order) => broker.dryRun(order),
    );
    const s = selection.selected[0];
    if (!s)
      return fail(
        1,
        `refused: ${selection.skipped.map((k) => `${k.candidateId}: ${k.reason}`).join('; ') || 'no candidate passed validation'}`,
      );
    const tradeId = ids.newId();
    const entryGroupId = ids.deterministicId('entry-group', tradeId);
    const mode = args.mode ?? ruleSet.execution.mode;
    const inserted = await trades.insertPendingTradeWithinLimit(
      app.sql,
      pendingTradeOf(
        s,
        { id: tradeId, entryGroupId, candidateId: null, ruleSet },
        { source: 'cli', ...(args.mode ? { executionMode: args.mode } : {}) },
      ),
      app.config.broker.env,
    );
    if ('blockedBy' in inserted)
      return fail(
        1,
        `refused: underlying ${s.candidate.underlying} busy: trade ${inserted.blockedBy.id} (${inserted.blockedBy.ruleSet}, ${inserted.blockedBy.status})`,
      );
    const { trade } = inserted;
    await appendAudit(app.sql, {
      kind: 'trade_selected',
      tradeId: trade.id,
      dedupeKey: `trade_selected:${trade.id}`,
      data: {
        ruleSet: ruleSet.name,
        rulesHash: ruleSet.hash,
        candidate: s.candidate.id,
        score: s.score,
        quantity: s.quantity,
        manual: true,
        mode,
        dryRun: s.dryRun,
      },
    });
    await (await cliExecContext(app)).jobs.enqueueExecute(trade.id, entryGroupId);
    const summary = {
      tradeId: trade.id,
      entryGroupId,
      underlying: trade.underlying,
      strategy: trade.strategy,
      expiration: trade.expiration,
      quantity: trade.quantity,
      creditMidCents: s.candidate.creditMidCents,
      mode,
      ruleSet: ruleSet.name,
    };
    if (args.json) out(JSON.stringify(summary));
    else {
      out(
        `trade ${trade.id} pending: ${trade.quantity} × ${trade.strategy} ${trade.underlying} ${trade.expiration} ${s.candidate.id} at ~$${(s.candidate.creditMidCents / 100).toFixed(2)} credit (${mode})`,
      );
      out(`entry group ${entryGroupId} queued for the executor`);
    }
    return 0;
  } catch (error) {
    return fail(1, `failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    if (!deps.app) await app.close();
  }
}
