// Owns `legwork approve <id> [--reason TEXT]` and `legwork reject <id> [--reason TEXT]`: a human's decision on a trade
// proposed by a rule set with `execution.approval: manual`, through the pipeline's decideApproval (one decision per
// trade, audited with `cli:<user>`). Approve needs Postgres and Redis (the entry goes to the executor's queue); reject
// needs Postgres only. The id may be shortened to the first characters `legwork trades` shows.
import { isIdShaped } from '../domain/ids.js';
import type { AppContext } from '../app/context.js';
import type { ApprovalContext, ApprovalRequest } from '../pipeline/approval.js';
import { readArgs } from '../util/cli-args.js';
import { operator } from './halt.js';

export const APPROVE_USAGE = `usage: legwork approve <trade-id> [--reason TEXT]
       legwork reject <trade-id> [--reason TEXT]

  approve    a trade proposed for approval (status awaiting_approval, rule set with execution.approval: manual): it
             becomes pending and the executor (legwork start / worker execute) plans it on fresh quotes and gates it
             like any entry; it is still refused if its credit fell below the rule's floor meanwhile
  reject     end the proposal: the trade is rejected, naming who and why
  --reason   why, recorded with the decision (audited)

  <trade-id> is the trade's uuid, or its first characters (at least 4) as \`legwork trades\` shows them.
  Exit codes: 0 decided, 1 nothing decided (no such trade, already decided, expired), 2 usage or configuration.`;

export interface ApproveArgs {
  id: string;
  reason: string | undefined;
}

const PREFIX = /^[0-9a-f]{4,}(-[0-9a-f-]*)?$/i;

export function parseApproveArgs(argv: string[]): ApproveArgs | string {
  const parsed = readArgs(argv, { reason: { type: 'string' } }, { positionals: true });
  if (typeof parsed === 'string') return parsed;
  const [id, ...extra] = parsed.positionals;
  if (!id) return 'the trade id is missing';
  if (extra.length > 0) return `unexpected argument ${JSON.stringify(extra[0])}`;
  if (!isIdShaped(id) && !PREFIX.test(id))
    return `${JSON.stringify(id)} is not a trade id (a uuid or its first characters)`;
  const reason = parsed.values.reason;
  if (reason !== undefined && reason.trim() === '') return '--reason needs TEXT';
  return { id: id.toLowerCase(), reason: reason?.trim() };
}

/** The full id of `id`: itself when it is a uuid, else the one trade awaiting approval whose id starts with it. */
async function resolveId(ctx: ApprovalContext, id: string): Promise<string | { problem: string }> {
  if (isIdShaped(id)) return id;
  const matches = (await ctx.store.trades.list({ statuses: ['awaiting_approval'], limit: 10_000 })).filter((t) =>
    t.id.startsWith(id),
  );
  if (matches.length === 1) return matches[0]!.id;
  return {
    problem:
      matches.length === 0
        ? `no trade awaiting approval starts with ${id} (see legwork trades)`
        : `${id} is ambiguous: ${matches.map((t) => t.id).join(', ')}`,
  };
}

/** A request to the queue that does not answer in time fails (the decision is already recorded; repair queues it). */
const bounded = <T>(work: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
};

