// Owns the chat commands that read: status (trading state, failsafes, trades, P&L today), trades, trade <id>, positions,
// risk, candidates and rules, each as text for Discord from what ChatDeps gives. Slow sources are bounded so `status`
// answers without the broker when the broker is slow (it then says so).
import { nyDate, nyMinute } from '../domain/dates.js';
import type { FailsafeCheck } from '../domain/failsafes.js';
import { attributePositions, FOREIGN } from '../domain/portfolio.js';
import type { TradeRow, TradingStateValue } from '../domain/records.js';
import type { RiskReport } from '../pipeline/account/account-stage.js';
import type { TradePnl } from '../pipeline/pnl.js';
import { within } from '../util/within.js';
import type { ChatDeps } from './chat-deps.js';
import { buttonId } from './commands.js';
import { type ChatReply, shortId, signedUsd, table, usd } from './format.js';

/** How long `status` waits for the broker-backed failsafe figures before answering from Postgres alone. */
export const STATUS_BROKER_WAIT_MS = 1200;
/** Trades `trades` lists. */
export const TRADES_SHOWN = 15;
export const CANDIDATES_SHOWN = 10;

/** Statuses of trades that hold or may hold something, and proposals waiting for a human. */
const LIVE = ['awaiting_approval', 'pending', 'opening', 'open', 'closing', 'broken'] as const;

const when = (iso: string | undefined) => (iso ? ` since ${nyMinute(Date.parse(iso))}` : '');

export function stateLine(s: TradingStateValue): string {
  const flatten = s.flatten ? ' (flatten standing: every exit cycle closes what is held)' : '';
  const who = s.by ? ` by ${s.by}` : '';
  const why = s.reason ? `: ${s.reason}` : '';
  return `**Trading ${s.state.toUpperCase()}**${flatten}${when(s.at)}${who}${why}`;
}

const failsafeText = (f: { name: string; state: FailsafeCheck['state']; reason: string }) =>
  f.state === 'tripped' ? `${f.name} **TRIPPED** (${f.reason})` : `${f.name} ${f.state}`;

async function failsafeLine(deps: ChatDeps): Promise<string> {
  try {
    const checks = await within(deps.failsafes(), STATUS_BROKER_WAIT_MS, 'failsafes');
    return checks.length === 0 ? 'Failsafes: none configured' : `Failsafes: ${checks.map(failsafeText).join(' · ')}`;
  } catch (error) {
    // Without the broker's net liq, what Postgres knows: the trips in force
    const active = await deps.store.failsafes.active();
    const why = error instanceof Error ? error.message : String(error);
    return active.length === 0
      ? `Failsafes: none tripped (live figures unavailable: ${why})`
      : `Failsafes: ${active.map((t) => `${t.name} **TRIPPED** (${t.reason})`).join(' · ')}`;
  }
}

/** Realised P&L of trades settled today (New York, broker time) and the account's net liq change since the last close. */
export async function pnlTodayLine(deps: ChatDeps): Promise<string> {
  const now = deps.now();
  const today = nyDate(now);
  const settled = await deps.store.trades.list({ statuses: ['closed', 'rolled_back'], limit: 500 });
  const closedToday = settled.filter((t) => t.closedAt !== null && nyDate(t.closedAt.getTime()) === today);
  const realized = closedToday.reduce((n, t) => n + (t.realizedPnlCents ?? 0), 0);
  const parts = [`realised ${signedUsd(realized)} (${closedToday.length} settled today)`];
  const portfolio = await deps.store.portfolio.get(deps.account.environment, deps.account.accountNumber);
  const latest = portfolio ? await deps.store.portfolio.latestSnapshot(portfolio.id) : undefined;
  if (portfolio && latest) {
    const closes = await deps.store.portfolio.snapshotsSince(portfolio.id, latest.at - 14 * 86_400_000, 'close');
    const previous = closes.filter((c) => c.sessionDate < latest.sessionDate).at(-1);
    const change = previous ? `, ${signedUsd(latest.netLiqCents - previous.netLiqCents)} since the last close` : '';
    parts.push(`net liq ${usd(latest.netLiqCents)}${change} (snapshot ${nyMinute(latest.at)})`);
  } else {
    parts.push('net liq: no account snapshot yet');
  }
  return `P&L today: ${parts.join(' · ')}`;
}

export async function status(deps: ChatDeps): Promise<ChatReply> {
  const [state, failsafes, live, pnl] = await Promise.all([
    deps.store.tradingState.get(),
    failsafeLine(deps),
    deps.store.trades.list({ statuses: [...LIVE], limit: 10_000 }),
    pnlTodayLine(deps),
  ]);
  const count = (s: string) => live.filter((t) => t.status === s).length;
  const working = count('pending') + count('opening') + count('closing');
  const awaiting = count('awaiting_approval');
  const trades = `Trades: ${count('open')} open · ${count('broken')} broken · ${working} working (entering or exiting)${awaiting > 0 ? ` · ${awaiting} awaiting approval` : ''}`;
  return { text: [stateLine(state), failsafes, trades, pnl].join('\n') };
}

