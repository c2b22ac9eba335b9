// The alert channel's feed from the audit log: each event posted once, several lines as one message, nothing lost
// while Discord is down (delayed events say so), a row that commits late below a posted one still posted, proposals
// with buttons edited when decided, fills only when asked, and its place kept across a restart and a takeover.
import { describe, expect, it } from 'vitest';
import { createChatFeed, type FeedSource, type FeedState } from '../../../src/chat/feed.js';
import type { ChatReply } from '../../../src/chat/format.js';
import type { AuditRow, TradeRow } from '../../../src/domain/records.js';
import { createMemoryStore } from '../../support/memory-store.js';
import { silentLog, tradeIn } from '../../support/chat-fakes.js';

const TRADE = 'dddd4444-0000-4000-8000-000000000004';

function world(initialRows: Partial<AuditRow>[] = []) {
  const rows: AuditRow[] = [];
  /** Kinds as strings: the approval kinds arrive with the approval core (its AuditKind). */
  const add = (r: Omit<Partial<AuditRow>, 'kind'> & { id: number; kind: string }) =>
    rows.push({ at: new Date(0), tradeId: null, groupId: null, orderId: null, data: {}, ...r } as AuditRow);
  for (const r of initialRows) add(r as AuditRow);
  let saved: FeedState | null = null;
  const trades = new Map<string, TradeRow>();
  const source: FeedSource = {
    after: async (afterId, kinds, limit) =>
      rows
        .filter((r) => r.id > afterId && kinds.includes(r.kind))
        .sort((a, b) => a.id - b.id)
        .slice(0, limit),
    latestId: async () => Math.max(0, ...rows.map((r) => r.id)),
    trade: async (id) => trades.get(id),
    loadState: async () => (saved ? structuredClone(saved) : null),
    saveState: async (s) => {
      saved = structuredClone(s);
    },
  };
  const sent: { id: string; reply: ChatReply }[] = [];
  const edits: { messageId: string; reply: ChatReply }[] = [];
  const poster = {
    up: true,
    failSends: 0,
    failEdits: false,
    connected: () => poster.up,
    send: async (reply: ChatReply) => {
      if (poster.failSends > 0) {
        poster.failSends -= 1;
        throw new Error('Discord said 503');
      }
      const id = `m${sent.length + 1}`;
      sent.push({ id, reply });
      return id;
    },
    edit: async (messageId: string, reply: ChatReply) => {
      if (poster.failEdits) throw new Error('Unknown Message');
      edits.push({ messageId, reply });
    },
  };
  const clock = { now: 0 };
  const feed = (fills = false) =>
    createChatFeed({ source, poster, fills, log: silentLog, settleMs: 15_000, wallNow: () => clock.now });
  const alert = (id: number, kind: string, message: string) => add({ id, kind: 'alert', data: { kind, message } });
  return { rows, add, alert, source, poster, sent, edits, clock, feed, trades, saved: () => saved };
}

