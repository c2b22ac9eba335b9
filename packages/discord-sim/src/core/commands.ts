// Owns the application's commands, global and per guild (Discord docs: interactions/application-commands): bulk
// overwrite (existing names keep their ids), create-or-update, edit, delete; definitions checked for name rules,
// description lengths, at most 25 options with unique names, required options first, at most 25 choices.
import type { Json } from '../types.js';
import type { SnowflakeSource } from '../ids.js';
import { type FieldProblem, invalidFormBody, errors } from './errors.js';

export const OPTION = {
  SUB_COMMAND: 1,
  SUB_COMMAND_GROUP: 2,
  STRING: 3,
  INTEGER: 4,
  BOOLEAN: 5,
  USER: 6,
  CHANNEL: 7,
  ROLE: 8,
  MENTIONABLE: 9,
  NUMBER: 10,
  ATTACHMENT: 11,
} as const;

export interface CommandOption {
  type: number;
  name: string;
  description: string;
  required?: boolean;
  choices?: { name: string; value: string | number }[];
  options?: CommandOption[];
  channel_types?: number[];
  min_value?: number;
  max_value?: number;
  min_length?: number;
  max_length?: number;
  autocomplete?: boolean;
}

export interface StoredCommand {
  id: string;
  application_id: string;
  guild_id?: string;
  version: string;
  type: number;
  name: string;
  description: string;
  options?: CommandOption[];
  default_member_permissions: string | null;
  nsfw: boolean;
  contexts: number[] | null;
  integration_types: number[];
  name_localizations: null;
  description_localizations: null;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
// `^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$`, lowercase where a lowercase variant exists
const NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

function checkName(name: unknown, path: (string | number)[], problems: FieldProblem[]): void {
  if (typeof name !== 'string' || !NAME.test(name) || name !== name.toLowerCase())
    problems.push({
      path: [...path, 'name'],
      code: 'APPLICATION_COMMAND_INVALID_NAME',
      message: 'Command name is invalid',
    });
}

function checkDescription(d: unknown, path: (string | number)[], problems: FieldProblem[]): void {
  if (typeof d !== 'string' || d.length < 1 || d.length > 100)
    problems.push({
      path: [...path, 'description'],
      code: 'BASE_TYPE_BAD_LENGTH',
      message: 'Must be between 1 and 100 in length.',
    });
}

function checkOptions(options: unknown, path: (string | number)[], problems: FieldProblem[], depth: number): void {
  if (options === undefined || options === null) return;
  if (!Array.isArray(options) || options.length > 25) {
    problems.push({
      path: [...path, 'options'],
      code: 'BASE_TYPE_MAX_LENGTH',
      message: 'Must be 25 or fewer in length.',
    });
    return;
  }
  const names = new Set<string>();
  let optionalSeen = false;
  options.forEach((o, i) => {
    const p = [...path, 'options', i];
    if (!isObject(o) || typeof o['type'] !== 'number' || o['type'] < 1 || o['type'] > 11) {
      problems.push({
        path: [...p, 'type'],
        code: 'BASE_TYPE_CHOICES',
        message: 'Value must be one of (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11).',
      });
      return;
    }
    checkName(o['name'], p, problems);
    checkDescription(o['description'], p, problems);
    if (typeof o['name'] === 'string') {
      if (names.has(o['name']))
        problems.push({
          path: [...p, 'name'],
          code: 'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS',
          message: 'Option name already exists',
        });
      names.add(o['name']);
    }
    const nested = o['type'] === OPTION.SUB_COMMAND || o['type'] === OPTION.SUB_COMMAND_GROUP;
    if (nested) {
      if (depth >= 2)
        problems.push({
          path: [...p, 'type'],
          code: 'APPLICATION_COMMAND_OPTION_TYPE_INVALID',
          message: 'Subcommands nest one level deep at most',
        });
      checkOptions(o['options'], p, problems, depth + 1);
    } else if (o['required'] === true) {
      if (optionalSeen)
        problems.push({
          path: [...p, 'required'],
          code: 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
          message: 'Required options must be placed before non-required options',
        });
    } else optionalSeen = true;
    const choices = o['choices'];
    if (choices !== undefined && (!Array.isArray(choices) || choices.length > 25))
      problems.push({
        path: [...p, 'choices'],
        code: 'BASE_TYPE_MAX_LENGTH',
        message: 'Must be 25 or fewer in length.',
      });
  });
}

/** Checks one definition (path prefix: its index in a bulk overwrite). */
export function checkCommandDefinition(def: unknown, path: (string | number)[] = []): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!isObject(def))
    return [{ path, code: 'DICT_TYPE_CONVERT', message: 'Only dictionaries may be used in a DictType' }];
  const type = def['type'] ?? 1;
  checkName(def['name'], path, problems);
  if (type === 1) {
    checkDescription(def['description'], path, problems);
    checkOptions(def['options'], path, problems, 0);
  }
  return problems;
}

