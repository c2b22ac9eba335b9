// Owns the chat commands as data and their parsing: one table (name, what it does, its options, whether it changes
// anything) that slash-command registration, `help` and the parser all read, and `parseCommand` for a `!` message's text
// or a slash command's options, giving a typed command or a usage error that names the command. Pure.
import { didYouMean } from '../util/did-you-mean.js';

export type CommandName =
  | 'help'
  | 'status'
  | 'trades'
  | 'trade'
  | 'positions'
  | 'risk'
  | 'candidates'
  | 'rules'
  | 'halt'
  | 'resume'
  | 'approve'
  | 'reject';

export type ChatCommand =
  | { name: 'help' }
  | { name: 'status' }
  | { name: 'trades' }
  | { name: 'trade'; id: string }
  | { name: 'positions' }
  | { name: 'risk' }
  | { name: 'candidates' }
  | { name: 'rules' }
  | { name: 'halt'; flatten: boolean; reason?: string }
  | { name: 'resume'; force: boolean; reason?: string }
  | { name: 'approve'; id: string; reason?: string }
  | { name: 'reject'; id: string; reason?: string };

/** One option of a command: a flag (`flatten`), a trade id, or free text (the reason, the rest of the line). */
export interface OptionSpec {
  name: string;
  kind: 'flag' | 'id' | 'text';
  description: string;
  required: boolean;
}

export interface CommandSpec {
  name: CommandName;
  description: string;
  /** True when it changes anything (only traders may run it). */
  changes: boolean;
  options: readonly OptionSpec[];
}

const REASON: OptionSpec = {
  name: 'reason',
  kind: 'text',
  description: 'why (recorded in the audit)',
  required: false,
};
const TRADE_ID: OptionSpec = {
  name: 'id',
  kind: 'id',
  description: 'the trade id (or its first 8 characters)',
  required: true,
};

/** Every command, in the order `help` lists them. Descriptions fit Discord's 100 characters. */
export const COMMANDS: readonly CommandSpec[] = [
  { name: 'status', description: 'Trading state, failsafes, open trades and P&L today', changes: false, options: [] },
  { name: 'trades', description: 'Recent trades with status and P&L', changes: false, options: [] },
  { name: 'trade', description: 'One trade: legs, P&L, groups, positions', changes: false, options: [TRADE_ID] },
  { name: 'positions', description: 'What the broker holds and which trade owns it', changes: false, options: [] },
  { name: 'risk', description: 'Account risk: net liq, greeks, VaR, limits, failsafes', changes: false, options: [] },
  { name: 'candidates', description: 'The latest ranked candidates of each rule set', changes: false, options: [] },
  { name: 'rules', description: 'Active rule sets and refused rule-file edits', changes: false, options: [] },
  {
    name: 'halt',
    description: 'Stop new entries (exits go on); flatten also closes everything held',
    changes: true,
    options: [
      { name: 'flatten', kind: 'flag', description: 'also close every position Legwork holds', required: false },
      REASON,
    ],
  },
  {
    name: 'resume',
    description: 'Allow new entries again (refused while something is broken, unless force)',
    changes: true,
    options: [
      {
        name: 'force',
        kind: 'flag',
        description: 'resume although something is broken (needs a reason)',
        required: false,
      },
      REASON,
    ],
  },
  { name: 'approve', description: 'Approve a trade awaiting approval', changes: true, options: [TRADE_ID, REASON] },
  { name: 'reject', description: 'Reject a trade awaiting approval', changes: true, options: [TRADE_ID, REASON] },
  { name: 'help', description: 'The commands and who may use them', changes: false, options: [] },
];

export const COMMAND_NAMES: readonly CommandName[] = COMMANDS.map((c) => c.name);

/** How a usage line shows a command: `halt [flatten] [reason…]`, `trade <id>`. */
export function usageOf(spec: CommandSpec): string {
  const opt = (o: OptionSpec) => {
    const shown = o.kind === 'text' ? `${o.name}…` : o.name;
    return o.required ? `<${shown}>` : `[${shown}]`;
  };
  return [spec.name, ...spec.options.map(opt)].join(' ');
}

export const specOf = (name: CommandName): CommandSpec => COMMANDS.find((c) => c.name === name)!;

/** A command that could not be read: `message` says why and shows the usage; `command` is null for an unknown name. */
export interface CommandError {
  error: true;
  command: CommandName | null;
  /** What was typed as the command's name (for the audit). */
  typed: string;
  message: string;
}

export const isCommandError = (x: ChatCommand | CommandError): x is CommandError => 'error' in x;

/** The prefix of commands typed as plain messages. */
export const MESSAGE_PREFIX = '!';

/** The text after the `!` of a message that is a command, or null for ordinary conversation. */
export function commandText(content: string): string | null {
  const text = content.trim();
  if (!text.startsWith(MESSAGE_PREFIX)) return null;
  const body = text.slice(MESSAGE_PREFIX.length).trim();
  // A lone "!" or "!!!" is not a command
  return /^[a-z]/i.test(body) ? body : null;
}

