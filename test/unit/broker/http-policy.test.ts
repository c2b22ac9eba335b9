// Deadlines, read-only retries with full-jitter backoff, one token refresh, and the circuit breaker, on a fake clock.
import { describe, expect, it } from 'vitest';
import { BrokerError } from '../../../src/domain/broker-error.js';
import {
  backoffDelay,
  createHttpPolicy,
  type HttpPolicyOptions,
  type PolicyEvent,
} from '../../../src/broker/tastytrade/http-policy.js';

/** A manual clock: timers fire only when the test advances time. */
function fakeClock() {
  let t = 0;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  const sleeps: number[] = [];
  const clock = {
    now: () => t,
    schedule(fn: () => void, ms: number) {
      const id = nextId++;
      timers.push({ at: t + ms, fn, id });
      return () => {
        timers = timers.filter((x) => x.id !== id);
      };
    },
    sleep(ms: number) {
      sleeps.push(ms);
      t += ms;
      return Promise.resolve();
    },
    async advance(ms: number) {
      const until = t + ms;
      for (;;) {
        const due = timers.filter((x) => x.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((x) => x !== due);
        t = due.at;
        due.fn();
        await flush();
      }
      t = until;
      await flush();
    },
    pendingTimers: () => timers.length,
    sleeps,
  };
  return clock;
}

const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

const httpError = (
  status: number,
  data: unknown = { error: { code: 'x', message: `status ${status}` } },
  url = '/accounts/5WT1/orders',
) =>
  Object.assign(new Error(`Request failed with status code ${status}`), {
    isAxiosError: true,
    response: { status, data },
    config: { url },
  });

function setup(overrides: Partial<HttpPolicyOptions> = {}) {
  const clock = fakeClock();
  const events: PolicyEvent[] = [];
  let unauthorized = 0;
  const policy = createHttpPolicy({
    now: clock.now,
    sleep: (ms) => clock.sleep(ms),
    schedule: clock.schedule,
    random: () => 0.5,
    onEvent: (e) => events.push(e),
    onUnauthorized: () => {
      unauthorized += 1;
    },
    ...overrides,
  });
  return { clock, policy, events, unauthorizedCount: () => unauthorized };
}

/** A call that fails with the given errors in turn, then returns `value`. */
function scripted<T>(failures: unknown[], value: T) {
  let calls = 0;
  const fn = async () => {
    calls += 1;
    const failure = failures[calls - 1];
    if (failure !== undefined) throw failure;
    return value;
  };
  return { fn, calls: () => calls };
}

async function outcome(p: Promise<unknown>): Promise<BrokerError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof BrokerError) return e;
    throw new Error(`expected a BrokerError, got ${String(e)}`);
  }
  throw new Error('expected a failure');
}

