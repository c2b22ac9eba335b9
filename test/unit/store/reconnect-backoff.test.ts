// The pause before postgres.js reconnects (src/store/db.ts reconnectBackoffSeconds): 50 ms doubling per failed attempt,
// jittered ±25 %, never more than 2 s (postgres.js's own grows 3^n to 20 s: queries waited 10–20 s for a server back up).
import { describe, expect, it } from 'vitest';
import { reconnectBackoffSeconds } from '../../../src/store/db.js';

describe('reconnect backoff', () => {
  it('doubles from 50 ms, jittered ±25 %, and stops at 2 s', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 6, 20, 1000].map((n) => reconnectBackoffSeconds(n, mid))).toEqual([
      0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 2, 2, 2,
    ]);
    expect(reconnectBackoffSeconds(3, () => 0)).toBeCloseTo(0.3);
    expect(reconnectBackoffSeconds(3, () => 1)).toBeCloseTo(0.5);
    expect(reconnectBackoffSeconds(5, () => 1)).toBe(2);
  });
});
