// Owns interactions as a user starts them: a slash command run in a channel, a button clicked or a select used on a
// message, each becoming INTERACTION_CREATE with the interaction object Discord sends (Discord docs:
// interactions/receiving-and-responding#interaction-object); and the record of each one, which its responses update.
import { randomToken } from '../ids.js';
import type { Json, SimChannel, SimUser } from '../types.js';
import { channelObject, roleObjects } from '../wire/guild.js';
import { messageObject } from '../wire/messages.js';
import { memberObject, memberPermissions, userObject } from '../wire/users.js';
import { wirePermissions } from '../wire/permissions.js';
import type { CommandRegistry } from './commands.js';
import { CommandInputError, type CommandInput, resolveCommandOptions } from './command-options.js';
import { findComponent } from './components.js';
import type { CoreContext } from './context.js';

export interface SimInteraction {
  id: string;
  token: string;
  /** 2 APPLICATION_COMMAND, 3 MESSAGE_COMPONENT. */
  type: 2 | 3;
  channelId: string;
  guildId: string | null;
  userId: string;
  createdAt: number;
  /** Commands: the invoked name with group and subcommand. */
  commandName?: string;
  /** Components: what was used, on which message. */
  customId?: string;
  componentType?: number;
  values?: string[];
  messageId?: string;
  /** The initial response (callback type and when); null until there is one. */
  ack: { type: number; at: number } | null;
  /** What `@original` names: the response message (types 4, 5) or the component's message (6, 7). */
  originalMessageId: string | null;
  /** A deferred response (type 5) still "thinking". */
  loading: boolean;
  followupIds: string[];
  modal?: Json;
  payload: Json;
}

/** A control request a user could not make (400 from /__discord/*). */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class InteractionStore {
  private readonly byId = new Map<string, SimInteraction>();

  add(i: SimInteraction): SimInteraction {
    this.byId.set(i.id, i);
    return i;
  }

  get(id: string): SimInteraction | undefined {
    return this.byId.get(id);
  }

  byToken(token: string): SimInteraction | undefined {
    for (const i of this.byId.values()) if (i.token === token) return i;
    return undefined;
  }

  all(): SimInteraction[] {
    return [...this.byId.values()];
  }

  clear(): void {
    this.byId.clear();
  }
}

const ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024;

function basePayload(
  ctx: CoreContext,
  id: string,
  token: string,
  type: 2 | 3,
  channel: SimChannel,
  user: SimUser,
): Json {
  const { world } = ctx;
  const inGuild = channel.guildId !== null;
  return {
    id,
    application_id: world.applicationId,
    type,
    token,
    version: 1,
    ...(inGuild
      ? {
          guild_id: channel.guildId,
          guild: { id: channel.guildId, locale: 'en-US', features: [] },
          member: memberObject(world, user.id, { withUser: true, withPermissions: true }),
          guild_locale: 'en-US',
        }
      : { user: userObject(user) }),
    channel_id: channel.id,
    channel: channelObject(world, channel),
    app_permissions: wirePermissions(memberPermissions(world, world.bot.id)),
    locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': channel.guildId ?? '0' },
    context: inGuild ? 0 : 1,
    attachment_size_limit: ATTACHMENT_SIZE_LIMIT,
  };
}

function newRecord(ctx: CoreContext, type: 2 | 3, channel: SimChannel, userId: string): SimInteraction {
  return {
    id: ctx.ids.next(),
    token: `aW50ZXJhY3Rpb24${randomToken(48)}`,
    type,
    channelId: channel.id,
    guildId: channel.guildId,
    userId,
    createdAt: ctx.now(),
    ack: null,
    originalMessageId: null,
    loading: false,
    followupIds: [],
    payload: {},
  };
}

export interface CommandRequest extends CommandInput {
  channelId: string;
  userId: string;
  username?: string;
  command: string;
}

