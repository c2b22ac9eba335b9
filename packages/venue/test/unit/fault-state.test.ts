// Path matching of the venue's armed faults: a prefix by default, one exact path with `exact`.
import { describe, expect, it } from 'vitest';
import { FaultState } from '../../src/http/faults.js';

describe('FaultState path matching', () => {
  it('a prefix fault takes the first request under it, the dry-run included', () => {
    const faults = new FaultState();
    faults.arm({ kind: 'hang', ms: 100, path: '/accounts/5WT0001/orders' });
    expect(faults.take('hang', '/accounts/5WT0001/orders/dry-run')).toEqual({ ms: 100 });
    expect(faults.take('hang', '/accounts/5WT0001/orders')).toBeUndefined();
  });

  it('an exact fault leaves the dry-run alone and holds the submit itself', () => {
    const faults = new FaultState();
    faults.arm({ kind: 'hang', ms: 100, path: '/accounts/5WT0001/orders', exact: true });
    expect(faults.take('hang', '/accounts/5WT0001/orders/dry-run')).toBeUndefined();
    expect(faults.take('hang', '/accounts/5WT0001/orders/17')).toBeUndefined();
    expect(faults.pending()).toEqual([
      { kind: 'hang', remaining: 1, ms: 100, path: '/accounts/5WT0001/orders', exact: true },
    ]);
    expect(faults.take('hang', '/accounts/5WT0001/orders')).toEqual({ ms: 100 });
    expect(faults.fired.hang).toBe(1);
    expect(faults.pending()).toEqual([]);
  });
});
