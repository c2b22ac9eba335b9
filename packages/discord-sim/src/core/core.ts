// Owns assembling the server's core (world, messages, commands, interactions, attachments) around one context, with
// its events going to whatever sink the gateway sets.
import type { DiscordSimConfig } from '../config.js';
import { SnowflakeSource } from '../ids.js';
import type { EventSink, OutboundEvent } from '../types.js';
import { AttachmentStore } from './attachments.js';
import { CommandRegistry } from './commands.js';
import type { CoreContext } from './context.js';
import { InteractionStore } from './interactions.js';
import { MessageStore } from './message-store.js';
import { World } from './world.js';

export interface Core {
  ctx: CoreContext;
  commands: CommandRegistry;
  interactions: InteractionStore;
  attachments: AttachmentStore;
  /** Where events go from now on. */
  setSink(sink: EventSink): void;
}

export function createCore(config: DiscordSimConfig, now: () => number = Date.now): Core {
  const ids = new SnowflakeSource(now);
  let sink: EventSink = () => {};
  const ctx: CoreContext = {
    config,
    world: new World(config, ids, now()),
    messages: new MessageStore(),
    ids,
    now,
    emit: (event: OutboundEvent) => sink(event),
  };
  return {
    ctx,
    commands: new CommandRegistry(ctx.world.applicationId, ids),
    interactions: new InteractionStore(),
    attachments: new AttachmentStore(),
    setSink(next) {
      sink = next;
    },
  };
}
