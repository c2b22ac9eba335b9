// Owns the unit tests of VENUE_CLOCK parsing and the open/real/replay clocks with an injected wall clock.
import { describe, it, expect } from 'vitest';
import { createMarketClock, parseClockSpec } from '../../src/clock.js';

const utc = (s: string) => Date.parse(s);

describe('parseClockSpec', () => {
  it('parses the accepted forms', () => {
    expect(parseClockSpec(undefined)).toEqual({ mode: 'open' });
    expect(parseClockSpec('')).toEqual({ mode: 'open' });
    expect(parseClockSpec('open')).toEqual({ mode: 'open' });
    expect(parseClockSpec(' REAL ')).toEqual({ mode: 'real' });
    expect(parseClockSpec('2026-11-20T14:30:00Z@60x')).toEqual({
      mode: 'replay',
      startAt: utc('2026-11-20T14:30:00Z'),
      speed: 60,
    });
    expect(parseClockSpec('2026-11-20T14:30:00Z@0x')).toEqual({
      mode: 'replay',
      startAt: utc('2026-11-20T14:30:00Z'),
      speed: 0,
    });
    expect(parseClockSpec('2026-11-20T14:30:00.250Z@0.5x')).toMatchObject({
      startAt: utc('2026-11-20T14:30:00.250Z'),
      speed: 0.5,
    });
    expect(parseClockSpec('2026-11-20T10:30:00-04:00@1x')).toMatchObject({ startAt: utc('2026-11-20T14:30:00Z') });
    // Without a zone the time is New York time (EST in November).
    expect(parseClockSpec('2026-11-20T09:30@1x')).toMatchObject({ startAt: utc('2026-11-20T14:30:00Z') });
  });

  it('rejects malformed text naming VENUE_CLOCK and the accepted forms', () => {
    for (const bad of [
      'fast',
      '2026-11-20T14:30:00Z',
      '2026-13-01T00:00:00Z@1x',
      '2026-02-30T00:00:00Z@1x',
      'x@60x',
      '2026-11-20T14:30:00Z@-1x',
      '@60x',
      '2026-11-20T25:00:00Z@1x',
      '2026-11-20T14:30:00Z@fastx',
    ]) {
      expect(() => parseClockSpec(bad), bad).toThrow(/VENUE_CLOCK.*"open".*"real".*@<speed>x/s);
    }
  });
});

describe('createMarketClock', () => {
  it('replays from startAt at speed times the injected wall clock', () => {
    let wall = 1_000_000;
    const startAt = utc('2026-11-20T14:30:00Z');
    const clock = createMarketClock({ mode: 'replay', startAt, speed: 60 }, () => wall);
    expect(clock.now()).toBe(startAt);
    wall += 1000;
    expect(clock.now()).toBe(startAt + 60_000);
    clock.advance(5000);
    expect(clock.now()).toBe(startAt + 65_000);
    wall += 500;
    expect(clock.now()).toBe(startAt + 95_000);
  });

  it('is frozen at 0x and moved only by advance, with synchronous listeners', () => {
    let wall = 0;
    const startAt = utc('2026-11-20T14:30:00Z');
    const clock = createMarketClock(parseClockSpec('2026-11-20T14:30:00Z@0x'), () => wall);
    wall += 3_600_000;
    expect(clock.now()).toBe(startAt);
    const seen: number[] = [];
    const off = clock.onAdvance((t) => seen.push(t));
    clock.advance(1000);
    expect(seen).toEqual([startAt + 1000]);
    off();
    clock.advance(1000);
    expect(seen).toHaveLength(1);
    expect(clock.now()).toBe(startAt + 2000);
    expect(() => clock.advance(-1)).toThrow();
  });

  it('uses the calendar in replay/real modes', () => {
    const thanksgiving = createMarketClock(parseClockSpec('2026-11-26T15:00:00Z@0x'));
    expect(thanksgiving.session().state).toBe('Closed');
    expect(thanksgiving.isMarketOpen()).toBe(false);
    thanksgiving.advance(24 * 3600_000);
    expect(thanksgiving.isMarketOpen()).toBe(true);
    const real = createMarketClock({ mode: 'real' }, () => utc('2026-11-21T15:00:00Z')); // Saturday
    expect(real.session().state).toBe('Closed');
    expect(real.session().tradingDate).toBe('2026-11-23');
    expect(real.isMarketOpen(utc('2026-11-23T15:00:00Z'))).toBe(true);
  });

  it("open mode follows the wall clock and is always open with today's regular bounds", () => {
    let wall = utc('2026-11-21T23:00:00Z'); // Saturday 18:00 ET
    const clock = createMarketClock({ mode: 'open' }, () => wall);
    expect(clock.now()).toBe(wall);
    const s = clock.session();
    expect(s.state).toBe('Open');
    expect(s.tradingDate).toBe('2026-11-21');
    expect(s.openAt).toBe(utc('2026-11-21T14:30:00Z'));
    expect(s.closeAt).toBe(utc('2026-11-21T21:00:00Z'));
    expect(clock.isMarketOpen()).toBe(true);
    wall += 10;
    clock.advance(5);
    expect(clock.now()).toBe(utc('2026-11-21T23:00:00Z') + 15);
  });
});
