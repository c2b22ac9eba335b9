// Owns gateway sessions: the sequence numbers of each session's dispatches, the recent ones kept for replay on RESUME,
// whether a connection is attached, and expiry of sessions left without one (Discord docs: topics/gateway#resuming).
import { randomBytes } from 'node:crypto';
import type { Json } from '../types.js';

export interface DispatchPayload {
  op: 0;
  t: string;
  s: number;
  d: Json;
}

export class Session {
  readonly id = randomBytes(16).toString('hex');
  seq = 0;
  /** When the last connection left (null while one is attached). */
  detachedAt: number | null = null;
  private readonly buffer: DispatchPayload[] = [];
  /** The newest sequence number no longer in the buffer. */
  private droppedThrough = 0;

  constructor(
    readonly intents: number,
    private readonly bufferSize: number,
  ) {}

  /** Numbers a dispatch and keeps it for replay. */
  record(t: string, d: Json): DispatchPayload {
    this.seq += 1;
    const payload: DispatchPayload = { op: 0, t, s: this.seq, d };
    this.buffer.push(payload);
    if (this.buffer.length > this.bufferSize) this.droppedThrough = this.buffer.shift()!.s;
    return payload;
  }

  /** Numbers a dispatch that is not replayed (RESUMED). */
  stamp(t: string, d: Json): DispatchPayload {
    this.seq += 1;
    return { op: 0, t, s: this.seq, d };
  }

  /**
   * The dispatches after `seq`, in order; undefined when they cannot all be replayed (some already dropped from the
   * buffer) or `seq` is ahead of the session.
   */
  replayAfter(seq: number): DispatchPayload[] | undefined {
    if (!Number.isInteger(seq) || seq < 0 || seq > this.seq || seq < this.droppedThrough) return undefined;
    return this.buffer.filter((p) => p.s > seq);
  }
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly bufferSize: number,
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  create(intents: number): Session {
    const session = new Session(intents, this.bufferSize);
    this.sessions.set(session.id, session);
    return session;
  }

  /** A session that can still be resumed. */
  get(id: string): Session | undefined {
    this.expire();
    return this.sessions.get(id);
  }

  all(): Session[] {
    this.expire();
    return [...this.sessions.values()];
  }

  invalidate(id: string): void {
    this.sessions.delete(id);
  }

  invalidateAll(): void {
    this.sessions.clear();
  }

  private expire(): void {
    const now = this.now();
    for (const [id, s] of this.sessions) {
      if (s.detachedAt !== null && now - s.detachedAt > this.timeoutMs) this.sessions.delete(id);
    }
  }
}
