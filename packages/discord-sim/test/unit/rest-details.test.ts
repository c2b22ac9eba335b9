// Owns small REST details: rate-limit bucket keys (top-level resources apart, tokens and ids folded), mentions parsed
// from content and filtered by allowed_mentions, snowflakes, Discord's timestamp format.
import { describe, expect, it } from 'vitest';
import { parseMentions } from '../../src/core/messaging.js';
import { routeKey } from '../../src/http/rate-limit.js';
import { DISCORD_EPOCH, SnowflakeSource, snowflakeAt, snowflakeTime } from '../../src/ids.js';
import { discordTimestamp } from '../../src/wire/time.js';

describe('routeKey', () => {
  it('keeps channel, guild and webhook ids (and the webhook token) as the major parameter, folds other ids', () => {
    expect(routeKey('post', '/channels/11/messages')).toEqual({
      route: 'POST /channels/:channels/messages',
      major: '11',
    });
    expect(routeKey('patch', '/channels/11/messages/22')).toEqual({
      route: 'PATCH /channels/:channels/messages/:id',
      major: '11',
    });
    expect(routeKey('post', '/webhooks/5/tok/messages/@original')).toEqual({
      route: 'POST /webhooks/:webhooks/:token/messages/@original',
      major: '5/tok',
    });
    expect(routeKey('post', '/interactions/9/tok/callback')).toEqual({
      route: 'POST /interactions/:id/:id/callback',
      major: '',
    });
  });
});

describe('parseMentions', () => {
  const known = (id: string) => id === '1' || id === '2';
  it('finds known users once, and @everyone', () => {
    expect(parseMentions('<@1> <@!1> <@2> <@3> @everyone', known)).toEqual({ ids: ['1', '2'], everyone: true });
  });
  it('allowed_mentions limits them', () => {
    expect(parseMentions('<@1> <@2> @here', known, { parse: [] })).toEqual({ ids: [], everyone: false });
    expect(parseMentions('<@1> <@2> @here', known, { users: ['2'] })).toEqual({ ids: ['2'], everyone: false });
    expect(parseMentions('<@1> @here', known, { parse: ['users', 'everyone'] })).toEqual({
      ids: ['1'],
      everyone: true,
    });
  });
});

describe('snowflakes and timestamps', () => {
  it('a snowflake carries its time; ids made in one millisecond still increase', () => {
    const at = Date.UTC(2026, 5, 1);
    expect(snowflakeTime(snowflakeAt(at, 7))).toBe(at);
    expect(snowflakeAt(DISCORD_EPOCH + 1)).toBe(String(1 << 22));
    const source = new SnowflakeSource(() => at);
    const [a, b] = [source.next(), source.next()];
    expect(BigInt(b) - BigInt(a)).toBe(1n);
  });
  it('timestamps are ISO 8601 with microseconds and +00:00', () => {
    expect(discordTimestamp(Date.UTC(2017, 6, 11, 17, 27, 7, 299))).toBe('2017-07-11T17:27:07.299000+00:00');
  });
});
