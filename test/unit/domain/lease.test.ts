// The lease's rules, table-driven: only a held lease makes a standby active; only another holder (or none) and a lapse
// make an active process step down; Redis unreachable changes nobody's role; a stop is for good. Timings: renewed at
// a third of the ttl, believed held for less than the ttl after the renewal was sent.
import { describe, expect, it } from 'vitest';
import {
  LEASE_TRANSITIONS,
  type LeaseOutcome,
  type LeaseRole,
  leaseTimings,
  leaseValidUntil,
  nextLeaseRole,
  outcomeOf,
} from '../../../src/domain/lease.js';

const EXPECTED: Record<LeaseRole, Record<LeaseOutcome, LeaseRole>> = {
  standby: { held: 'active', elsewhere: 'standby', unreachable: 'standby', lapsed: 'standby', stop: 'stopped' },
  active: { held: 'active', elsewhere: 'standby', unreachable: 'active', lapsed: 'standby', stop: 'stopped' },
  stopped: { held: 'stopped', elsewhere: 'stopped', unreachable: 'stopped', lapsed: 'stopped', stop: 'stopped' },
};

describe('the lease table', () => {
  it('has exactly the expected cells', () => {
    expect(LEASE_TRANSITIONS).toEqual(EXPECTED);
    for (const role of Object.keys(EXPECTED) as LeaseRole[])
      for (const outcome of Object.keys(EXPECTED[role]) as LeaseOutcome[])
        expect(nextLeaseRole(role, outcome)).toBe(EXPECTED[role][outcome]);
  });

  it('an attempt is held only when Redis names this process', () => {
    expect(outcomeOf('a:1:x', 'a:1:x')).toBe('held');
    expect(outcomeOf('a:1:x', 'b:2:y')).toBe('elsewhere');
    expect(outcomeOf('a:1:x', null)).toBe('elsewhere');
  });
});

describe('lease timings', () => {
  it('renews at a third of the ttl; by default 15 s and a standby trying every 5 s', () => {
    expect(leaseTimings()).toEqual({ ttlMs: 15_000, renewEveryMs: 5_000, retryEveryMs: 5_000 });
    expect(leaseTimings(3_000, 200)).toEqual({ ttlMs: 3_000, renewEveryMs: 1_000, retryEveryMs: 200 });
    expect(() => leaseTimings(10)).toThrow('lease ttl must be at least 30 ms');
  });

  it('a lease is believed held until a little before the ttl after the renewal was sent', () => {
    expect(leaseValidUntil(1_000, 15_000)).toBe(1_000 + 15_000 - 150 - 2);
    expect(leaseValidUntil(0, 3_000)).toBeLessThan(3_000);
  });
});
