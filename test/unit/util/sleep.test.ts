// The pipeline's waits end when the process stops (issue 11, defect 12): sleep rejects with ShutdownError on abort.
import { describe, expect, it } from 'vitest';
import { ShutdownError, sleep } from '../../../src/util/sleep.js';

describe('sleep(ms, signal)', () => {
  it('resolves after the time without a signal or abort', async () => {
    await expect(sleep(5)).resolves.toBeUndefined();
    await expect(sleep(5, new AbortController().signal)).resolves.toBeUndefined();
  });
  it('rejects with ShutdownError when the signal aborts during the wait, long before the time', async () => {
    const ac = new AbortController();
    const waiting = sleep(3_600_000, ac.signal);
    ac.abort();
    await expect(waiting).rejects.toBeInstanceOf(ShutdownError);
  });
  it('rejects at once when the signal was already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(sleep(3_600_000, ac.signal)).rejects.toBeInstanceOf(ShutdownError);
  });
});
