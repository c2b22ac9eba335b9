// Owns `legwork chain SYMBOL [--dte MIN-MAX] [--json]`: an option chain with quotes, IV and greeks from the configured broker.
// The SDK, pino and the config reader load only after the arguments are known to be good (a usage error answers at once).
import { cliConfig, exitQuietlyOnClosedStdout } from './cli-config.js';
import type { AppConfig } from '../config/env.js';
import { isBrokerError } from '../domain/broker-error.js';
import type { ChainExpiration, GreeksSnapshot, MarketSnapshot, QuoteSnapshot } from '../domain/market.js';
import type { Logger } from '../log.js';
import { readArgs } from '../util/cli-args.js';

export const CHAIN_USAGE = `usage: legwork chain SYMBOL [--dte MIN-MAX] [--json]

  SYMBOL          underlying, e.g. SPY
  --dte MIN-MAX   only expirations MIN to MAX days away (inclusive), e.g. --dte 20-50
  --json          one JSON array of rows on stdout (logs go to stderr)

The broker comes from the environment (TT_ENV, default sim: the local venue at LEGWORK_VENUE_URL, default http://127.0.0.1:4100).`;

export interface ChainArgs {
  symbol: string;
  dte: { min: number; max: number } | undefined;
  json: boolean;
}

export interface ChainRow {
  symbol: string;
  streamerSymbol: string;
  expiration: string;
  dte: number;
  strike: number;
  right: 'C' | 'P';
  bid: number | null;
  ask: number | null;
  mid: number | null;
  iv: number | null;
  delta: number | null;
  gamma: number | null;
  theta: number | null;
  vega: number | null;
}

/** Parses the arguments after `chain`; a string is the problem to report with the usage. */
export function parseChainArgs(argv: string[]): ChainArgs | string {
  const parsed = readArgs(argv, { dte: { type: 'string' }, json: { type: 'boolean' } }, { positionals: true });
  if (typeof parsed === 'string') return parsed;
  const { values, positionals } = parsed;
  let dte: ChainArgs['dte'];
  if (values.dte !== undefined) {
    const m = /^(\d{1,4})-(\d{1,4})$/.exec(values.dte);
    if (!m) return `--dte needs MIN-MAX in days, e.g. --dte 20-50 (got ${JSON.stringify(values.dte)})`;
    const [min, max] = [Number(m[1]), Number(m[2])];
    if (min > max) return `--dte ${values.dte}: MIN must not exceed MAX`;
    dte = { min, max };
  }
  const [symbol, other] = positionals;
  if (symbol === undefined) return 'SYMBOL is missing';
  if (!/^[A-Za-z][A-Za-z0-9./]{0,9}$/.test(symbol)) return `${JSON.stringify(symbol)} is not a ticker symbol`;
  if (other !== undefined) return `one SYMBOL only (got ${symbol.toUpperCase()} and ${other})`;
  return { symbol: symbol.toUpperCase(), dte, json: values.json ?? false };
}

const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;

export function chainRows(expirations: ChainExpiration[], snap: MarketSnapshot): ChainRow[] {
  const row = (
    e: ChainExpiration,
    strike: number,
    right: 'C' | 'P',
    symbol: string,
    streamerSymbol: string,
  ): ChainRow => {
    const q: QuoteSnapshot | undefined = snap.quotes.get(streamerSymbol);
    const g: GreeksSnapshot | undefined = snap.greeks.get(streamerSymbol);
    const bid = q?.bid ?? null;
    const ask = q?.ask ?? null;
    return {
      symbol,
      streamerSymbol,
      expiration: e.expiration,
      dte: e.daysToExpiration,
      strike,
      right,
      bid,
      ask,
      mid: bid !== null && ask !== null ? round((bid + ask) / 2, 4) : null,
      iv: g?.iv ?? null,
      delta: g?.delta ?? null,
      gamma: g?.gamma ?? null,
      theta: g?.theta ?? null,
      vega: g?.vega ?? null,
    };
  };
  return expirations.flatMap((e) =>
    e.strikes.flatMap((s) => [
      row(e, s.strike, 'C', s.callSymbol, s.callStreamerSymbol),
      row(e, s.strike, 'P', s.putSymbol, s.putStreamerSymbol),
    ]),
  );
}

const fmt = (v: number | null, places: number, width: number) => (v === null ? '—' : v.toFixed(places)).padStart(width);
const SIDE = ['bid', 'ask', 'mid', 'iv%', 'delta', 'gamma', 'theta', 'vega'];
const WIDTHS = [8, 8, 8, 6, 7, 7, 7, 7];
const side = (r: ChainRow | undefined) =>
  r === undefined
    ? WIDTHS.map((w) => ''.padStart(w)).join(' ')
    : [
        fmt(r.bid, 2, 8),
        fmt(r.ask, 2, 8),
        fmt(r.mid, 3, 8),
        fmt(r.iv === null ? null : r.iv * 100, 1, 6),
        fmt(r.delta, 3, 7),
        fmt(r.gamma, 4, 7),
        fmt(r.theta, 3, 7),
        fmt(r.vega, 3, 7),
      ].join(' ');

