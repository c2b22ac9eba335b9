// Owns the job catalogue: queue names, payload schemas (ids only: Postgres holds the state) and deterministic job ids.
import { z } from 'zod';

export const QUEUE_NAMES = ['scan', 'scan-underlying', 'execute', 'monitor', 'exit', 'reconcile', 'account'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

const uuid = z.string().uuid();

/** Payloads by job name. The `scan` queue carries `scan` (from a scheduler or by hand) and `rank` (a scan's flow parent). */
export const jobSchemas = {
  /** One scan of one rule set; the slot is the scheduler's run time (or a manual id): one scan run per slot. */
  scan: z.object({ ruleSet: z.string().min(1), slot: z.string().min(1).optional() }).strict(),
  /** Gathers a scan's underlyings, ranks, validates and hands the top trades to the executor. */
  rank: z.object({ scanRunId: uuid, ruleSet: z.string().min(1), rulesHash: z.string().min(1) }).strict(),
  /**
   * One underlying of a scan (a child of the scan's flow). Carries the underlying's market metrics from the scan's one
   * batched call: immutable market data, so the child needs no second request.
   */
  'scan-underlying': z
    .object({
      ruleSet: z.string().min(1),
      rulesHash: z.string().min(1),
      underlying: z.string().min(1),
      scanRunId: uuid,
      metrics: z.unknown().nullable(),
    })
    .strict(),
  /** Open or close one trade through the atomic executor. */
  execute: z.object({ tradeId: uuid, groupId: uuid }).strict(),
  /**
   * The `monitor` queue: one order event from the account streamer (or a poll), applied to Postgres. Carries the
   * broker's snapshot of the order: immutable broker data, so applying it needs no second request.
   */
  'sync-order': z
    .object({
      source: z.enum(['stream', 'poll']),
      order: z
        .object({ brokerOrderId: z.number().int(), status: z.string(), legs: z.array(z.unknown()) })
        .passthrough(),
    })
    .strict(),
  /** The `monitor` queue: one polling round over our working orders (the stream's fallback). */
  'poll-orders': z.object({}).strict(),
  /** Evaluate exit rules for every open trade. */
  exit: z.object({}).strict(),
  /** Settle every non-terminal order with the broker's truth. */
  reconcile: z.object({ reason: z.string().default('periodic') }).strict(),
  /**
   * The `account` queue: read balances and positions into the portfolio and record the snapshots due. Why it runs:
   * at start, periodically, or after an account-streamer balance or position event.
   */
  'portfolio-sync': z.object({ reason: z.enum(['startup', 'periodic', 'balance', 'position', 'manual']) }).strict(),
} as const;

export type JobName = keyof typeof jobSchemas;
export type JobPayload<N extends JobName> = z.infer<(typeof jobSchemas)[N]>;

/** BullMQ job ids may not contain ':' nor be all digits; ours are `<kind>-<parts joined by _>`. */
export function jobId(kind: string, ...parts: string[]): string {
  const id = [kind, ...parts].join('_').replace(/[^A-Za-z0-9_.-]/g, '-');
  return /^\d+$/.test(id) ? `j${id}` : id;
}

export class JobPayloadError extends Error {
  constructor(name: JobName, problems: string[]) {
    super(`invalid ${name} job payload: ${problems.join('; ')}`);
    this.name = 'JobPayloadError';
  }
}

/** Validates a job's data at the worker boundary. */
export function parsePayload<N extends JobName>(name: N, data: unknown): JobPayload<N> {
  const result = jobSchemas[name].safeParse(data);
  if (!result.success)
    throw new JobPayloadError(
      name,
      result.error.issues.map((i) => `${i.path.join('.') || 'data'}: ${i.message}`),
    );
  return result.data as JobPayload<N>;
}