export function startCommand(
  ctx: CoreContext,
  commands: CommandRegistry,
  store: InteractionStore,
  req: CommandRequest,
): SimInteraction {
  const { world } = ctx;
  const channel = world.channel(req.channelId);
  if (!channel) throw new ControlError(404, `no channel ${req.channelId}`);
  const user = world.ensureUser(req.userId, req.username);
  const command = commands.find(req.command, channel.guildId);
  if (!command)
    throw new ControlError(
      404,
      `no slash command "${req.command}" is registered (PUT /applications/:id/commands first)`,
    );
  let resolvedOptions: ReturnType<typeof resolveCommandOptions>;
  try {
    resolvedOptions = resolveCommandOptions(command, req, {
      user: (id) => {
        const u = world.user(id);
        if (!u) return undefined;
        const {
          user: _u,
          deaf: _d,
          mute: _m,
          ...member
        } = memberObject(world, id, { withUser: false, withPermissions: true });
        return { user: userObject(u), ...(channel.guildId ? { member } : {}) };
      },
      channel: (id) => {
        const c = world.channel(id);
        return c ? (channelObject(world, c) as Json & { type: number }) : undefined;
      },
      role: (id) => roleObjects(world).find((r) => r['id'] === id),
    });
  } catch (error) {
    if (error instanceof CommandInputError) throw new ControlError(400, `/${req.command}: ${error.message}`);
    throw error;
  }
  const i = newRecord(ctx, 2, channel, user.id);
  i.commandName = resolvedOptions.fullName;
  i.payload = {
    ...basePayload(ctx, i.id, i.token, 2, channel, user),
    data: {
      id: command.id,
      name: command.name,
      type: command.type,
      ...(resolvedOptions.options.length > 0 ? { options: resolvedOptions.options } : {}),
      ...(resolvedOptions.resolved ? { resolved: resolvedOptions.resolved } : {}),
      ...(command.guild_id ? { guild_id: command.guild_id } : {}),
    },
  };
  store.add(i);
  ctx.emit({ t: 'INTERACTION_CREATE', d: i.payload });
  return i;
}

export interface ComponentRequest {
  messageId: string;
  /** When given, the message must be in this channel. */
  channelId?: string;
  customId: string;
  userId: string;
  username?: string;
  /** Select menus: the chosen option values. */
  values?: string[];
}

export function useComponent(ctx: CoreContext, store: InteractionStore, req: ComponentRequest): SimInteraction {
  const { world } = ctx;
  const message = ctx.messages.get(req.messageId);
  if (!message) throw new ControlError(404, `no message ${req.messageId}`);
  if (req.channelId !== undefined && req.channelId !== message.channelId)
    throw new ControlError(400, `message ${req.messageId} is in channel ${message.channelId}, not ${req.channelId}`);
  const component = findComponent(message.components, req.customId);
  if (!component)
    throw new ControlError(400, `message ${req.messageId} has no component with custom_id "${req.customId}"`);
  if (component['disabled'] === true)
    throw new ControlError(400, `"${req.customId}" is disabled: a user cannot use it`);
  const componentType = Number(component['type']);
  const isSelect = componentType !== 2;
  if (isSelect) {
    const values = req.values ?? [];
    const min = typeof component['min_values'] === 'number' ? component['min_values'] : 1;
    const max = typeof component['max_values'] === 'number' ? component['max_values'] : 1;
    if (values.length < min || values.length > max)
      throw new ControlError(400, `"${req.customId}" takes ${min} to ${max} values, got ${values.length}`);
    if (componentType === 3) {
      const allowed = new Set(((component['options'] as Json[] | undefined) ?? []).map((o) => String(o['value'])));
      const bad = values.find((v) => !allowed.has(v));
      if (bad !== undefined) throw new ControlError(400, `"${bad}" is not an option of "${req.customId}"`);
    }
  } else if (req.values !== undefined) {
    throw new ControlError(400, `"${req.customId}" is a button: it takes no values`);
  }
  const channel = world.channel(message.channelId)!;
  const user = world.ensureUser(req.userId, req.username);
  const i = newRecord(ctx, 3, channel, user.id);
  i.customId = req.customId;
  i.componentType = componentType;
  i.messageId = message.id;
  if (isSelect) i.values = req.values ?? [];
  i.payload = {
    ...basePayload(ctx, i.id, i.token, 3, channel, user),
    message: messageObject(world, ctx.messages, message),
    data: { custom_id: req.customId, component_type: componentType, ...(isSelect ? { values: req.values ?? [] } : {}) },
  };
  store.add(i);
  ctx.emit({ t: 'INTERACTION_CREATE', d: i.payload });
  return i;
}