/** Trade ids: a uuid, or at least its first 6 hex characters (resolved against the trades by the handler). */
const TRADE_ID_PATTERN = /^[0-9a-f]{6,8}(?:-[0-9a-f-]{0,28})?$/i;
const MAX_REASON = 500;

/** A slash command as Discord delivers it: its name and the options given (flags as booleans, text as strings). */
export interface SlashInput {
  command: string;
  options?: Record<string, string | number | boolean | undefined>;
}

function usageError(name: CommandName, problem: string): CommandError {
  return {
    error: true,
    command: name,
    typed: name,
    message: `${name}: ${problem}. Usage: ${usageOf(specOf(name))}`,
  };
}

function unknownCommand(typed: string): CommandError {
  const hint = didYouMean(typed, COMMAND_NAMES);
  return {
    error: true,
    command: null,
    typed,
    message: `unknown command "${typed}"${hint ? `${hint} ` : '. '}Commands: ${COMMAND_NAMES.join(', ')}`,
  };
}

/** The options of one command, from words (messages) or named values (slash), checked the same way. */
function build(
  name: CommandName,
  values: { flags: Set<string>; id?: string | undefined; reason?: string | undefined },
): ChatCommand | CommandError {
  const reason = values.reason?.trim() || undefined;
  if (reason !== undefined && reason.length > MAX_REASON)
    return usageError(name, `the reason is ${reason.length} characters; at most ${MAX_REASON}`);
  const withReason = reason === undefined ? {} : { reason };
  switch (name) {
    case 'trade':
    case 'approve':
    case 'reject': {
      if (values.id === undefined || values.id === '') return usageError(name, 'needs a trade id');
      if (!TRADE_ID_PATTERN.test(values.id))
        return usageError(name, `"${values.id}" is not a trade id (a uuid, or its first 8 characters)`);
      const id = values.id.toLowerCase();
      return name === 'trade' ? { name, id } : { name, id, ...withReason };
    }
    case 'halt':
      return { name, flatten: values.flags.has('flatten'), ...withReason };
    case 'resume':
      if (values.flags.has('force') && reason === undefined)
        return usageError(name, 'force needs a reason (it is audited with what it overrides)');
      return { name, force: values.flags.has('force'), ...withReason };
    default:
      return { name };
  }
}

/** Reads `halt flatten too volatile` (with or without the leading `!`): the words after the name fill the options in order. */
function parseText(text: string): ChatCommand | CommandError {
  const body = text.trim().replace(/^!\s*/, '');
  const [first = '', ...words] = body.split(/\s+/);
  const typed = first.toLowerCase();
  if (!(COMMAND_NAMES as readonly string[]).includes(typed)) return unknownCommand(first);
  const name = typed as CommandName;
  const spec = specOf(name);
  const flags = new Set<string>();
  let id: string | undefined;
  let rest = words;
  for (const option of spec.options) {
    if (option.kind === 'flag') {
      if (rest[0]?.toLowerCase() === option.name) {
        flags.add(option.name);
        rest = rest.slice(1);
      }
    } else if (option.kind === 'id') {
      id = rest[0];
      rest = rest.slice(1);
    }
  }
  const takesText = spec.options.some((o) => o.kind === 'text');
  if (!takesText && rest.length > 0) return usageError(name, `unexpected "${rest.join(' ')}"`);
  return build(name, { flags, id, reason: rest.join(' ') });
}

function parseSlash(input: SlashInput): ChatCommand | CommandError {
  const typed = input.command.trim().toLowerCase();
  if (!(COMMAND_NAMES as readonly string[]).includes(typed)) return unknownCommand(input.command);
  const name = typed as CommandName;
  const spec = specOf(name);
  const options = input.options ?? {};
  const unknown = Object.keys(options).filter(
    (k) => options[k] !== undefined && !spec.options.some((o) => o.name === k),
  );
  if (unknown.length > 0) return usageError(name, `unknown option ${unknown.join(', ')}`);
  const flags = new Set(spec.options.filter((o) => o.kind === 'flag' && options[o.name] === true).map((o) => o.name));
  const idOption = spec.options.find((o) => o.kind === 'id');
  const text = (v: unknown) => (v === undefined ? undefined : String(v).trim());
  return build(name, {
    flags,
    id: idOption ? text(options[idOption.name]) : undefined,
    reason: text(options['reason']),
  });
}

/** A `!` message's text (`halt flatten too volatile`) or a slash command: the typed command, or a usage error. */
export function parseCommand(input: string | SlashInput): ChatCommand | CommandError {
  return typeof input === 'string' ? parseText(input) : parseSlash(input);
}

/** A button's custom id: `approve:<trade id>` / `reject:<trade id>`. */
export function buttonId(decision: 'approve' | 'reject', tradeId: string): string {
  return `${decision}:${tradeId}`;
}

/** The command a button click stands for, or null for a button that is not ours. */
export function parseButton(customId: string): ChatCommand | null {
  const m = /^(approve|reject):([0-9a-f-]{36})$/i.exec(customId);
  if (!m) return null;
  return { name: m[1]!.toLowerCase() as 'approve' | 'reject', id: m[2]!.toLowerCase() };
}
