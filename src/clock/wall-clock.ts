// Owns the wall-time Clock: Tastytrade's own time is wall time, so broker time is this machine's clock.
import type { Clock } from '../pipeline/ports.js';
import { sleep } from '../util/sleep.js';

export function wallClock(): Clock {
  return {
    source: 'wall',
    // one-clock: allowed (this IS the wall clock the broker runs on)
    now: () => Date.now(),
    sleep: (ms, signal) => sleep(ms, signal),
    speed: () => 1,
    close() {},
  };
}