describe('deadline', () => {
  it('a read that never answers fails retryable at exactly readTimeoutMs (10 s default), and leaves no timer', async () => {
    const { clock, policy } = setup({ maxReadAttempts: 1 });
    const result = outcome(policy.run('read', () => new Promise(() => {})));
    let settled = false;
    void result.then(() => (settled = true));
    await clock.advance(9_999);
    expect(settled).toBe(false);
    await clock.advance(1);
    const error = await result;
    expect(error.kind).toBe('retryable');
    expect(error.code).toBe('timeout');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('a submit that never answers is unknown after 15 s and is attempted once', async () => {
    const { clock, policy } = setup();
    let calls = 0;
    const result = outcome(
      policy.run('submit', () => {
        calls += 1;
        return new Promise(() => {});
      }),
    );
    await clock.advance(14_999);
    await clock.advance(1);
    const error = await result;
    expect(error.kind).toBe('unknown');
    expect(calls).toBe(1);
  });

  it('an answer before the deadline cancels the timer', async () => {
    const { clock, policy } = setup();
    expect(await policy.run('read', async () => 42)).toBe(42);
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('retries (reads and dry-runs only)', () => {
  it('retries a read on 429/503 with full-jitter exponential backoff, then succeeds', async () => {
    const { clock, policy, events } = setup({ baseDelayMs: 200, maxDelayMs: 10_000 });
    const call = scripted([httpError(429), httpError(503), httpError(502)], 'ok');
    expect(await policy.run('read', call.fn)).toBe('ok');
    expect(call.calls()).toBe(4);
    // random() = 0.5 → half of 200, 400, 800
    expect(clock.sleeps).toEqual([100, 200, 400]);
    expect(events.filter((e) => e.kind === 'retry')).toHaveLength(3);
  });

  it('gives up after maxReadAttempts with the last retryable error', async () => {
    const { policy } = setup({ maxReadAttempts: 3 });
    const call = scripted([httpError(500), httpError(500), httpError(503), httpError(500)], 'never');
    const error = await outcome(policy.run('read', call.fn));
    expect(error.kind).toBe('retryable');
    expect(error.httpStatus).toBe(503);
    expect(call.calls()).toBe(3);
  });

  it('retries a dry-run (it creates nothing)', async () => {
    const { policy } = setup();
    const call = scripted([httpError(500)], 'preview');
    expect(await policy.run('dryRun', call.fn)).toBe('preview');
    expect(call.calls()).toBe(2);
  });

  it('never retries a rejection or a fatal answer', async () => {
    const { policy } = setup();
    const rejected = scripted([httpError(422), httpError(422)], 'x');
    expect((await outcome(policy.run('read', rejected.fn))).kind).toBe('rejected');
    expect(rejected.calls()).toBe(1);
    const forbidden = scripted([httpError(403), httpError(403)], 'x');
    expect((await outcome(policy.run('read', forbidden.fn))).kind).toBe('fatal');
    expect(forbidden.calls()).toBe(1);
  });

  it.each([
    ['submit', 'unknown'],
    ['replace', 'unknown'],
    ['cancel', 'retryable'],
  ] as const)('attempts a %s exactly once on a 503 (→ %s)', async (operation, kind) => {
    const { policy, clock } = setup();
    const call = scripted([httpError(503), httpError(503)], 'x');
    const error = await outcome(policy.run(operation, call.fn));
    expect(error.kind).toBe(kind);
    expect(call.calls()).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('backoff never exceeds maxDelayMs and is zero-based (full jitter)', () => {
    const o = { baseDelayMs: 250, maxDelayMs: 4_000 };
    expect(backoffDelay(1, { ...o, random: () => 0 })).toBe(0);
    expect(backoffDelay(1, { ...o, random: () => 0.999 })).toBe(249);
    expect(backoffDelay(10, { ...o, random: () => 0.999 })).toBe(3_996);
  });
});

describe('401: one token refresh for reads', () => {
  it('a read refused once is retried after dropping the token, and succeeds', async () => {
    const { policy, unauthorizedCount, events } = setup();
    const call = scripted([httpError(401)], 'fresh');
    expect(await policy.run('read', call.fn)).toBe('fresh');
    expect(call.calls()).toBe(2);
    expect(unauthorizedCount()).toBe(1);
    expect(events.some((e) => e.kind === 'tokenRefresh')).toBe(true);
  });

  it('a read refused twice is fatal', async () => {
    const { policy } = setup();
    const call = scripted([httpError(401), httpError(401), httpError(401)], 'x');
    const error = await outcome(policy.run('read', call.fn));
    expect(error.kind).toBe('fatal');
    expect(call.calls()).toBe(2);
  });

  it('a submit refused with 401 is fatal at once (the token is still dropped for the next call)', async () => {
    const { policy, unauthorizedCount } = setup();
    const call = scripted([httpError(401)], 'x');
    expect((await outcome(policy.run('submit', call.fn))).kind).toBe('fatal');
    expect(call.calls()).toBe(1);
    expect(unauthorizedCount()).toBe(1);
  });
});

describe('circuit breaker', () => {
  it('opens after N consecutive transport failures and then fails fast without calling (in that lane)', async () => {
    const { policy, events } = setup({ breakerThreshold: 3, maxReadAttempts: 1 });
    for (let i = 0; i < 3; i++) await outcome(policy.run('read', async () => Promise.reject(httpError(502))));
    expect(policy.breakerState).toBe('open');
    let called = false;
    const error = await outcome(
      policy.run('read', async () => {
        called = true;
        return 'x';
      }),
    );
    expect(called).toBe(false);
    expect(error.kind).toBe('retryable'); // nothing was sent
    expect(error.code).toBe('circuit_open');
    expect(error.message).toMatch(/circuit open \(read lane\)/);
    expect(events).toContainEqual({ kind: 'circuit', state: 'open', lane: 'read' });
  });

  it('read failures and 429s on reads open only the read lane: cancels, closing orders and entries are still sent (issue 11, defect 10)', async () => {
    const { policy } = setup({ breakerThreshold: 3, maxReadAttempts: 1 });
    for (let i = 0; i < 2; i++) await outcome(policy.run('read', async () => Promise.reject(httpError(502))));
    await outcome(policy.run('read', async () => Promise.reject(httpError(429))));
    expect(policy.breakerOf('read')).toBe('open');
    const sent: string[] = [];
    expect(
      await policy.run('cancel', async () => {
        sent.push('cancel');
        return 'cancelled';
      }),
    ).toBe('cancelled');
    expect(
      await policy.run(
        'submit',
        async () => {
          sent.push('close');
          return 'exit order';
        },
        'exit',
        'close',
      ),
    ).toBe('exit order');
    expect(
      await policy.run('submit', async () => {
        sent.push('open');
        return 'entry order';
      }),
    ).toBe('entry order');
    expect(sent).toEqual(['cancel', 'close', 'open']);
    expect([policy.breakerOf('close'), policy.breakerOf('open')]).toEqual(['closed', 'closed']);
  });

  it('failures of closing traffic open the close lane only; reads go on', async () => {
    const { policy } = setup({ breakerThreshold: 2, maxReadAttempts: 1 });
    for (let i = 0; i < 2; i++) await outcome(policy.run('cancel', async () => Promise.reject(httpError(503))));
    expect(policy.breakerOf('close')).toBe('open');
    expect(await policy.run('read', async () => 'positions')).toBe('positions');
    expect((await outcome(policy.run('cancel', async () => 'x'))).code).toBe('circuit_open');
  });

  it('half-open after the cooldown: one trial; success closes, failure re-opens', async () => {
    const { policy, clock } = setup({ breakerThreshold: 2, maxReadAttempts: 1, breakerCooldownMs: 5_000 });
    for (let i = 0; i < 2; i++) await outcome(policy.run('read', async () => Promise.reject(httpError(500))));
    await clock.advance(4_999);
    expect((await outcome(policy.run('read', async () => 'x'))).code).toBe('circuit_open');
    await clock.advance(1);
    expect(policy.breakerState).toBe('half-open');
    // Trial fails → open again for a full cooldown
    expect((await outcome(policy.run('read', async () => Promise.reject(httpError(500))))).httpStatus).toBe(500);
    expect(policy.breakerState).toBe('open');
    await clock.advance(5_000);
    // Trial in flight: a second caller fails fast
    let release: (v: string) => void = () => {};
    const trial = policy.run('read', () => new Promise<string>((r) => (release = r)));
    await flush();
    expect((await outcome(policy.run('read', async () => 'y'))).code).toBe('circuit_open');
    release('ok');
    expect(await trial).toBe('ok');
    expect(policy.breakerState).toBe('closed');
    expect(await policy.run('read', async () => 'z')).toBe('z');
  });

  it('rejections and successes reset the count: only consecutive transport failures open it', async () => {
    const { policy } = setup({ breakerThreshold: 3, maxReadAttempts: 1 });
    await outcome(policy.run('read', async () => Promise.reject(httpError(500))));
    await outcome(policy.run('read', async () => Promise.reject(httpError(500))));
    await outcome(policy.run('read', async () => Promise.reject(httpError(422))));
    await outcome(policy.run('read', async () => Promise.reject(httpError(500))));
    await outcome(policy.run('read', async () => Promise.reject(httpError(500))));
    expect(policy.breakerState).toBe('closed');
  });

  it('stops retrying a read as soon as the circuit opens', async () => {
    const { policy } = setup({ breakerThreshold: 2, maxReadAttempts: 5 });
    const call = scripted([httpError(500), httpError(500), httpError(500)], 'x');
    const error = await outcome(policy.run('read', call.fn));
    expect(call.calls()).toBe(2);
    expect(error.code).toBe('circuit_open');
  });
});