const pnlOf = (t: TradeRow, p: TradePnl | undefined): string => {
  if (t.realizedPnlCents !== null) return signedUsd(t.realizedPnlCents);
  if (p?.realizedCents !== null && p?.realizedCents !== undefined && p.cashCents !== 0)
    return signedUsd(p.realizedCents);
  if (p?.unrealizedCents !== null && p?.unrealizedCents !== undefined) return `${signedUsd(p.unrealizedCents)} open`;
  return '—';
};

/** Per share, as the CLI shows it: the filled credit, else the expected one in parentheses. */
const creditOf = (t: TradeRow) =>
  t.entryCreditCents !== null ? usd(t.entryCreditCents) : `(${usd(t.expectedCreditCents)})`;

export async function trades(deps: ChatDeps): Promise<ChatReply> {
  const list = await deps.store.trades.list({ limit: TRADES_SHOWN });
  if (list.length === 0) return { text: 'No trades yet.' };
  const pnl = await deps.tradePnl(list).catch(() => new Map<string, TradePnl>());
  const rows = list.map((t) => [
    shortId(t.id),
    t.underlying,
    t.strategy,
    `${t.quantity}x`,
    t.expiration,
    t.status,
    creditOf(t),
    pnlOf(t, pnl.get(t.id)),
  ]);
  return {
    text: `**Trades** (newest ${list.length}; \`trade <id>\` for one)\n${table(['id', 'und', 'strategy', 'qty', 'exp', 'status', 'credit', 'P&L'], rows)}`,
  };
}

/** A trade by its id or the start of it; an ambiguous or unknown prefix is an answer, not an error. */
export async function findTrade(
  deps: Pick<ChatDeps, 'store'>,
  id: string,
): Promise<{ trade: TradeRow } | { message: string }> {
  if (id.length === 36) {
    const trade = await deps.store.trades.get(id);
    return trade ? { trade } : { message: `No trade ${id}.` };
  }
  const matches = (await deps.store.trades.list({ limit: 10_000 })).filter((t) => t.id.startsWith(id));
  if (matches.length === 1) return { trade: matches[0]! };
  if (matches.length === 0) return { message: `No trade starts with ${id}.` };
  return {
    message: `${matches.length} trades start with ${id}: ${matches
      .slice(0, 5)
      .map((t) => t.id)
      .join(', ')}; give more of the id.`,
  };
}

/** Approve and Reject buttons under a trade that awaits approval. */
export const approvalButtons = (tradeId: string): NonNullable<ChatReply['buttons']> => [
  { customId: buttonId('approve', tradeId), label: 'Approve', style: 'success' },
  { customId: buttonId('reject', tradeId), label: 'Reject', style: 'danger' },
];

export function legsText(t: Pick<TradeRow, 'legs' | 'quantity'>): string {
  return t.legs
    .map((l) => `${l.action === 'Sell to Open' ? 'short' : 'long'} ${l.quantity * t.quantity} ${l.strike}${l.right}`)
    .join(', ');
}

export async function trade(deps: ChatDeps, id: string): Promise<ChatReply> {
  const found = await findTrade(deps, id);
  if ('message' in found) return { text: found.message };
  const t = found.trade;
  const [groups, positions, pnl] = await Promise.all([
    deps.store.groups.ofTrade(t.id),
    deps.store.positions.ofTrade(t.id),
    deps.tradePnl([t]).catch(() => new Map<string, TradePnl>()),
  ]);
  const lines = [
    `**Trade ${t.id}** — ${t.underlying} ${t.strategy} ${t.quantity}x, expires ${t.expiration}: **${t.status}**`,
    `Rule set ${t.ruleSet} · created ${nyMinute(t.createdAt.getTime())}${t.openedAt ? ` · opened ${nyMinute(t.openedAt.getTime())}` : ''}${t.closedAt ? ` · closed ${nyMinute(t.closedAt.getTime())}` : ''}`,
    `Legs: ${legsText(t)}`,
    `Credit per share: expected ${usd(t.expectedCreditCents)}${t.entryCreditCents !== null ? `, filled ${usd(t.entryCreditCents)}` : ''} · risk ${usd(t.riskCents)} · P&L ${pnlOf(t, pnl.get(t.id))}`,
  ];
  if (t.exitReason) lines.push(`Exit reason: ${t.exitReason}`);
  const held = positions.filter((p) => p.quantity !== 0);
  lines.push(
    held.length === 0
      ? 'Holds nothing.'
      : `Holds: ${held.map((p) => `${p.quantity > 0 ? '+' : ''}${p.quantity} ${p.symbol}`).join(', ')}`,
  );
  for (const g of groups)
    lines.push(`• ${g.kind} group ${shortId(g.id)} (${g.mode}): ${g.status}${g.reason ? ` — ${g.reason}` : ''}`);
  if (t.status === 'awaiting_approval' && t.approvalDeadline)
    lines.push(`Awaiting approval until ${nyMinute(t.approvalDeadline.getTime())}.`);
  else if (t.approvalBy)
    lines.push(`Decided by ${t.approvalBy}${t.approvalAt ? ` at ${nyMinute(t.approvalAt.getTime())}` : ''}.`);
  const awaiting = t.status === 'awaiting_approval';
  return { text: lines.join('\n'), ...(awaiting ? { buttons: approvalButtons(t.id) } : {}) };
}

