// Owns the server process (`npm run discord-sim`): reads DISCORD_SIM_PORT, DISCORD_SIM_HOST, DISCORD_SIM_TOKEN,
// DISCORD_SIM_HEARTBEAT_MS and DISCORD_SIM_CHANNELS, starts the server, logs where it listens, stops on signals.
import { defaultChannelId } from './config.js';
import { discordSimSetting, readChannelNames, readWholeNumber } from './env.js';
import { createDiscordSimLogger } from './log.js';
import { startDiscordSim } from './server.js';

const log = createDiscordSimLogger();

const USAGE = `usage: npm run discord-sim

A local Discord-compatible server: the REST API (v10, under /api) and the gateway (/gateway) that the unmodified
discord.js client runs against, with a control API under /__discord/* (docs/discord-sim.md). Point discord.js at it
with rest: { api: '<url>/api' } (Legwork: DISCORD_API_URL=<url>/api). Settings come from the environment:
  DISCORD_SIM_PORT          HTTP + WebSocket port (default 4200; 0 picks a free one)
  DISCORD_SIM_HOST          interface to bind (default 127.0.0.1; 0.0.0.0 in Docker)
  DISCORD_SIM_TOKEN         the bot token to accept (default: any non-empty token)
  DISCORD_SIM_HEARTBEAT_MS  HELLO's heartbeat_interval (default 41250, as Discord)
  DISCORD_SIM_CHANNELS      the guild's text channels, comma-separated (default legwork,general)
  LOG_LEVEL                 pino level (default info)`;

async function main(): Promise<void> {
  if (process.argv.slice(2).some((a) => a === '--help' || a === '-h')) {
    console.log(USAGE);
    process.exit(0);
  }
  const problems: string[] = [];
  const attempt = <T>(read: () => T, fallback: T): T => {
    try {
      return read();
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
      return fallback;
    }
  };
  const port = attempt(() => readWholeNumber('PORT', 4200, 0, 65535), 4200);
  const heartbeatIntervalMs = attempt(() => readWholeNumber('HEARTBEAT_MS', 41_250, 100, 600_000), 41_250);
  const channels = attempt(() => readChannelNames(), undefined);
  if (problems.length > 0) {
    log.error({ problems }, `discord-sim configuration is invalid:\n  - ${problems.join('\n  - ')}`);
    process.exit(2);
  }
  const token = discordSimSetting('TOKEN');
  const sim = await startDiscordSim({
    port,
    host: discordSimSetting('HOST') ?? '127.0.0.1',
    heartbeatIntervalMs,
    ...(token !== undefined ? { token } : {}),
    ...(channels ? { guild: { channels: channels.map((name, i) => ({ id: defaultChannelId(i), name })) } } : {}),
    log: (message, extra) => log.warn(extra ?? {}, message),
  });
  log.info(
    {
      baseUrl: sim.baseUrl,
      apiUrl: sim.apiUrl,
      gatewayUrl: sim.gatewayUrl,
      guildId: sim.config.guild.id,
      channels: sim.config.guild.channels,
      botUserId: sim.config.bot.id,
      operatorUserId: sim.config.users[0]?.id,
      token: token === undefined ? 'any' : 'configured',
    },
    `local Discord server listening on ${sim.baseUrl} (DISCORD_API_URL=${sim.apiUrl}, gateway ${sim.gatewayUrl})`,
  );
  const stop = async (signal: string) => {
    log.info({ signal }, 'discord-sim stopping');
    await sim.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  log.error({ err: error }, `discord-sim failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