/** One block per expiration: calls on the left, the strike in the middle, puts on the right. */
export function chainTable(underlying: string, expirations: ChainExpiration[], rows: ChainRow[]): string {
  const byKey = new Map(rows.map((r) => [`${r.expiration}|${r.strike}|${r.right}`, r]));
  const header = [
    ...SIDE.map((h, i) => h.padStart(WIDTHS[i]!)),
    '  strike  ',
    ...SIDE.map((h, i) => h.padStart(WIDTHS[i]!)),
  ].join(' ');
  const blocks = expirations.map((e) => {
    const title = `${underlying} ${e.expiration}  ${e.daysToExpiration} DTE  ${e.expirationType}, ${e.settlementType}`;
    const lines = e.strikes.map((s) => {
      const call = byKey.get(`${e.expiration}|${s.strike}|C`);
      const put = byKey.get(`${e.expiration}|${s.strike}|P`);
      return `${side(call)}  ${String(s.strike).padStart(8)}   ${side(put)}`;
    });
    const calls = 'CALLS'.padStart(Math.floor(header.length / 4));
    return [title, `${calls}${'PUTS'.padStart(Math.floor(header.length / 2))}`, header, ...lines].join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}

async function cliLogger(config: AppConfig): Promise<Logger> {
  const [{ pino }, { createLogger }] = await Promise.all([import('pino'), import('../log.js')]);
  // stdout carries the chain only: logs go to stderr (JSON, secrets redacted as everywhere)
  return createLogger({ level: config.logLevel, pretty: false, destination: pino.destination({ fd: 2, sync: true }) });
}

/** Explains a failure in one line; exit code 1. */
function describeFailure(error: unknown, config: AppConfig, symbol: string): string {
  const where = config.broker.baseUrl;
  if (isBrokerError(error)) {
    if (error.code === 'unknown_symbol') return `no option chain for ${symbol}: the broker does not list options on it`;
    if (error.httpStatus === undefined && (error.kind === 'retryable' || error.kind === 'unknown')) {
      const hint =
        config.broker.env === 'sim'
          ? '; is the local venue running? Start it with `npm run venue` (or set LEGWORK_VENUE_URL)'
          : '';
      return `cannot reach the broker at ${where} (${error.code ?? error.message})${hint}`;
    }
    return `broker error (${error.kind}) from ${where}: ${error.message}`;
  }
  return `failed: ${error instanceof Error ? error.message : String(error)}`;
}

export async function runChain(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${CHAIN_USAGE}\n`);
    return 0;
  }
  const args = parseChainArgs(argv);
  if (typeof args === 'string') {
    process.stderr.write(`legwork chain: ${args}\n\n${CHAIN_USAGE}\n`);
    return 2;
  }
  const config = await cliConfig('chain');
  if (!config) return 2;
  exitQuietlyOnClosedStdout();
  const log = await cliLogger(config);
  const [{ createTastytradeClient }, { createTastytradeMarketData }] = await Promise.all([
    import('../broker/tastytrade/client.js'),
    import('../broker/tastytrade/market-data.js'),
  ]);
  const md = createTastytradeMarketData({ client: createTastytradeClient(config.broker, log), log });
  try {
    const chain = await md.chain(args.symbol);
    const expirations = chain.expirations.filter(
      (e) => !args.dte || (e.daysToExpiration >= args.dte.min && e.daysToExpiration <= args.dte.max),
    );
    const streamerSymbols = expirations.flatMap((e) =>
      e.strikes.flatMap((s) => [s.callStreamerSymbol, s.putStreamerSymbol]),
    );
    const snap = await md.snapshot(streamerSymbols, { timeoutMs: 10_000 + streamerSymbols.length, greeks: true });
    if (snap.missing.length > 0)
      log.warn(
        { missing: snap.missing.length, of: streamerSymbols.length },
        'some options had no quote or greeks in time',
      );
    const rows = chainRows(expirations, snap);
    if (args.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
    else if (expirations.length === 0)
      process.stderr.write(
        `legwork chain: ${args.symbol} has no expiration${args.dte ? ` ${args.dte.min}-${args.dte.max} days away` : 's'}\n`,
      );
    else process.stdout.write(chainTable(chain.underlying, expirations, rows));
    return 0;
  } catch (error) {
    process.stderr.write(`legwork chain: ${describeFailure(error, config, args.symbol)}\n`);
    return 1;
  } finally {
    await md.close();
  }
}
