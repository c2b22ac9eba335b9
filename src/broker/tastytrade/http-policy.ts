// Owns how every Tastytrade call is run: a lane (close | open | read), a token from the request budget, a deadline per
// call, retries with backoff for reads only, and a circuit breaker per lane (read trouble never blocks closing traffic).
import { BrokerError } from '../../domain/broker-error.js';
import { SUBMIT_TIMEOUT_MS } from '../../domain/submit-timing.js';
import { DeadlineExceededError, classifyError, isUnauthorized, type BrokerOperation } from './errors.js';
import { BudgetWaitExceeded, LANES, type Lane, type RequestBudget } from './request-budget.js';

export type { Lane } from './request-budget.js';

export interface HttpPolicyOptions {
  /** Deadline of one attempt of a read, cancel or dry-run. */
  readTimeoutMs: number;
  /** Deadline of a submit or replace (attempted exactly once). */
  submitTimeoutMs: number;
  /** Attempts of a read / dry-run on retryable errors, the first included. */
  maxReadAttempts: number;
  /** Full-jitter backoff: the n-th retry waits random() × min(maxDelayMs, baseDelayMs × 2^(n-1)). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Consecutive transport failures (retryable/unknown) that open the circuit. */
  breakerThreshold: number;
  /** How long the circuit stays open before one trial call is let through (half-open). */
  breakerCooldownMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  /** Starts a timer; returns its canceller. */
  schedule: (fn: () => void, ms: number) => () => void;
  /** Called on a 401 (not from the token endpoint): drop the cached access token so the next call refreshes it. */
  onUnauthorized?: () => void;
  onEvent?: (event: PolicyEvent) => void;
  /** The request budget every call takes a token from (the process's, in production); none = unlimited. */
  budget?: RequestBudget;
}

export type PolicyEvent =
  /** One broker call finished (after its retries): how long it took in all and how it ended. */
  | { kind: 'call'; operation: BrokerOperation; ms: number; outcome: 'ok' | BrokerError['kind'] }
  | { kind: 'retry'; operation: BrokerOperation; attempt: number; delayMs: number; error: BrokerError }
  | { kind: 'circuit'; state: BreakerState; lane: Lane }
  | { kind: 'tokenRefresh'; operation: BrokerOperation };

export type BreakerState = 'closed' | 'open' | 'half-open';

export const DEFAULT_POLICY: Omit<HttpPolicyOptions, 'onUnauthorized' | 'onEvent' | 'budget'> = {
  readTimeoutMs: 10_000,
  submitTimeoutMs: SUBMIT_TIMEOUT_MS,
  maxReadAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 4_000,
  breakerThreshold: 5,
  breakerCooldownMs: 30_000,
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
  schedule: (fn, ms) => {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};

/** Operations that create nothing at the broker and may be re-sent automatically. */
const RETRIED: ReadonlySet<BrokerOperation> = new Set(['read', 'dryRun']);

/** The lane of an operation when the caller names none: cancels close; submits, replaces and dry-runs open. */
export const defaultLane = (operation: BrokerOperation): Lane =>
  operation === 'cancel' ? 'close' : operation === 'read' ? 'read' : 'open';

export interface HttpPolicy {
  /**
   * Runs `call` under the policy; every failure comes out as a classified BrokerError. `lane` defaults from the
   * operation (defaultLane); a submit of a closing order passes `close`.
   */
  run<T>(operation: BrokerOperation, call: () => Promise<T>, label?: string, lane?: Lane): Promise<T>;
  /** The `read` lane's breaker (the one reads open). */
  readonly breakerState: BreakerState;
  breakerOf(lane: Lane): BreakerState;
}

class AttemptFailure {
  constructor(
    readonly error: BrokerError,
    readonly unauthorized: boolean,
  ) {}
}

/** Races `promise` against a deadline. The losing SDK call cannot be aborted; its outcome is swallowed. */
export function withDeadline<T>(promise: Promise<T>, ms: number, schedule: HttpPolicyOptions['schedule']): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const cancel = schedule(() => {
      if (settled) return;
      settled = true;
      reject(new DeadlineExceededError(ms));
    }, ms);
    promise.then(
      (value) => {
        if (settled) return;
        settled = true;
        cancel();
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        cancel();
        reject(error);
      },
    );
  });
}

export function backoffDelay(
  retry: number,
  options: Pick<HttpPolicyOptions, 'baseDelayMs' | 'maxDelayMs' | 'random'>,
): number {
  const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(options.random() * cap);
}

interface Breaker {
  state: BreakerState;
  failures: number;
  openedAt: number;
  trialInFlight: boolean;
}

