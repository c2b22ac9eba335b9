// Owns waiting that a shutdown can interrupt: sleep(ms, signal) rejects with ShutdownError once the signal is aborted.

/** Thrown out of a wait when the process is stopping: the run ends where it is and resumes from Postgres later. */
export class ShutdownError extends Error {
  override name = 'ShutdownError';
  constructor(message = 'interrupted: the process is stopping') {
    super(message);
  }
}

export const isShutdown = (error: unknown): boolean => error instanceof ShutdownError;

/** Resolves after `ms`, or rejects with ShutdownError as soon as `signal` is (or already was) aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new ShutdownError());
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new ShutdownError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
