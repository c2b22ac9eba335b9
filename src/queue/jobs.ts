// Owns the job catalogue: queue names, payload schemas (ids only: Postgres holds the state) and deterministic job ids.
import { z } from 'zod';

export const QUEUE_NAMES = ['scan', 'scan-underlying', 'execute', 'monitor', 'exit', 'reconcile'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

const uuid = z.string().uuid();

export const jobSchemas = {
  /** One scan of one rule set for one schedule slot. */
  scan: z.object({ ruleSet: z.string().min(1), slot: z.string().min(1) }).strict(),
  /** One underlying of a scan (a child of the scan's flow). */
  'scan-underlying': z.object({ ruleSet: z.string().min(1), rulesHash: z.string().min(1), underlying: z.string().min(1), scanRunId: uuid }).strict(),
  /** Open or close one trade through the atomic executor. */
  execute: z.object({ tradeId: uuid, groupId: uuid }).strict(),
  /** Re-check one order group's working orders at the broker (polling fallback). */
  monitor: z.object({ groupId: uuid }).strict(),
  /** Evaluate exit rules for every open trade. */
  exit: z.object({}).strict(),
  /** Settle every non-terminal order with the broker's truth. */
  reconcile: z.object({ reason: z.string().default('periodic') }).strict(),
} as const satisfies Record<QueueName, z.ZodType>;

export type JobPayload<Q extends QueueName> = z.infer<(typeof jobSchemas)[Q]>;

/** BullMQ job ids may not contain ':' nor be all digits; ours are `<kind>-<parts joined by _>`. */
export function jobId(kind: string, ...parts: string[]): string {
  const id = [kind, ...parts].join('_').replace(/[^A-Za-z0-9_.-]/g, '-');
  return /^\d+$/.test(id) ? `j${id}` : id;
}

export class JobPayloadError extends Error {
  constructor(queue: QueueName, problems: string[]) {
    super(`invalid ${queue} job payload: ${problems.join('; ')}`);
    this.name = 'JobPayloadError';
  }
}

/** Validates a job's data at the worker boundary. */
export function parsePayload<Q extends QueueName>(queue: Q, data: unknown): JobPayload<Q> {
  const result = jobSchemas[queue].safeParse(data);
  if (!result.success) throw new JobPayloadError(queue, result.error.issues.map((i) => `${i.path.join('.') || 'data'}: ${i.message}`));
  return result.data as JobPayload<Q>;
}
