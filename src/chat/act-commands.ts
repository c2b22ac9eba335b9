// Owns the chat commands that change something: halt [flatten] [reason], resume [force] [reason], approve|reject <id>
// [reason], each through the same pipeline functions as the CLI and the HTTP API, on behalf of `discord:<user id>`.
// Each answer says what happened; `declined` marks an answer where Legwork said no (resume while broken, a decided
// approval) so the audit can tell it from success.
import type { ChatActor, ChatDeps } from './chat-deps.js';
import { COMMANDS, usageOf } from './commands.js';
import type { ChatReply } from './format.js';
import { shortId } from './format.js';
import { findTrade } from './read-commands.js';
import type { ChatRole } from './permissions.js';
import { mayRun } from './permissions.js';

/** A reply with whether Legwork carried the command out (`declined`: it refused; nothing changed). */
export type ActReply = ChatReply & { declined?: string };

export async function halt(
  deps: ChatDeps,
  actor: ChatActor,
  options: { flatten: boolean; reason?: string },
): Promise<ActReply> {
  const out = await deps.halt(actor.by, options);
  const lines = [
    `Trading **${out.state.state.toUpperCase()}** (was ${out.before.state}) by ${actor.by}${options.reason ? `: ${options.reason}` : ''}. New entries stop; exits go on.`,
  ];
  if (out.flattenError)
    lines.push(`Flatten could not start: ${out.flattenError}. The request stands; exit cycles keep trying.`);
  if (out.flatten) {
    lines.push(
      `Flatten: ${out.flatten.flattened.length} exit group${out.flatten.flattened.length === 1 ? '' : 's'} queued; the request stands until nothing is held.`,
    );
    for (const f of out.flatten.flattened.slice(0, 10))
      lines.push(`• trade ${shortId(f.tradeId)} → exit ${shortId(f.groupId)}`);
    for (const s of out.flatten.skipped.slice(0, 10)) lines.push(`• not yet ${shortId(s.tradeId)}: ${s.reason}`);
  }
  return { text: lines.join('\n') };
}

export async function resume(
  deps: ChatDeps,
  actor: ChatActor,
  options: { force: boolean; reason?: string },
): Promise<ActReply> {
  const out = await deps.resume(actor.by, options);
  if (!out.ok) {
    const ids = [
      ...out.blocking.trades.map((id) => `broken trade ${id}`),
      ...out.blocking.groups.map((id) => `broken group ${id}`),
    ];
    const hint = options.force ? '' : '\nTo resume anyway: `resume force <reason>` (audited with what it overrides).';
    return {
      text: `Resume ${out.message.replace(/--force/g, 'force').replace(/--reason/g, 'a reason')}${ids.length > 0 ? `\n${ids.map((i) => `• ${i}`).join('\n')}` : ''}${hint}`,
      declined: 'broken',
    };
  }
  const lines = [
    `Trading **${out.state.state.toUpperCase()}** (was ${out.before.state}) by ${actor.by}${options.reason ? `: ${options.reason}` : ''}.`,
  ];
  for (const t of out.failsafesReset) lines.push(`Failsafe reset: ${t.reason}`);
  if (out.overridden)
    lines.push(
      `Forced past ${out.overridden.trades.length} broken trade(s) and ${out.overridden.groups.length} broken group(s).`,
    );
  return { text: lines.join('\n') };
}

export async function decide(
  deps: ChatDeps,
  actor: ChatActor,
  decision: 'approve' | 'reject',
  id: string,
  reason: string | undefined,
): Promise<ActReply> {
  const found = await findTrade(deps, id);
  if ('message' in found) return { text: found.message, declined: 'not_found' };
  const tradeId = found.trade.id;
  const out = await deps.decideApproval(tradeId, { decision, by: actor.by, ...(reason ? { reason } : {}) });
  if (!out.ok)
    return { text: `Not ${decision === 'approve' ? 'approved' : 'rejected'}: ${out.message}.`, declined: out.code };
  const t = out.trade;
  const what = `${t.underlying} ${t.strategy} ${t.quantity}x (${shortId(t.id)})`;
  if (decision === 'reject') return { text: `Rejected ${what} by ${actor.by}${reason ? `: ${reason}` : ''}.` };
  return {
    text: `Approved ${what} by ${actor.by}${reason ? `: ${reason}` : ''}. ${out.queued ? 'Its entry is queued for the executor' : 'Its entry will be queued by the next repair pass (the queue did not answer)'}; it is priced on fresh quotes and gated like any entry.`,
  };
}

export function help(role: ChatRole): ChatReply {
  const lines = [`**Legwork commands** (slash commands, or \`!\` messages here; you are a ${role})`];
  for (const c of COMMANDS)
    lines.push(`\`${usageOf(c)}\` — ${c.description}${mayRun(role, c.name) ? '' : ' _(traders only)_'}`);
  return { text: lines.join('\n') };
}