describe('the chat feed', () => {
  it('starts at the newest event, then posts each new alert once, several as one message', async () => {
    const w = world([{ id: 1, kind: 'alert', data: { kind: 'halt', message: 'old news' } }]);
    const feed = w.feed();
    await feed.tick();
    expect(w.sent).toEqual([]);
    w.alert(2, 'broken_group', 'group g1 could not be flattened');
    w.add({ id: 3, kind: 'order_sent' });
    w.add({ id: 4, kind: 'resume', data: { by: 'cli:bob', reason: 'fixed' } });
    await feed.tick();
    await feed.tick();
    expect(w.sent.map((s) => s.reply.text)).toEqual([
      '💥 **broken_group**: group g1 could not be flattened\n▶️ **Trading resumed** by cli:bob: fixed',
    ]);
  });

  it('keeps events while Discord is down and posts them after the reconnect, marked delayed', async () => {
    const w = world();
    const feed = w.feed();
    await feed.tick();
    w.poster.up = false;
    w.alert(1, 'failsafe', 'failsafe dailyLoss: down $600');
    await feed.tick();
    w.clock.now = 60_000;
    await feed.tick();
    expect(w.sent).toEqual([]);
    expect(w.saved()?.floor).toBe(0);
    w.poster.up = true;
    await feed.tick();
    expect(w.sent.map((s) => s.reply.text)).toEqual([
      '_(delayed: Discord was unreachable)_\n🛑 **failsafe**: failsafe dailyLoss: down $600',
    ]);
  });

  it('retries a post Discord refused, and posts it once', async () => {
    const w = world();
    const feed = w.feed();
    await feed.tick();
    w.alert(1, 'assignment', 'SPY put assigned');
    w.poster.failSends = 1;
    await feed.tick();
    expect(w.sent).toEqual([]);
    await feed.tick();
    await feed.tick();
    expect(w.sent.map((s) => s.reply.text)).toEqual(['📌 **assignment**: SPY put assigned']);
  });

  it('posts a row that commits after a higher id was posted, and moves its floor only after the settle time', async () => {
    const w = world();
    const feed = w.feed();
    await feed.tick();
    w.alert(5, 'halt', 'first');
    w.alert(7, 'halt', 'third');
    await feed.tick();
    w.clock.now = 5_000;
    w.alert(6, 'halt', 'second, committed late');
    await feed.tick();
    expect(w.sent.map((s) => s.reply.text)).toEqual([
      '🛑 **halt**: first\n🛑 **halt**: third',
      '🛑 **halt**: second, committed late',
    ]);
    expect(w.saved()).toMatchObject({ floor: 0, done: [5, 7, 6] });
    w.clock.now = 20_000;
    await feed.tick();
    expect(w.saved()).toMatchObject({ floor: 7, done: [] });
    expect(w.sent).toHaveLength(2);
  });

  it('a restarted feed continues where it was: nothing posted twice, new events posted', async () => {
    const w = world();
    await w.feed().tick();
    w.alert(1, 'halt', 'before the restart');
    await w.feed().tick(); // a second feed object over the same saved state: the first one's "restart"
    const restarted = w.feed();
    w.alert(2, 'halt', 'after the restart');
    await restarted.tick();
    expect(w.sent.map((s) => s.reply.text)).toEqual([
      '🛑 **halt**: before the restart',
      '🛑 **halt**: after the restart',
    ]);
  });

  it('stopped while another process posted (a takeover and back): started again, it reads its place afresh; stopped, it does nothing', async () => {
    const w = world();
    const mine = w.feed();
    await mine.tick();
    w.alert(1, 'halt', 'posted here');
    await mine.tick();
    await mine.stop();
    const other = w.feed(); // the chat process that held the lease meanwhile
    w.alert(2, 'halt', 'posted by the other process');
    await other.tick();
    mine.start();
    w.alert(3, 'halt', 'posted here again');
    await mine.tick();
    await mine.stop();
    w.alert(4, 'halt', 'nobody active');
    mine.nudge();
    await mine.tick();
    expect(w.sent.map((s) => s.reply.text)).toEqual([
      '🛑 **halt**: posted here',
      '🛑 **halt**: posted by the other process',
      '🛑 **halt**: posted here again',
    ]);
  });

  it('fills only with LEGWORK_DISCORD_FILLS=yes', async () => {
    const w = world();
    const store = createMemoryStore(() => 0);
    const trade = await tradeIn(store, ['Opened'], { id: TRADE });
    w.trades.set(TRADE, trade);
    const without = w.feed(false);
    const withFills = w.feed(true);
    await without.tick();
    await withFills.tick();
    w.add({ id: 1, kind: 'fill', tradeId: TRADE, data: { kind: 'entry', units: 1, wanted: 2, netCents: 118 } });
    await without.tick();
    expect(w.sent).toEqual([]);
    await withFills.tick();
    expect(w.sent.map((s) => s.reply.text)).toEqual([
      '✅ **Entry filled**: SPY iron-condor 1x (dddd4444) 1 of 2x at +$1.18/share net',
    ]);
  });

  it('posts a proposal with Approve/Reject and, once decided, edits it: buttons gone, who decided added', async () => {
    const w = world();
    const store = createMemoryStore(() => Date.parse('2026-01-06T15:00:00Z'));
    const trade = await tradeIn(store, [], { id: TRADE });
    const awaiting = {
      ...trade,
      status: 'awaiting_approval',
      approvalDeadline: new Date('2026-01-06T15:10:00Z'),
    } as unknown as TradeRow;
    w.trades.set(TRADE, awaiting);
    const feed = w.feed();
    await feed.tick();
    w.add({ id: 1, kind: 'trade_proposed', tradeId: TRADE });
    await feed.tick();
    expect(w.sent).toHaveLength(1);
    expect(w.sent[0]!.reply.text.split('\n')).toEqual([
      `🗳️ **Trade proposed**: SPY iron-condor 1x, expires 2026-02-20 (rule set ic, id ${TRADE})`,
      'Legs: short 1 560P, long 1 555P',
      'Expected credit $1.23/share · risk $400.00',
      'Approve or reject by Tue 2026-01-06 10:10 EST; nobody deciding rejects it.',
    ]);
    expect(w.sent[0]!.reply.buttons).toEqual([
      { customId: `approve:${TRADE}`, label: 'Approve', style: 'success' },
      { customId: `reject:${TRADE}`, label: 'Reject', style: 'danger' },
    ]);
    w.add({ id: 2, kind: 'trade_approved', tradeId: TRADE, data: { by: 'discord:900' } });
    await feed.tick();
    expect(w.edits).toEqual([
      {
        messageId: 'm1',
        reply: {
          text: `${w.sent[0]!.reply.text}\n👍 SPY iron-condor 1x (dddd4444) **approved** by discord:900.`,
          buttons: [],
        },
      },
    ]);
    expect(w.sent).toHaveLength(1);
  });

  it('an approved trade that did not open (refused at approval, denied, nothing filled) is told; other skips are not', async () => {
    const w = world();
    const store = createMemoryStore(() => 0);
    w.trades.set(TRADE, { ...(await tradeIn(store, [], { id: TRADE })), status: 'rejected' } as TradeRow);
    const feed = w.feed();
    await feed.tick();
    const reason = 'refused at approval: the market moved and its natural credit $0.40 fell below the floor $0.90';
    w.add({ id: 1, kind: 'trade_skipped', tradeId: TRADE, data: { reason: 'account limit', kind: 'entry' } });
    w.add({
      id: 2,
      kind: 'trade_skipped',
      tradeId: TRADE,
      data: { reason, kind: 'entry', atApproval: true, approvedBy: 'discord:900' },
    });
    await feed.tick();
    expect(w.sent.map((s) => s.reply.text)).toEqual([
      `🚫 SPY iron-condor 1x (dddd4444), approved by discord:900, was **not opened**: ${reason}.`,
    ]);
    // An approved trade the gate denied (or that filled nothing) is told too; an exit's skip is not
    w.trades.set(TRADE, { ...w.trades.get(TRADE)!, approvalBy: 'cli:alice' } as TradeRow);
    w.add({ id: 3, kind: 'trade_skipped', tradeId: TRADE, data: { reason: 'market closed', kind: 'exit' } });
    w.add({
      id: 4,
      kind: 'trade_skipped',
      tradeId: TRADE,
      data: { reason: 'cancelled with nothing filled', kind: 'entry' },
    });
    await feed.tick();
    expect(w.sent.map((s) => s.reply.text).slice(1)).toEqual([
      '🚫 SPY iron-condor 1x (dddd4444), approved by cli:alice, was **not opened**: cancelled with nothing filled.',
    ]);
  });

  it('a decision on a proposal whose message is unknown or cannot be edited is posted as a line', async () => {
    const w = world();
    const feed = w.feed();
    await feed.tick();
    w.add({ id: 1, kind: 'approval_expired', tradeId: TRADE });
    await feed.tick();
    w.add({ id: 2, kind: 'trade_proposed', tradeId: 'eeee5555-0000-4000-8000-000000000005' });
    const store = createMemoryStore(() => 0);
    w.trades.set(
      'eeee5555-0000-4000-8000-000000000005',
      await tradeIn(store, [], { id: 'eeee5555-0000-4000-8000-000000000005' }),
    );
    await feed.tick();
    w.poster.failEdits = true;
    w.add({
      id: 3,
      kind: 'trade_rejected',
      tradeId: 'eeee5555-0000-4000-8000-000000000005',
      data: { by: 'http:boss', reason: 'no' },
    });
    await feed.tick();
    expect(w.sent.map((s) => s.reply.text.split('\n')[0])).toEqual([
      '⌛ trade dddd4444 expired without a decision: rejected.',
      '🗳️ **Trade proposed**: SPY iron-condor 1x, expires 2026-02-20 (rule set ic, id eeee5555-0000-4000-8000-000000000005)',
      '👎 SPY iron-condor 1x (eeee5555) **rejected** by http:boss: no.',
    ]);
    expect(w.sent[1]!.reply.text).toContain('Now pending.');
    expect(w.edits).toEqual([]);
  });
});
