// Owns the gateway's session bookkeeping and intent shaping: sequence numbers, what a RESUME can replay, expiry of
// detached sessions, and what a session without an intent (or without MESSAGE_CONTENT) receives.
import { describe, expect, it } from 'vitest';
import { shapeForIntents } from '../../src/gateway/intent-filter.js';
import { Session, SessionStore } from '../../src/gateway/sessions.js';
import { INTENT } from '../../src/intents.js';

describe('Session', () => {
  it('numbers dispatches from 1 and replays exactly those after a seq', () => {
    const s = new Session(0, 10);
    s.record('READY', {});
    s.record('A', {});
    s.record('B', {});
    expect(s.replayAfter(1)?.map((p) => [p.t, p.s])).toEqual([
      ['A', 2],
      ['B', 3],
    ]);
    expect(s.replayAfter(3)).toEqual([]);
  });

  it('cannot replay from before what its buffer still holds, nor from beyond its last seq', () => {
    const s = new Session(0, 2);
    for (const t of ['READY', 'A', 'B', 'C']) s.record(t, {});
    expect(s.replayAfter(2)?.map((p) => p.t)).toEqual(['B', 'C']);
    expect(s.replayAfter(1)).toBeUndefined();
    expect(s.replayAfter(5)).toBeUndefined();
  });

  it('a stamped dispatch (RESUMED) takes a seq but is not replayed', () => {
    const s = new Session(0, 10);
    s.record('READY', {});
    expect(s.stamp('RESUMED', {}).s).toBe(2);
    s.record('A', {});
    expect(s.replayAfter(1)?.map((p) => [p.t, p.s])).toEqual([['A', 3]]);
  });
});

describe('SessionStore', () => {
  it('forgets a detached session after the timeout, never an attached one', () => {
    let now = 0;
    const store = new SessionStore(10, 1000, () => now);
    const attached = store.create(0);
    const detached = store.create(0);
    detached.detachedAt = 0;
    now = 1001;
    expect(store.get(detached.id)).toBeUndefined();
    expect(store.get(attached.id)).toBe(attached);
  });
});

describe('shapeForIntents', () => {
  const message = {
    t: 'MESSAGE_CREATE',
    d: { content: 'hi', embeds: [{}], components: [{}], attachments: [{}], poll: {} },
  };

  it('an event needing an intent reaches only sessions with it', () => {
    expect(shapeForIntents({ ...message, intent: INTENT.GUILD_MESSAGES }, INTENT.GUILDS)).toBeUndefined();
    expect(shapeForIntents({ ...message, intent: INTENT.GUILD_MESSAGES }, INTENT.GUILD_MESSAGES)).toBe(message.d);
    expect(shapeForIntents({ t: 'INTERACTION_CREATE', d: { id: '1' } }, 0)).toEqual({ id: '1' });
  });

  it('guarded content is blanked without MESSAGE_CONTENT and kept with it', () => {
    const guarded = { ...message, intent: INTENT.GUILD_MESSAGES, contentGuard: true };
    expect(shapeForIntents(guarded, INTENT.GUILD_MESSAGES)).toEqual({
      content: '',
      embeds: [],
      components: [],
      attachments: [],
    });
    expect(shapeForIntents(guarded, INTENT.GUILD_MESSAGES | INTENT.MESSAGE_CONTENT)).toBe(message.d);
    expect(shapeForIntents({ ...guarded, contentGuard: false }, INTENT.GUILD_MESSAGES)).toBe(message.d);
  });
});