export async function positions(deps: ChatDeps): Promise<ChatReply> {
  const [broker, held] = await Promise.all([deps.brokerPositions(), deps.store.positions.held()]);
  const attributed = attributePositions(broker, held);
  if (attributed.length === 0) return { text: 'The broker holds nothing.' };
  const rows = attributed.map((p) => [
    p.symbol,
    `${p.quantity > 0 ? '+' : ''}${p.quantity}`,
    p.markCents === null ? '—' : usd(p.markCents),
    p.owner === FOREIGN ? 'foreign' : shortId(p.owner),
  ]);
  const foreign = attributed.filter((p) => p.owner === FOREIGN).length;
  return {
    text: `**Positions at the broker** (${attributed.length}${foreign > 0 ? `, ${foreign} foreign: opened outside Legwork, never touched` : ''})\n${table(['symbol', 'qty', 'mark', 'trade'], rows)}`,
  };
}

const dollars = (n: number) => usd(Math.round(n * 100));

export function riskText(r: RiskReport): string {
  const g = r.greeks;
  const lines = [
    `**Account risk** (${nyMinute(r.at)})`,
    `Net liq ${dollars(r.netLiq)} · delta ${g.delta} · β-delta ${g.betaDelta} SPY · gamma ${g.gamma} · theta ${dollars(g.theta)}/day · vega ${dollars(g.vega)}/pt`,
    `VaR 1 day: historical ${dollars(r.var.hist95)} (95%) / ${dollars(r.var.hist99)} (99%) over ${r.var.days} days · delta-gamma ${dollars(r.var.param95)} / ${dollars(r.var.param99)}`,
    r.drawdown
      ? `Max drawdown ${dollars(r.drawdown.maxDrawdown)} (${r.drawdown.maxDrawdownPct}%)`
      : 'Max drawdown: no snapshots yet',
    `Positions: ${r.positions.length} (${r.positions.filter((p) => p.owner === FOREIGN).length} foreign)`,
  ];
  if (r.limits.length > 0) {
    lines.push('Limits:');
    for (const l of r.limits)
      lines.push(
        `• ${l.name}: ${l.used} of ${l.limit} (${Number.isFinite(l.pct) ? `${Math.round(l.pct)}%` : '∞'})${l.pct >= 100 ? ' **OVER**' : ''}`,
      );
  } else lines.push('Limits: none (no rules/account.yaml)');
  for (const f of r.failsafes) lines.push(`Failsafe ${failsafeText(f)}`);
  for (const n of r.notes) lines.push(`_note: ${n}_`);
  return lines.join('\n');
}

export async function risk(deps: ChatDeps): Promise<ChatReply> {
  return { text: riskText(await deps.riskReport()) };
}

export async function candidates(deps: ChatDeps): Promise<ChatReply> {
  const rows = await deps.candidates(CANDIDATES_SHOWN);
  if (rows.length === 0) return { text: 'No ranked candidates yet (no completed scan).' };
  return {
    text: `**Latest candidates** (best ${rows.length} of the latest scan of each rule set)\n${table(
      ['#', 'rule set', 'und', 'strategy', 'exp', 'dte', 'credit', 'score', 'sel'],
      rows.map((c) => [
        String(c.rank ?? '—'),
        c.ruleSet,
        c.underlying,
        c.strategy,
        c.expiration,
        String(c.dte),
        usd(c.creditMidCents),
        c.score === null ? '—' : Number(c.score).toFixed(3),
        c.selected ? 'yes' : '',
      ]),
    )}`,
  };
}

export async function rules(deps: ChatDeps): Promise<ChatReply> {
  const { active, refused } = await deps.rules();
  const lines = [`**Rule sets in force** (${active.length})`];
  if (active.length > 0)
    lines.push(
      table(
        ['name', 'strategy', 'enabled', 'file', 'hash'],
        active.map((r) => [r.name, r.strategy, r.enabled ? 'yes' : 'no', r.file, r.hash.slice(0, 8)]),
      ),
    );
  if (refused.length === 0) lines.push('No refused edits.');
  else {
    lines.push(`**Refused edits** (${refused.length}; the last good version stays in force)`);
    for (const f of refused) {
      const kept = f.activeHash ? `version ${f.activeHash.slice(0, 8)} stays in force` : 'never valid: not in force';
      lines.push(`• ${f.file} (since ${f.since}; ${kept})`);
      for (const p of f.problems.slice(0, 5)) lines.push(`  ${f.file}:${p.line}:${p.col} ${p.message}`);
      if (f.problems.length > 5) lines.push(`  … ${f.problems.length - 5} more`);
    }
  }
  return { text: lines.join('\n') };
}
