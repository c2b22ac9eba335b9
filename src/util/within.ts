// Owns bounding a promise in time: the result, or an error naming what took longer than allowed.
export class TimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what}: no answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/** Resolves like `promise`, or rejects with TimeoutError after `ms`; `onLate` receives a result that came too late. */
export async function within<T>(promise: Promise<T>, ms: number, what: string, onLate?: (late: T) => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(new TimeoutError(what, ms));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } catch (error) {
    if (timedOut && onLate) void promise.then(onLate, () => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