export function createHttpPolicy(overrides: Partial<HttpPolicyOptions> = {}): HttpPolicy {
  const o: HttpPolicyOptions = { ...DEFAULT_POLICY, ...overrides };
  // One breaker per lane: failing reads (or 429s on reads) open only the read lane, never cancels or closing orders
  const breakers = Object.fromEntries(
    LANES.map((l) => [l, { state: 'closed', failures: 0, openedAt: 0, trialInFlight: false }]),
  ) as Record<Lane, Breaker>;

  const setState = (lane: Lane, next: BreakerState) => {
    const b = breakers[lane];
    if (next === b.state) return;
    b.state = next;
    o.onEvent?.({ kind: 'circuit', state: next, lane });
  };

  const stateOf = (lane: Lane): BreakerState => {
    const b = breakers[lane];
    if (b.state === 'open' && o.now() - b.openedAt >= o.breakerCooldownMs) return 'half-open';
    return b.state;
  };

  /** Lets a call through or fails fast. Returns whether this call is the half-open trial. */
  const admit = (operation: BrokerOperation, label: string, lane: Lane): boolean => {
    const b = breakers[lane];
    if (b.state === 'open' && o.now() - b.openedAt >= o.breakerCooldownMs) setState(lane, 'half-open');
    if (b.state === 'closed') return false;
    if (b.state === 'half-open' && !b.trialInFlight) {
      b.trialInFlight = true;
      return true;
    }
    const retryIn = Math.max(0, o.breakerCooldownMs - (o.now() - b.openedAt));
    throw new BrokerError(
      'retryable',
      `circuit open (${lane} lane): ${label} not sent after ${b.failures} consecutive broker failures (retry in ${retryIn} ms)`,
      {
        code: 'circuit_open',
        operation,
      },
    );
  };

  const record = (lane: Lane, ok: boolean, trial: boolean) => {
    const b = breakers[lane];
    if (trial) b.trialInFlight = false;
    if (ok) {
      b.failures = 0;
      setState(lane, 'closed');
      return;
    }
    b.failures += 1;
    if (trial || b.failures >= o.breakerThreshold) {
      b.openedAt = o.now();
      setState(lane, 'open');
    }
  };

  /** One attempt through the lane's breaker, a budget token and the deadline; failures come out as AttemptFailure. */
  const attempt = async <T>(
    operation: BrokerOperation,
    call: () => Promise<T>,
    label: string,
    lane: Lane,
  ): Promise<T> => {
    let trial: boolean;
    try {
      trial = admit(operation, label, lane);
    } catch (error) {
      throw new AttemptFailure(error as BrokerError, false);
    }
    const timeout = operation === 'submit' || operation === 'replace' ? o.submitTimeoutMs : o.readTimeoutMs;
    if (o.budget) {
      try {
        await o.budget.acquire(lane, timeout);
      } catch (error) {
        if (trial) breakers[lane].trialInFlight = false;
        if (!(error instanceof BudgetWaitExceeded)) throw error;
        // Nothing was sent: retryable even for a submit; says nothing about the broker's health
        throw new AttemptFailure(
          new BrokerError('retryable', `${label} not sent: ${error.message}`, { code: 'budget_exhausted', operation }),
          false,
        );
      }
    }
    try {
      const value = await withDeadline(Promise.resolve().then(call), timeout, o.schedule);
      record(lane, true, trial);
      return value;
    } catch (raw) {
      const error = classifyError(raw, operation);
      // Only transport trouble says anything about the broker's health; a rejection or auth failure is an answer
      record(lane, !(error.kind === 'retryable' || error.kind === 'unknown'), trial);
      const unauthorized = isUnauthorized(raw);
      if (unauthorized) o.onUnauthorized?.();
      throw new AttemptFailure(error, unauthorized);
    }
  };

  /** Reads are retried with backoff on retryable failures (and once after a 401); everything else is tried once. */
  const runWithRetries = async <T>(
    operation: BrokerOperation,
    call: () => Promise<T>,
    label: string,
    lane: Lane,
  ): Promise<T> => {
    let refreshed = false;
    for (let n = 1; ; ) {
      try {
        return await attempt(operation, call, label, lane);
      } catch (e) {
        if (!(e instanceof AttemptFailure)) throw classifyError(e, operation);
        const { error } = e;
        // Submits, replaces and cancels are attempted exactly once
        if (!RETRIED.has(operation)) throw error;
        if (e.unauthorized && !refreshed) {
          // One retry with a fresh token (the SDK never reacts to a 401 by itself)
          refreshed = true;
          o.onEvent?.({ kind: 'tokenRefresh', operation });
          continue;
        }
        if (error.kind !== 'retryable' || error.code === 'circuit_open' || n >= o.maxReadAttempts) throw error;
        const delayMs = backoffDelay(n, o);
        o.onEvent?.({ kind: 'retry', operation, attempt: n, delayMs, error });
        await o.sleep(delayMs);
        n += 1;
      }
    }
  };

  return {
    get breakerState() {
      return stateOf('read');
    },
    breakerOf: stateOf,
    async run<T>(
      operation: BrokerOperation,
      call: () => Promise<T>,
      label: string = operation,
      lane: Lane = defaultLane(operation),
    ): Promise<T> {
      const started = o.now();
      try {
        const value = await runWithRetries(operation, call, label, lane);
        o.onEvent?.({ kind: 'call', operation, ms: o.now() - started, outcome: 'ok' });
        return value;
      } catch (error) {
        const outcome = error instanceof BrokerError ? error.kind : 'unknown';
        o.onEvent?.({ kind: 'call', operation, ms: o.now() - started, outcome });
        throw error;
      }
    },
  };
}
