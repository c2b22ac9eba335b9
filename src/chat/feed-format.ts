// Owns what the alert channel is told, from audit events: alerts (broken groups, halts, failsafes, assignments, …),
// resumes, fills (only with LEGWORK_DISCORD_FILLS=yes), trade proposals with Approve/Reject buttons, how a proposal
// ended (the proposal's message loses its buttons and says who decided), and an approved trade that did not open
// (refused because the market moved, denied by the gate, nothing filled). Pure: the trade an event names is passed in.
import { nyMinute } from '../domain/dates.js';
import type { AuditRow, TradeRow } from '../domain/records.js';
import type { ChatButton } from './format.js';
import { shortId, signedUsd, usd } from './format.js';
import { approvalButtons, legsText } from './read-commands.js';

/** Audit kinds the feed reads: alerts and resumes always, fills when asked, and the approval cycle. */
export const FEED_KINDS = {
  always: [
    'alert',
    'resume',
    'trade_proposed',
    'trade_approved',
    'trade_rejected',
    'approval_expired',
    'trade_skipped',
  ],
  fills: ['fill'],
} as const;

export const feedKinds = (fills: boolean): string[] => [...FEED_KINDS.always, ...(fills ? FEED_KINDS.fills : [])];

const ALERT_ICON: Record<string, string> = {
  broken_group: '💥',
  emergency_flatten: '🧯',
  halt: '🛑',
  failsafe: '🛑',
  assignment: '📌',
  closed_outside: '✋',
  broker_errors: '⚠️',
  reconcile_mismatch: '⚠️',
  late_order_adopted: '⚠️',
  exit_incomplete: '⚠️',
};

/** One thing to tell the channel. */
export type FeedItem =
  /** A line for the channel (several are sent together). */
  | { kind: 'line'; eventId: number; text: string }
  /** A trade proposal: its own message, with buttons while it awaits approval. */
  | { kind: 'proposal'; eventId: number; tradeId: string; text: string; buttons: ChatButton[] }
  /** How a proposal ended: its message is edited (buttons removed), or, if unknown, the line is sent. */
  | { kind: 'resolution'; eventId: number; tradeId: string; text: string };

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

const tradeName = (t: TradeRow | undefined, id: string | null) =>
  t ? `${t.underlying} ${t.strategy} ${t.quantity}x (${shortId(t.id)})` : id ? `trade ${shortId(id)}` : 'a trade';

export function proposalText(t: TradeRow): string {
  const deadline = t.approvalDeadline;
  return [
    `🗳️ **Trade proposed**: ${t.underlying} ${t.strategy} ${t.quantity}x, expires ${t.expiration} (rule set ${t.ruleSet}, id ${t.id})`,
    `Legs: ${legsText(t)}`,
    `Expected credit ${usd(t.expectedCreditCents)}/share · risk ${usd(t.riskCents)}`,
    deadline ? `Approve or reject by ${nyMinute(deadline.getTime())}; nobody deciding rejects it.` : '',
  ]
    .filter((l) => l !== '')
    .join('\n');
}

/** The feed's item for one audit event, or null when the event says nothing for the channel. */
export function feedItem(e: AuditRow, trade: TradeRow | undefined): FeedItem | null {
  const d = e.data ?? {};
  const id = Number(e.id);
  switch (e.kind) {
    case 'alert': {
      const kind = str(d['kind']) ?? 'alert';
      return { kind: 'line', eventId: id, text: `${ALERT_ICON[kind] ?? '⚠️'} **${kind}**: ${str(d['message']) ?? ''}` };
    }
    case 'resume': {
      const forced = d['forced'] === true ? ' (forced past broken trades/groups)' : '';
      const why = str(d['reason']) ? `: ${str(d['reason'])}` : '';
      return {
        kind: 'line',
        eventId: id,
        text: `▶️ **Trading resumed** by ${str(d['by']) ?? 'someone'}${why}${forced}`,
      };
    }
    case 'fill': {
      const side = str(d['kind']) === 'exit' ? 'Exit filled' : 'Entry filled';
      const units = num(d['units']);
      const wanted = num(d['wanted']);
      const net = num(d['netCents']);
      const qty =
        units !== undefined ? ` ${units}${wanted !== undefined && wanted !== units ? ` of ${wanted}` : ''}x` : '';
      const price = net !== undefined ? ` at ${signedUsd(net)}/share net` : '';
      return { kind: 'line', eventId: id, text: `✅ **${side}**: ${tradeName(trade, e.tradeId)}${qty}${price}` };
    }
    case 'trade_proposed': {
      if (!trade || !e.tradeId) return null;
      const awaiting = trade.status === 'awaiting_approval';
      return {
        kind: 'proposal',
        eventId: id,
        tradeId: trade.id,
        text: awaiting ? proposalText(trade) : `${proposalText(trade)}\nNow ${trade.status}.`,
        buttons: awaiting ? approvalButtons(trade.id) : [],
      };
    }
    case 'trade_approved':
    case 'trade_rejected':
    case 'approval_expired': {
      if (!e.tradeId) return null;
      const by = str(d['by']);
      const kind = e.kind;
      const why = str(d['reason']) ? `: ${str(d['reason'])}` : '';
      const text =
        kind === 'approval_expired'
          ? `⌛ ${tradeName(trade, e.tradeId)} expired without a decision: rejected.`
          : kind === 'trade_approved'
            ? `👍 ${tradeName(trade, e.tradeId)} **approved** by ${by ?? 'someone'}${why}.`
            : `👎 ${tradeName(trade, e.tradeId)} **rejected** by ${by ?? 'someone'}${why}.`;
      return { kind: 'resolution', eventId: id, tradeId: e.tradeId, text };
    }
    case 'trade_skipped': {
      // Only an entry a human approved that then did not open (refused at approval because the market moved, denied
      // by the gate, nothing filled): the trader who said yes must learn it is not trading. Other skips are routine.
      const by = str(d['approvedBy']) ?? trade?.approvalBy ?? undefined;
      if (d['atApproval'] !== true && !(d['kind'] === 'entry' && trade?.approvalBy)) return null;
      return {
        kind: 'line',
        eventId: id,
        text: `🚫 ${tradeName(trade, e.tradeId)}${by ? `, approved by ${by},` : ''} was **not opened**: ${str(d['reason']) ?? 'refused at approval'}.`,
      };
    }
    default:
      return null;
  }
}

/** Several lines as one message (a flood after an outage is one message, cut into pages by the sender). */
export function linesMessage(lines: readonly string[], delayed: boolean): string {
  const head = delayed ? '_(delayed: Discord was unreachable)_\n' : '';
  return head + lines.join('\n');
}