/** The approval context from the environment: Postgres, the one clock, and Redis only to approve. */
async function openApprovals(
  decision: ApprovalRequest['decision'],
): Promise<{ ctx: ApprovalContext; close(): Promise<void> } | string> {
  const { ConfigError, loadConfig } = await import('../config/env.js');
  try {
    const config = loadConfig();
    const { createLogger } = await import('../log.js');
    const log = createLogger({ level: config.logLevel === 'info' ? 'warn' : config.logLevel });
    const [{ createClock }, { bindStoreClock }, { createDb }, { migrate }, { createPostgresStore }] = await Promise.all(
      [
        import('../app/context.js'),
        import('../store/store-clock.js'),
        import('../store/db.js'),
        import('../store/migrate.js'),
        import('../store/postgres-store.js'),
      ],
    );
    // Deadlines and the decision's timestamps are broker time (the venue's clock in paper mode)
    const clock = await createClock(config, log);
    bindStoreClock(clock.now);
    const sql = createDb(config.databaseUrl);
    await migrate(sql);
    const closers: (() => Promise<unknown>)[] = [() => sql.end({ timeout: 5 }), async () => clock.close()];
    let jobs: ApprovalContext['jobs'] = {
      enqueueExecute: async () => {
        throw new Error('a rejection queues nothing');
      },
    };
    if (decision === 'approve') {
      const [{ createQueues }, { bullExecJobs }] = await Promise.all([
        import('../queue/queues.js'),
        import('../queue/exec-jobs.js'),
      ]);
      const queues = createQueues({ redisUrl: config.redisUrl, prefix: config.queuePrefix });
      closers.unshift(() => queues.close());
      const bull = bullExecJobs(queues);
      jobs = { enqueueExecute: (...a) => bounded(bull.enqueueExecute(...a), 10_000, 'Redis') };
    }
    return {
      ctx: { store: createPostgresStore(sql), jobs, log, now: clock.now },
      close: async () => {
        for (const c of closers) await c().catch(() => {});
      },
    };
  } catch (error) {
    return error instanceof ConfigError
      ? error.message
      : `cannot open Legwork (Postgres${decision === 'approve' ? ', Redis' : ''}): ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** `deps.app` lets tests pass an open context; otherwise one is built from the environment. */
export async function runApprove(
  argv: string[],
  decision: ApprovalRequest['decision'],
  deps: { app?: AppContext; out?: (s: string) => void; by?: string } = {},
): Promise<number> {
  const command = decision === 'approve' ? 'approve' : 'reject';
  const out = deps.out ?? ((s: string) => process.stdout.write(`${s}\n`));
  if (argv.includes('--help') || argv.includes('-h')) {
    out(APPROVE_USAGE);
    return 0;
  }
  const args = parseApproveArgs(argv);
  if (typeof args === 'string') {
    process.stderr.write(`legwork ${command}: ${args}\n\n${APPROVE_USAGE}\n`);
    return 2;
  }
  let opened: { ctx: ApprovalContext; close(): Promise<void> } | string;
  if (deps.app) {
    const { createExecContext } = await import('../app/exec-context.js');
    opened = { ctx: createExecContext(deps.app), close: async () => {} };
  } else opened = await openApprovals(decision);
  if (typeof opened === 'string') {
    process.stderr.write(`legwork ${command}: ${opened}\n`);
    return 2;
  }
  try {
    const { decideApproval } = await import('../pipeline/approval.js');
    const id = await resolveId(opened.ctx, args.id);
    if (typeof id !== 'string') {
      process.stderr.write(`legwork ${command}: ${id.problem}\n`);
      return 1;
    }
    const by = deps.by ?? operator();
    const result = await decideApproval(opened.ctx, id, {
      decision,
      by,
      ...(args.reason ? { reason: args.reason } : {}),
    });
    if (!result.ok) {
      process.stderr.write(`legwork ${command}: ${result.message}\n`);
      return 1;
    }
    const t = result.trade;
    const what = `trade ${t.id} (${t.strategy} ${t.underlying} ${t.expiration}, ${t.quantity} ×)`;
    if (decision === 'approve') {
      out(`${what} approved by ${by}${args.reason ? `: ${args.reason}` : ''}`);
      out(
        result.queued
          ? 'pending: queued for the executor, which plans it on fresh quotes (refused if its credit fell below the floor)'
          : 'pending, but not queued (Redis did not answer): the exit cycle queues it within a minute',
      );
    } else out(`${what} rejected by ${by}${args.reason ? `: ${args.reason}` : ''}`);
    return 0;
  } catch (error) {
    process.stderr.write(`legwork ${command}: failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await opened.close();
  }
}
