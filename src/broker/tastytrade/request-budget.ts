// Owns the per-process request budget to Tastytrade: one token bucket shared by every call, with lanes so that reads
// can never starve closing traffic. Pure and deterministic: the clock and the timers are injected.

/**
 * `close`: cancels, closing orders, compensations — what takes risk off. `open`: new entry orders, replaces, dry-runs.
 * `read`: everything else (polls, positions, chains, metrics).
 */
export type Lane = 'close' | 'open' | 'read';
export const LANES: readonly Lane[] = ['close', 'open', 'read'];

export interface BudgetOptions {
  /** Sustained requests per second (Tastytrade publishes no quota; 429s come past "reasonable thresholds"). */
  ratePerSecond: number;
  /** Bucket size: the largest burst. */
  burst: number;
  /**
   * Tokens a lane must leave in the bucket: `read` may not dip into the last `reserve.read` tokens, which stay for
   * `open` and `close`; `close` may take the last one. Waiting `close` requests are served before `open`, before `read`.
   */
  reserve: Record<Lane, number>;
  now: () => number;
  /** Starts a timer; returns its canceller. */
  schedule: (fn: () => void, ms: number) => () => void;
}

export const DEFAULT_BUDGET: Omit<BudgetOptions, 'now' | 'schedule'> = {
  ratePerSecond: 20,
  burst: 40,
  reserve: { close: 0, open: 4, read: 12 },
};

export class BudgetWaitExceeded extends Error {
  constructor(
    readonly lane: Lane,
    readonly ms: number,
  ) {
    super(`request budget: no ${lane} token within ${ms} ms`);
    this.name = 'BudgetWaitExceeded';
  }
}

export interface RequestBudget {
  /** Resolves when the lane may send one request (a token is taken); rejects with BudgetWaitExceeded after `maxWaitMs`. */
  acquire(lane: Lane, maxWaitMs?: number): Promise<void>;
  /** Tokens in the bucket now (fractional). */
  tokens(): number;
  /** Requests waiting, per lane. */
  waiting(): Record<Lane, number>;
}

interface Waiter {
  resolve: () => void;
  reject: (e: Error) => void;
  cancelTimeout?: () => void;
}

export function createRequestBudget(o: BudgetOptions): RequestBudget {
  let tokens = o.burst;
  let last = o.now();
  const queues: Record<Lane, Waiter[]> = { close: [], open: [], read: [] };
  let cancelTimer: (() => void) | undefined;

  const refill = () => {
    const now = o.now();
    tokens = Math.min(o.burst, tokens + ((now - last) * o.ratePerSecond) / 1000);
    last = now;
  };
  // A tiny epsilon absorbs float error in refill (1/rate per token)
  const canTake = (lane: Lane) => tokens - 1 >= o.reserve[lane] - 1e-9;

  /** Serves waiters in lane priority while tokens allow; then arms one timer for the first waiter that must wait. */
  const pump = () => {
    refill();
    for (const lane of LANES) {
      const q = queues[lane];
      while (q.length > 0 && canTake(lane)) {
        tokens -= 1;
        const w = q.shift()!;
        w.cancelTimeout?.();
        w.resolve();
      }
      // A higher-priority lane still waiting: lower lanes wait too (they need more tokens anyway)
      if (q.length > 0) break;
    }
    cancelTimer?.();
    cancelTimer = undefined;
    const next = LANES.find((l) => queues[l].length > 0);
    if (next) {
      const missing = o.reserve[next] + 1 - tokens;
      cancelTimer = o.schedule(pump, Math.max(1, Math.ceil((missing * 1000) / o.ratePerSecond)));
    }
  };

  return {
    acquire(lane, maxWaitMs) {
      refill();
      const higherWaiting = LANES.slice(0, LANES.indexOf(lane) + 1).some((l) => queues[l].length > 0);
      if (!higherWaiting && canTake(lane)) {
        tokens -= 1;
        return Promise.resolve();
      }
      return new Promise<void>((resolve, reject) => {
        const w: Waiter = { resolve, reject };
        if (maxWaitMs !== undefined) {
          w.cancelTimeout = o.schedule(() => {
            const q = queues[lane];
            const i = q.indexOf(w);
            if (i >= 0) q.splice(i, 1);
            reject(new BudgetWaitExceeded(lane, maxWaitMs));
          }, maxWaitMs);
        }
        queues[lane].push(w);
        pump();
      });
    },
    tokens() {
      refill();
      return tokens;
    },
    waiting() {
      return { close: queues.close.length, open: queues.open.length, read: queues.read.length };
    },
  };
}

let processBudget: RequestBudget | undefined;
/** The one budget of this process, shared by the broker and market data. */
export function processRequestBudget(): RequestBudget {
  processBudget ??= createRequestBudget({
    ...DEFAULT_BUDGET,
    now: () => Date.now(),
    schedule: (fn, ms) => {
      const t = setTimeout(fn, ms);
      return () => clearTimeout(t);
    },
  });
  return processBudget;
}
