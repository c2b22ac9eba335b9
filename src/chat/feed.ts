// Owns telling the alert channel what happened anywhere in Legwork: it tails the audit log in Postgres (every process's
// alerts, resumes, fills, proposals and approval outcomes are there, the CLI's and the API's included), posts each
// event once, and keeps its place across restarts (settings `chat_feed`). While Discord is unreachable nothing is lost:
// events wait and go out after the reconnect, several lines as one message. Posting failures are logged, never thrown.
//
// Ids of audit rows are handed out before their transaction commits, so a row with a lower id can become visible after
// a higher one. The feed therefore keeps every row it has posted above its floor and moves the floor past a posted row
// only once that row has been visible for `settleMs` (longer than any transaction is allowed to run: tx.ts bounds
// them at 10 s): a row committed late is still above the floor when it shows up.
import type { AuditRow, TradeRow } from '../domain/records.js';
import type { Logger } from '../log.js';
import { feedItem, feedKinds, type FeedItem, linesMessage } from './feed-format.js';
import type { ChatReply } from './format.js';

export interface FeedState {
  /** Every feed event with an id at or below this is done. */
  floor: number;
  /** Events above the floor already posted (or with nothing to post). */
  done: number[];
  /** Proposal messages by trade id (newest last, bounded): edited when the proposal is decided. */
  proposals: { tradeId: string; messageId: string; text: string }[];
}

export interface FeedSource {
  /** Audit events of `kinds` with id > `afterId`, oldest first. */
  after(afterId: number, kinds: readonly string[], limit: number): Promise<AuditRow[]>;
  /** The newest audit event's id (0 when there is none): where a first start begins. */
  latestId(): Promise<number>;
  trade(id: string): Promise<TradeRow | undefined>;
  loadState(): Promise<FeedState | null>;
  saveState(state: FeedState): Promise<void>;
}

/** Where the feed posts: the alert channel. */
export interface FeedPoster {
  connected(): boolean;
  /** Posts to the alert channel; resolves with the id of the message that carries the buttons (the last one). */
  send(reply: ChatReply): Promise<string>;
  edit(messageId: string, reply: ChatReply): Promise<void>;
}

export interface ChatFeedOptions {
  source: FeedSource;
  poster: FeedPoster;
  /** Post fills too (LEGWORK_DISCORD_FILLS=yes). */
  fills: boolean;
  log: Logger;
  pollMs?: number;
  settleMs?: number;
  /** Wall clock in ms (settling and delays are about this process and the network, not the market). */
  wallNow?: () => number;
}

export interface ChatFeed {
  /** One round: read new events, post what can be posted, move the floor. Never throws. */
  tick(): Promise<void>;
  /** Runs a round soon (a proposal in this process, a reconnect); nothing once stopped. */
  nudge(): void;
  /** Events read while Discord was unreachable and not posted yet. */
  waiting(): number;
  /** Polls; each start reads the feed's place afresh from Postgres (another process may have moved it meanwhile). */
  start(): void;
  /** No more rounds until the next start: resolves once the current one is done. */
  stop(): Promise<void>;
}

const BATCH = 200;
const MAX_PROPOSALS_KEPT = 50;