export class CommandRegistry {
  private readonly commands: StoredCommand[] = [];

  constructor(
    private readonly applicationId: string,
    private readonly ids: SnowflakeSource,
  ) {}

  list(guildId: string | null): StoredCommand[] {
    return this.commands.filter((c) => (c.guild_id ?? null) === guildId);
  }

  get(guildId: string | null, id: string): StoredCommand {
    const c = this.list(guildId).find((x) => x.id === id);
    if (!c) throw errors.unknownCommand();
    return c;
  }

  /** The CHAT_INPUT command a user in this guild (or a DM, null) can run by name: a guild command first. */
  find(name: string, guildId: string | null): StoredCommand | undefined {
    const scoped = guildId ? this.list(guildId).find((c) => c.type === 1 && c.name === name) : undefined;
    return scoped ?? this.list(null).find((c) => c.type === 1 && c.name === name);
  }

  overwrite(guildId: string | null, defs: unknown): StoredCommand[] {
    if (!Array.isArray(defs)) throw invalidFormBody([{ path: [], code: 'BASE_TYPE_LIST', message: 'Must be a list.' }]);
    const problems = defs.flatMap((d, i) => checkCommandDefinition(d, [i]));
    if (problems.length > 0) throw invalidFormBody(problems);
    const previous = this.list(guildId);
    const next = defs.map((d) => {
      const def = d as Json;
      const same = previous.find((c) => c.name === def['name'] && c.type === (def['type'] ?? 1));
      return this.build(guildId, def, same?.id);
    });
    this.replaceScope(guildId, next);
    return next;
  }

  /** POST: creates, or replaces the command of the same name and type (then `created` is false). */
  upsert(guildId: string | null, def: unknown): { command: StoredCommand; created: boolean } {
    const problems = checkCommandDefinition(def);
    if (problems.length > 0) throw invalidFormBody(problems);
    const d = def as Json;
    const scope = this.list(guildId);
    const same = scope.find((c) => c.name === d['name'] && c.type === (d['type'] ?? 1));
    const command = this.build(guildId, d, same?.id);
    this.replaceScope(guildId, same ? scope.map((c) => (c === same ? command : c)) : [...scope, command]);
    return { command, created: !same };
  }

  edit(guildId: string | null, id: string, patch: unknown): StoredCommand {
    const current = this.get(guildId, id);
    const merged = { ...current, ...(isObject(patch) ? patch : {}) };
    const problems = checkCommandDefinition(merged);
    if (problems.length > 0) throw invalidFormBody(problems);
    const command = this.build(guildId, merged, id);
    this.replaceScope(
      guildId,
      this.list(guildId).map((c) => (c.id === id ? command : c)),
    );
    return command;
  }

  delete(guildId: string | null, id: string): void {
    this.get(guildId, id);
    this.replaceScope(
      guildId,
      this.list(guildId).filter((c) => c.id !== id),
    );
  }

  private replaceScope(guildId: string | null, next: StoredCommand[]): void {
    const others = this.commands.filter((c) => (c.guild_id ?? null) !== guildId);
    this.commands.splice(0, this.commands.length, ...others, ...next);
  }

  private build(guildId: string | null, def: Json, id?: string): StoredCommand {
    const type = typeof def['type'] === 'number' ? def['type'] : 1;
    const perms = def['default_member_permissions'];
    return {
      id: id ?? this.ids.next(),
      application_id: this.applicationId,
      ...(guildId ? { guild_id: guildId } : {}),
      version: this.ids.next(),
      type,
      name: String(def['name']),
      description: type === 1 ? String(def['description']) : '',
      ...(Array.isArray(def['options']) ? { options: def['options'] as CommandOption[] } : {}),
      default_member_permissions: typeof perms === 'string' ? perms : null,
      nsfw: def['nsfw'] === true,
      contexts: Array.isArray(def['contexts']) ? (def['contexts'] as number[]) : null,
      integration_types: Array.isArray(def['integration_types']) ? (def['integration_types'] as number[]) : [0],
      name_localizations: null,
      description_localizations: null,
    };
  }
}
