// Owns turning what a test "types" for a slash command ({subcommand?, group?, options: {name: value}}) into the
// interaction's data.options and data.resolved as Discord's client would send them, refusing what the Discord UI would
// not let a user send: an unknown option, a missing required one, a value of the wrong type, outside its choices or
// bounds (Discord docs: interactions/receiving-and-responding#interaction-object-application-command-interaction-data-
// option-structure, #interaction-object-resolved-data-structure).
import type { Json } from '../types.js';
import { type CommandOption, OPTION, type StoredCommand } from './commands.js';

export interface CommandInput {
  group?: string;
  subcommand?: string;
  options?: Record<string, unknown>;
}

/** How option values that name things are resolved (USER, CHANNEL, ROLE, MENTIONABLE). */
export interface OptionLookups {
  user(id: string): { user: Json; member?: Json } | undefined;
  channel(id: string): (Json & { type: number }) | undefined;
  role(id: string): Json | undefined;
}

export interface ResolvedOptions {
  options: Json[];
  resolved?: Json;
  /** The invoked name with its group and subcommand ("trade open"), as interaction_metadata.name shows it. */
  fullName: string;
}

export class CommandInputError extends Error {}

const typeName: Record<number, string> = {
  3: 'a string',
  4: 'an integer',
  5: 'a boolean',
  6: 'a user id',
  7: 'a channel id',
  8: 'a role id',
  9: 'a user or role id',
  10: 'a number',
};

function addResolved(resolved: Record<string, Json>, kind: string, id: string, value: Json): void {
  const map = resolved[kind] ?? {};
  map[id] = value;
  resolved[kind] = map;
}

function checkValue(def: CommandOption, value: unknown, look: OptionLookups, resolved: Record<string, Json>): unknown {
  const fail = (why: string) => {
    throw new CommandInputError(`option "${def.name}": ${why}`);
  };
  switch (def.type) {
    case OPTION.STRING:
      if (typeof value !== 'string') fail(`expected ${typeName[def.type]}`);
      if (def.min_length !== undefined && (value as string).length < def.min_length)
        fail(`shorter than ${def.min_length}`);
      if (def.max_length !== undefined && (value as string).length > def.max_length)
        fail(`longer than ${def.max_length}`);
      break;
    case OPTION.INTEGER:
    case OPTION.NUMBER:
      if (
        typeof value !== 'number' ||
        !Number.isFinite(value) ||
        (def.type === OPTION.INTEGER && !Number.isInteger(value))
      )
        fail(`expected ${typeName[def.type]}`);
      if (def.min_value !== undefined && (value as number) < def.min_value) fail(`below the minimum ${def.min_value}`);
      if (def.max_value !== undefined && (value as number) > def.max_value) fail(`above the maximum ${def.max_value}`);
      break;
    case OPTION.BOOLEAN:
      if (typeof value !== 'boolean') fail(`expected ${typeName[def.type]}`);
      break;
    case OPTION.USER:
    case OPTION.MENTIONABLE: {
      const id = String(value);
      const u = look.user(id);
      const role = def.type === OPTION.MENTIONABLE ? look.role(id) : undefined;
      if (!u && !role) fail(`no such ${def.type === OPTION.USER ? 'user' : 'user or role'} ${id}`);
      if (u) {
        addResolved(resolved, 'users', id, u.user);
        if (u.member) addResolved(resolved, 'members', id, u.member);
      }
      if (role) addResolved(resolved, 'roles', id, role);
      return id;
    }
    case OPTION.CHANNEL: {
      const id = String(value);
      const c = look.channel(id);
      if (!c) fail(`no such channel ${id}`);
      if (def.channel_types && !def.channel_types.includes(c!.type)) fail(`channel type ${c!.type} is not allowed`);
      addResolved(resolved, 'channels', id, c!);
      return id;
    }
    case OPTION.ROLE: {
      const id = String(value);
      const role = look.role(id);
      if (!role) fail(`no such role ${id}`);
      addResolved(resolved, 'roles', id, role!);
      return id;
    }
    default:
      fail(`option type ${def.type} cannot be sent by this server`);
  }
  if (def.choices && !def.choices.some((c) => c.value === value))
    fail(
      `${JSON.stringify(value)} is not one of the choices ${def.choices.map((c) => JSON.stringify(c.value)).join(', ')}`,
    );
  return value;
}

function leafOptions(
  defs: CommandOption[],
  given: Record<string, unknown>,
  look: OptionLookups,
  resolved: Record<string, Json>,
): Json[] {
  for (const name of Object.keys(given)) {
    if (!defs.some((d) => d.name === name)) throw new CommandInputError(`unknown option "${name}"`);
  }
  const out: Json[] = [];
  for (const def of defs) {
    const value = given[def.name];
    if (value === undefined || value === null) {
      if (def.required) throw new CommandInputError(`option "${def.name}" is required`);
      continue;
    }
    out.push({ name: def.name, type: def.type, value: checkValue(def, value, look, resolved) });
  }
  return out;
}

function pick(defs: CommandOption[], type: number, name: string | undefined, what: string): CommandOption {
  const choices = defs.filter((d) => d.type === type);
  const found = choices.find((d) => d.name === name);
  if (!found)
    throw new CommandInputError(
      name === undefined
        ? `this command needs a ${what} (${choices.map((d) => d.name).join(', ')})`
        : `unknown ${what} "${name}"`,
    );
  return found;
}

export function resolveCommandOptions(
  command: StoredCommand,
  input: CommandInput,
  look: OptionLookups,
): ResolvedOptions {
  const resolved: Record<string, Json> = {};
  const given = input.options ?? {};
  const defs = command.options ?? [];
  let options: Json[];
  let fullName = command.name;
  if (defs.some((d) => d.type === OPTION.SUB_COMMAND_GROUP)) {
    const group = pick(defs, OPTION.SUB_COMMAND_GROUP, input.group, 'subcommand group');
    const sub = pick(group.options ?? [], OPTION.SUB_COMMAND, input.subcommand, 'subcommand');
    const leaves = leafOptions(sub.options ?? [], given, look, resolved);
    options = [
      {
        name: group.name,
        type: OPTION.SUB_COMMAND_GROUP,
        options: [{ name: sub.name, type: OPTION.SUB_COMMAND, options: leaves }],
      },
    ];
    fullName = `${command.name} ${group.name} ${sub.name}`;
  } else if (defs.some((d) => d.type === OPTION.SUB_COMMAND)) {
    if (input.group !== undefined) throw new CommandInputError('this command has no subcommand groups');
    const sub = pick(defs, OPTION.SUB_COMMAND, input.subcommand, 'subcommand');
    options = [
      { name: sub.name, type: OPTION.SUB_COMMAND, options: leafOptions(sub.options ?? [], given, look, resolved) },
    ];
    fullName = `${command.name} ${sub.name}`;
  } else {
    if (input.group !== undefined || input.subcommand !== undefined)
      throw new CommandInputError('this command has no subcommands');
    options = leafOptions(defs, given, look, resolved);
  }
  return { options, fullName, ...(Object.keys(resolved).length > 0 ? { resolved } : {}) };
}