export function createChatFeed(options: ChatFeedOptions): ChatFeed {
  const { source, poster, log } = options;
  const pollMs = options.pollMs ?? 1000;
  const settleMs = options.settleMs ?? 15_000;
  // one-clock: the feed's settling and delay marks are wall time (network and commit latency, not market time)
  const wallNow = options.wallNow ?? (() => performance.now());
  const kinds = feedKinds(options.fills);
  let state: FeedState | undefined;
  const firstSeen = new Map<number, number>();
  /** Events that waited for Discord to come back: they go out marked delayed. */
  const heldBack = new Set<number>();
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let again = false;
  let stopped = false;
  let lastFailure = 0;

  const warn = (error: unknown, what: string) => {
    // Throttled: a Discord or Postgres outage would otherwise log every second
    if (wallNow() - lastFailure > 30_000) log.warn({ err: error }, `chat feed: ${what}; tried again`);
    lastFailure = wallNow();
  };

  async function loadState(): Promise<FeedState> {
    const saved = await source.loadState();
    if (saved) return saved;
    // First start: from now on (history is in the audit log and on the dashboard)
    const fresh = { floor: await source.latestId(), done: [], proposals: [] };
    await source.saveState(fresh);
    return fresh;
  }

  async function post(s: FeedState, items: FeedItem[], delayed: boolean): Promise<boolean> {
    let lines: { id: number; text: string }[] = [];
    const flush = async () => {
      if (lines.length === 0) return;
      await poster.send({
        text: linesMessage(
          lines.map((l) => l.text),
          delayed,
        ),
      });
      s.done.push(...lines.map((l) => l.id));
      lines = [];
    };
    try {
      for (const item of items) {
        if (item.kind === 'line') {
          lines.push({ id: item.eventId, text: item.text });
          continue;
        }
        await flush();
        if (item.kind === 'proposal') {
          const messageId = await poster.send({
            text: item.text,
            ...(item.buttons.length > 0 ? { buttons: item.buttons } : {}),
          });
          s.proposals = [
            ...s.proposals.filter((p) => p.tradeId !== item.tradeId),
            { tradeId: item.tradeId, messageId, text: item.text },
          ].slice(-MAX_PROPOSALS_KEPT);
        } else {
          const proposal = s.proposals.find((p) => p.tradeId === item.tradeId);
          const edited = proposal
            ? await poster.edit(proposal.messageId, { text: `${proposal.text}\n${item.text}`, buttons: [] }).then(
                () => true,
                (error: unknown) => {
                  log.warn(
                    { err: error, tradeId: item.tradeId },
                    'chat feed: proposal message not edited; posting the outcome',
                  );
                  return false;
                },
              )
            : false;
          if (!edited) await poster.send({ text: item.text });
          s.proposals = s.proposals.filter((p) => p.tradeId !== item.tradeId);
        }
        s.done.push(item.eventId);
      }
      await flush();
      return true;
    } catch (error) {
      warn(error, 'posting to Discord failed');
      return false;
    }
  }

  async function round(): Promise<void> {
    state ??= await loadState();
    const s = state;
    const before = JSON.stringify(s);
    const rows = await source.after(s.floor, kinds, BATCH);
    const now = wallNow();
    for (const r of rows) if (!firstSeen.has(Number(r.id))) firstSeen.set(Number(r.id), now);
    const done = new Set(s.done);
    const todo = rows.filter((r) => !done.has(Number(r.id)));
    if (todo.length > 0 && !poster.connected()) for (const r of todo) heldBack.add(Number(r.id));
    if (todo.length > 0 && poster.connected()) {
      const items: FeedItem[] = [];
      for (const r of todo) {
        const item = feedItem(r, r.tradeId && r.kind !== 'alert' ? await source.trade(r.tradeId) : undefined);
        if (item) items.push(item);
        else s.done.push(Number(r.id));
      }
      await post(
        s,
        items,
        todo.some((r) => heldBack.has(Number(r.id))),
      );
    }
    // The floor passes posted events that have been visible long enough for any lower id to have committed
    const posted = new Set(s.done);
    for (const r of rows) {
      const id = Number(r.id);
      if (!posted.has(id) || now - (firstSeen.get(id) ?? now) < settleMs) break;
      s.floor = id;
      firstSeen.delete(id);
    }
    s.done = s.done.filter((id) => id > s.floor);
    for (const id of heldBack) if (id <= s.floor || posted.has(id)) heldBack.delete(id);
    if (JSON.stringify(s) !== before) await source.saveState(s);
  }

  const feed: ChatFeed = {
    async tick() {
      if (stopped) return;
      if (running) {
        again = true;
        return running;
      }
      running = round()
        .catch((error: unknown) => warn(error, 'reading the audit log failed'))
        .finally(() => {
          running = undefined;
        });
      await running;
      if (again) {
        again = false;
        await feed.tick();
      }
    },
    nudge() {
      void feed.tick();
    },
    waiting: () => heldBack.size,
    start() {
      // Perhaps taken over from another process (one bot per token): its place in Postgres, not what this one knew
      state = undefined;
      firstSeen.clear();
      heldBack.clear();
      stopped = false;
      timer ??= setInterval(() => void feed.tick(), pollMs);
      timer.unref();
      void feed.tick();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      again = false;
      await running;
    },
  };
  return feed;
}
