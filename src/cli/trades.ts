// Owns `legwork trades [--json]`: Legwork's trades with status, legs, quantity, entry credit and realised / unrealised
// P&L. Unrealised P&L needs marks from the broker: when it cannot be reached the list is printed without it, saying so.
import { cliConfig } from './cli-config.js';
import type { Sql } from '../store/db.js';
import type { MarketData } from '../pipeline/ports.js';
import type { TradeRow } from '../store/trades.repo.js';
import type { TradePnl } from '../pipeline/pnl.js';
import { readArgs } from '../util/cli-args.js';

export const TRADES_USAGE = `usage: legwork trades [--json]

  --json   one JSON object on stdout: {marksAvailable, note?, trades: [{id, status, ruleSet, strategy, underlying,
           expiration, quantity, legs: [{symbol, action, quantity, strike, right}], entryCreditCents,
           expectedCreditCents, realizedPnlCents, unrealizedPnlCents, exitReason, createdAt, openedAt, closedAt,
           approvalDeadline, approvalBy}]}
           A trade awaiting_approval waits for \`legwork approve <id>\` (or reject) until its approvalDeadline.
           Credits are per share of one structure (credit +); P&L is cents for the whole trade, fees excluded.
           unrealizedPnlCents is null for flat trades and when the broker's marks are unavailable.`;

export interface TradeView {
  id: string;
  status: string;
  ruleSet: string;
  strategy: string;
  underlying: string;
  expiration: string;
  quantity: number;
  legs: { symbol: string; action: string; quantity: number; strike: number; right: 'C' | 'P' }[];
  entryCreditCents: number | null;
  expectedCreditCents: number;
  realizedPnlCents: number | null;
  unrealizedPnlCents: number | null;
  exitReason: string | null;
  createdAt: string;
  openedAt: string | null;
  closedAt: string | null;
  /** Proposed trades (manual approval): until when it may be approved, and who approved or rejected it. */
  approvalDeadline: string | null;
  approvalBy: string | null;
}

export function tradeView(t: TradeRow, pnl: TradePnl | undefined): TradeView {
  const closed = ['closed', 'rejected', 'rolled_back'].includes(t.status);
  const realized =
    t.realizedPnlCents !== null ? Number(t.realizedPnlCents) : closed ? (pnl?.realizedCents ?? null) : null;
  return {
    id: t.id,
    status: t.status,
    ruleSet: t.ruleSet,
    strategy: t.strategy,
    underlying: t.underlying,
    expiration: t.expiration,
    quantity: t.quantity,
    legs: t.legs.map((l) => ({
      symbol: l.symbol,
      action: l.action,
      quantity: l.quantity * t.quantity,
      strike: l.strike,
      right: l.right,
    })),
    entryCreditCents: t.entryCreditCents === null ? null : Number(t.entryCreditCents),
    expectedCreditCents: Number(t.expectedCreditCents),
    realizedPnlCents: realized,
    unrealizedPnlCents: closed ? null : (pnl?.unrealizedCents ?? null),
    exitReason: t.exitReason,
    createdAt: t.createdAt.toISOString(),
    openedAt: t.openedAt?.toISOString() ?? null,
    closedAt: t.closedAt?.toISOString() ?? null,
    approvalDeadline: t.approvalDeadline?.toISOString() ?? null,
    approvalBy: t.approvalBy,
  };
}

const money = (cents: number | null) =>
  cents === null ? '—' : `${cents < 0 ? '-' : ''}$${(Math.abs(cents) / 100).toFixed(2)}`;

export function tradesTable(views: readonly TradeView[]): string {
  if (views.length === 0) return 'no trades yet\n';
  const header = [
    'trade',
    'status',
    'strategy',
    'underlying',
    'expiration',
    'qty',
    'credit',
    'realised',
    'unrealised',
    'legs',
  ];
  const rows = views.map((v) => [
    v.id.slice(0, 8),
    v.status,
    v.strategy,
    v.underlying,
    v.expiration,
    String(v.quantity),
    money(v.entryCreditCents ?? v.expectedCreditCents),
    money(v.realizedPnlCents),
    money(v.unrealizedPnlCents),
    v.legs.map((l) => `${l.action.startsWith('Sell') ? '-' : '+'}${l.quantity} ${l.strike}${l.right}`).join(' '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

/** Trades and their P&L; `marketData` absent or failing → unrealised omitted (marksAvailable false). */
export async function collectTrades(deps: {
  sql: Sql;
  marketData?: MarketData;
}): Promise<{ marksAvailable: boolean; note?: string; trades: TradeView[] }> {
  const [{ listTrades }, { loadTradePnl }, { createPostgresStore }] = await Promise.all([
    import('../store/trades.repo.js'),
    import('../pipeline/pnl.js'),
    import('../store/postgres-store.js'),
  ]);
  const trades = await listTrades(deps.sql, { limit: 1000 });
  const { pnl, marksAvailable, marksError } = await loadTradePnl(
    { store: createPostgresStore(deps.sql), ...(deps.marketData ? { marketData: deps.marketData } : {}) },
    trades,
  );
  const note = marksAvailable
    ? undefined
    : `unrealised P&L unavailable: the broker could not be reached${marksError ? ` (${marksError})` : ''}`;
  return { marksAvailable, ...(note ? { note } : {}), trades: trades.map((t) => tradeView(t, pnl.get(t.id))) };
}

export async function runTrades(
  argv: string[],
  deps: { sql?: Sql; marketData?: MarketData; out?: (s: string) => void } = {},
): Promise<number> {
  const out = deps.out ?? ((s: string) => process.stdout.write(s));
  if (argv.includes('--help') || argv.includes('-h')) {
    out(`${TRADES_USAGE}\n`);
    return 0;
  }
  const parsed = readArgs(argv, { json: { type: 'boolean' } });
  if (typeof parsed === 'string') {
    process.stderr.write(`legwork trades: ${parsed}\n\n${TRADES_USAGE}\n`);
    return 2;
  }
  const json = parsed.values.json ?? false;
  let sql = deps.sql;
  let marketData = deps.marketData;
  const closers: (() => Promise<void>)[] = [];
  try {
    if (!sql) {
      const config = await cliConfig('trades');
      if (!config) return 2;
      const [{ createDb }, { migrate }, { createLogger }] = await Promise.all([
        import('../store/db.js'),
        import('../store/migrate.js'),
        import('../log.js'),
      ]);
      const db = createDb(config.databaseUrl);
      sql = db;
      closers.push(() => db.end({ timeout: 5 }));
      await migrate(db);
      const log = createLogger({ level: 'error' });
      const [{ createTastytradeClient }, { createTastytradeMarketData }] = await Promise.all([
        import('../broker/tastytrade/client.js'),
        import('../broker/tastytrade/market-data.js'),
      ]);
      const md = createTastytradeMarketData({ client: createTastytradeClient(config.broker, log), log });
      marketData = md;
      closers.unshift(() => md.close());
    }
    const result = await collectTrades({ sql, ...(marketData ? { marketData } : {}) });
    if (json) out(`${JSON.stringify(result)}\n`);
    else {
      out(tradesTable(result.trades));
      if (result.note) process.stderr.write(`legwork trades: ${result.note}\n`);
    }
    return 0;
  } catch (error) {
    process.stderr.write(`legwork trades: failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    for (const c of closers) await c().catch(() => {});
  }
}
