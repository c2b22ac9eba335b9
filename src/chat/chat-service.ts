// Owns what happens to one chat command, whatever carried it (a `!` message, a slash command, a button): admission
// (listed channel, allow-listed user: otherwise no answer at all and a `chat_refused` audit event), parsing, the role's
// permission, running the command (bounded in time), and one `chat_command` audit event with user, channel, command
// and outcome. Transport-free: the Discord adapter turns the answer into messages.
import type { AuditEvent } from '../domain/records.js';
import type { Logger } from '../log.js';
import { within } from '../util/within.js';
import { decide, halt, help, resume, type ActReply } from './act-commands.js';
import type { ChatActor, ChatDeps } from './chat-deps.js';
import { type ChatCommand, isCommandError, parseButton, parseCommand, type SlashInput } from './commands.js';
import type { ChatReply } from './format.js';
import { admit, type ChatAccess, mayRun } from './permissions.js';
import { candidates, positions, risk, rules, status, trade, trades } from './read-commands.js';

/** A command that has not answered by then is reported as failed (its work may still finish; the audit says so). */
export const COMMAND_DEADLINE_MS = 30_000;

export interface ChatInput {
  userId: string;
  channelId: string;
  via: 'message' | 'slash' | 'button';
  /** A message's text after `!`, a slash command with its options, or a button's custom id. */
  input: string | SlashInput;
}

/**
 * ok: done; invalid: not a command as written (usage shown); forbidden: the user's role may not run it; declined: run,
 * and Legwork said no (resume while broken, an approval already decided); error: it failed.
 */
export type ChatOutcome = 'ok' | 'invalid' | 'forbidden' | 'declined' | 'error';

export type ChatResult =
  | { answer: false; why: string }
  | { answer: true; reply: ChatReply; outcome: ChatOutcome; command: string };

export interface ChatService {
  handle(input: ChatInput): Promise<ChatResult>;
}

export interface ChatServiceOptions {
  access: ChatAccess;
  deps: ChatDeps;
  /** Appends an audit event (the Store's audit repo). */
  audit(event: AuditEvent): Promise<unknown>;
  log: Logger;
  deadlineMs?: number;
}

const describe = (input: ChatInput['input']): string =>
  (typeof input === 'string' ? input : `/${input.command} ${JSON.stringify(input.options ?? {})}`).slice(0, 300);

/** The command's options for the audit (the name apart). */
const argsOf = (c: ChatCommand): Record<string, unknown> => {
  const { name: _name, ...args } = c;
  return args;
};

async function run(deps: ChatDeps, actor: ChatActor, c: ChatCommand): Promise<ActReply> {
  switch (c.name) {
    case 'help':
      return help(actor.role);
    case 'status':
      return status(deps);
    case 'trades':
      return trades(deps);
    case 'trade':
      return trade(deps, c.id);
    case 'positions':
      return positions(deps);
    case 'risk':
      return risk(deps);
    case 'candidates':
      return candidates(deps);
    case 'rules':
      return rules(deps);
    case 'halt':
      return halt(deps, actor, { flatten: c.flatten, ...(c.reason ? { reason: c.reason } : {}) });
    case 'resume':
      return resume(deps, actor, { force: c.force, ...(c.reason ? { reason: c.reason } : {}) });
    case 'approve':
    case 'reject':
      return decide(deps, actor, c.name, c.id, c.reason);
  }
}

export function createChatService(options: ChatServiceOptions): ChatService {
  const { access, deps, log } = options;
  const deadlineMs = options.deadlineMs ?? COMMAND_DEADLINE_MS;
  const audit = async (event: AuditEvent) => {
    try {
      await options.audit(event);
    } catch (error) {
      log.error({ err: error, audit: event.kind, data: event.data }, 'chat: audit event could not be recorded');
    }
  };

  return {
    async handle(input) {
      const where = { userId: input.userId, channelId: input.channelId, via: input.via };
      const admission = admit(access, input);
      if (!admission.ok) {
        // No answer: whoever is not on the lists learns nothing, not even that the bot heard
        await audit({ kind: 'chat_refused', data: { ...where, why: admission.why, text: describe(input.input) } });
        log.warn({ ...where, why: admission.why }, `chat: ignored ${input.via} (${admission.message})`);
        return { answer: false, why: admission.message };
      }
      const actor: ChatActor = { userId: input.userId, role: admission.role, by: `discord:${input.userId}` };
      const parsed =
        input.via === 'button' && typeof input.input === 'string'
          ? (parseButton(input.input) ?? {
              error: true as const,
              command: null,
              typed: input.input,
              message: `unknown button ${input.input}`,
            })
          : parseCommand(input.input);
      const record = (command: string, outcome: ChatOutcome, extra: Record<string, unknown> = {}) =>
        audit({
          kind: 'chat_command',
          data: { ...where, by: actor.by, role: actor.role, command, outcome, ...extra },
        });

      if (isCommandError(parsed)) {
        await record(parsed.command ?? parsed.typed, 'invalid', { text: describe(input.input), error: parsed.message });
        return { answer: true, reply: { text: parsed.message }, outcome: 'invalid', command: parsed.typed };
      }
      if (!mayRun(actor.role, parsed.name)) {
        await record(parsed.name, 'forbidden', { args: argsOf(parsed) });
        return {
          answer: true,
          reply: { text: `Refused: a ${actor.role} may not ${parsed.name}; only traders may change anything.` },
          outcome: 'forbidden',
          command: parsed.name,
        };
      }
      const started = performance.now();
      let reply: ActReply;
      let outcome: ChatOutcome = 'ok';
      let error: string | undefined;
      try {
        reply = await within(run(deps, actor, parsed), deadlineMs, parsed.name);
        if (reply.declined) outcome = 'declined';
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
        log.error({ err: e, ...where, command: parsed.name }, `chat: ${parsed.name} failed`);
        outcome = 'error';
        reply = { text: `${parsed.name} failed: ${error}` };
      }
      await record(parsed.name, outcome, {
        args: argsOf(parsed),
        ms: Math.round(performance.now() - started),
        ...(reply.declined ? { declined: reply.declined } : {}),
        ...(error ? { error } : {}),
      });
      const { declined: _declined, ...answer } = reply;
      return { answer: true, reply: answer, outcome, command: parsed.name };
    },
  };
}
