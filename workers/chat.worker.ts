// Owns the `chat` role: the Discord bot (src/app/chat-bot.ts) in this process, for `legwork worker chat` and for
// `legwork start` when DISCORD_TOKEN is set. It takes no jobs: it answers commands in the listed channels and posts the
// audit log's alerts, fills and proposals to the alert channel, while it holds the token's lease in Redis (else it
// stands by, logged out, to take over). Stopping closes the gateway and the feed, then gives the lease up.
import type { AppContext } from '../src/app/context.js';
import { startChatBot, type ChatBotOptions, type RunningChatBot } from '../src/app/chat-bot.js';

/** Starts the bot, or explains why the role cannot run (no DISCORD_TOKEN). */
export function runChat(ctx: AppContext, options: ChatBotOptions = {}): RunningChatBot {
  const discord = ctx.config.discord;
  if (!discord)
    throw new Error('the chat role needs DISCORD_TOKEN and LEGWORK_DISCORD_CHANNELS (see docs/operations.md: Discord)');
  const running = startChatBot(ctx, discord, options);
  ctx.log.info(
    {
      process: running.id,
      channels: discord.channels,
      alertChannel: discord.alertChannel,
      users: discord.users.length,
      fills: discord.fills,
    },
    `Discord bot starting (${discord.apiUrl ? `server ${discord.apiUrl}` : 'discord.com'}; active once it holds the token's lease, else standby)`,
  );
  return running;
}
