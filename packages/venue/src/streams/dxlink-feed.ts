// Owns one DXLink FEED channel of the venue's dxFeed server: its subscriptions, negotiated record layouts and the messages a push produces.
import type { MarketModel } from '../types.js';
import { buildCandles, parseCandleSymbol } from './dxlink-candles.js';
import {
  buildEvent,
  compactValues,
  negotiateEventFields,
  resolveStreamerSymbol,
  type EventRecord,
  type ResolvedSymbol,
} from './dxlink-events.js';
import {
  errorMessage,
  feedConfigMessage,
  feedDataMessage,
  parseSubscriptionList,
  subscriptionKey,
  type ClientMessage,
  type ErrorMessage,
  type FeedConfigMessage,
  type FeedDataMessage,
  type FeedValue,
} from './dxlink-protocol.js';

export interface FeedSub {
  type: string;
  symbol: string;
  fromTime?: number;
  resolved?: ResolvedSymbol;
  last?: string;
}

export class FeedChannel {
  private readonly acceptFields: Record<string, unknown> = {};
  /** Event types whose eventFields this channel has already announced in a FEED_CONFIG, with the layout. */
  private readonly announced = new Map<string, string[]>();
  private readonly subs = new Map<string, FeedSub>();

  constructor(
    readonly id: number,
    readonly contract: string,
    private readonly market: MarketModel,
    private readonly aggregationPeriod: number,
    private readonly log: (msg: string, extra?: object) => void,
  ) {}

  /** FEED_SETUP (possibly repeated). The reply re-announces layouts that acceptEventFields changed. Format is always COMPACT. */
  setup(msg: ClientMessage): FeedConfigMessage {
    const accept = msg['acceptEventFields'];
    const changed: Record<string, string[]> = {};
    if (typeof accept === 'object' && accept !== null && !Array.isArray(accept)) {
      for (const [type, fields] of Object.entries(accept as Record<string, unknown>)) {
        this.acceptFields[type] = fields;
        const before = this.announced.get(type);
        const after = negotiateEventFields(type, fields);
        if (before !== undefined && after !== undefined && before.join() !== after.join()) {
          this.announced.set(type, after);
          changed[type] = after;
        }
      }
    }
    return feedConfigMessage(this.id, this.aggregationPeriod, changed);
  }

  /** FEED_SUBSCRIPTION: reset, then remove, then add. Returns an error for malformed entries and the subscriptions added. */
  subscribe(msg: ClientMessage): { error?: ErrorMessage; added: FeedSub[] } {
    const add = parseSubscriptionList(msg['add']);
    const remove = parseSubscriptionList(msg['remove']);
    if (msg['reset'] !== undefined && typeof msg['reset'] !== 'boolean') remove.bad++;
    const bad = add.bad + remove.bad;
    if (msg['reset'] === true) this.subs.clear();
    for (const e of remove.entries) this.subs.delete(subscriptionKey(e));
    const added: FeedSub[] = [];
    for (const e of add.entries) {
      const sub: FeedSub = { type: e.type, symbol: e.symbol };
      if (e.fromTime !== undefined) sub.fromTime = e.fromTime;
      this.subs.set(subscriptionKey(e), sub);
      added.push(sub);
    }
    const result: { error?: ErrorMessage; added: FeedSub[] } = { added };
    if (bad > 0) result.error = errorMessage(this.id, 'INVALID_MESSAGE', `Invalid subscription entries: ${bad}.`);
    return result;
  }

  /** Subscriptions whose underlying is in `underlyings` (plus unresolved ones, which may resolve now); all when omitted. */
  subscriptions(underlyings?: ReadonlySet<string>): FeedSub[] {
    const all = [...this.subs.values()];
    if (underlyings === undefined) return all;
    return all.filter((s) => {
      const u = this.resolve(s)?.underlying;
      return u === undefined || underlyings.has(u);
    });
  }

  /**
   * Messages for a push of `subs`: every current event when `snapshot`, else only those that changed since last sent.
   * A FEED_CONFIG announcing eventFields precedes the first FEED_DATA of each type; one FEED_DATA per event type.
   */
  push(subs: Iterable<FeedSub>, snapshot: boolean): (FeedConfigMessage | FeedDataMessage)[] {
    const byType = new Map<string, FeedValue[]>();
    for (const sub of subs) {
      const fields = this.fieldsFor(sub.type);
      if (fields === undefined) continue; // event types this server does not publish: silently no data
      let recs: EventRecord[];
      let sig: string;
      try {
        recs = this.records(sub, snapshot);
        sig = JSON.stringify(
          compactValues(snapshot && sub.type === 'Candle' ? this.records(sub, false) : recs, fields),
        );
      } catch (err) {
        this.log('dxlink: cannot build event', { type: sub.type, symbol: sub.symbol, error: String(err) });
        continue;
      }
      if (recs.length === 0 || (!snapshot && sig === sub.last)) continue;
      sub.last = sig;
      const list = byType.get(sub.type) ?? [];
      list.push(...compactValues(recs, fields));
      byType.set(sub.type, list);
    }
    const out: (FeedConfigMessage | FeedDataMessage)[] = [];
    const announce: Record<string, string[]> = {};
    for (const type of byType.keys()) {
      const fields = this.fieldsFor(type);
      if (this.announced.has(type) || fields === undefined) continue;
      this.announced.set(type, fields);
      announce[type] = fields;
    }
    if (Object.keys(announce).length > 0) out.push(feedConfigMessage(this.id, this.aggregationPeriod, announce));
    for (const [type, values] of byType) out.push(feedDataMessage(this.id, type, values));
    return out;
  }

  private fieldsFor(type: string): string[] | undefined {
    return this.announced.get(type) ?? negotiateEventFields(type, this.acceptFields[type]);
  }

  private resolve(sub: FeedSub): ResolvedSymbol | undefined {
    if (sub.resolved !== undefined) return sub.resolved;
    const base = sub.type === 'Candle' ? parseCandleSymbol(sub.symbol)?.base : sub.symbol;
    if (base !== undefined) sub.resolved = resolveStreamerSymbol(this.market, base);
    return sub.resolved;
  }

  private records(sub: FeedSub, snapshot: boolean): EventRecord[] {
    if (sub.type === 'Candle') return buildCandles(this.market, sub.symbol, sub.fromTime, snapshot);
    const r = this.resolve(sub);
    const ev = r === undefined ? undefined : buildEvent(this.market, sub.type, sub.symbol, r);
    return ev === undefined ? [] : [ev];
  }
}
