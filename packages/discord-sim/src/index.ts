// Owns the package's public API (package.json "exports" "."): starting the server in-process, its settings and fixed
// ids, and the types of its control surface. Everything else is the server's own.
export { startDiscordSim, API_PREFIX, type StartDiscordSimOptions, type DiscordSimHandle } from './server.js';
export {
  DEFAULT_IDS,
  defaultChannelId,
  resolveConfig,
  type DiscordSimConfig,
  type DiscordSimOptions,
} from './config.js';
export type { DiscordSimControl, InteractionSummary, MessageSummary, SimState, UserMessageRequest } from './control.js';
export type { GatewayState, OutageMode } from './gateway/gateway.js';
export { INTENT } from './intents.js';
