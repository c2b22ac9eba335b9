// Owns what every operation of the server's core works with: the settings, the world, the messages, new ids, the
// clock and where events go (the gateway).
import type { DiscordSimConfig } from '../config.js';
import type { SnowflakeSource } from '../ids.js';
import type { EventSink } from '../types.js';
import type { MessageStore } from './message-store.js';
import type { World } from './world.js';

export interface CoreContext {
  config: DiscordSimConfig;
  world: World;
  messages: MessageStore;
  ids: SnowflakeSource;
  now: () => number;
  emit: EventSink;
}
