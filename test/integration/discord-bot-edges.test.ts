// The Discord bot at its edges, through discord.js against the local Discord server, the chat role alone: a gateway
// down longer than the watchdog allows makes the bot log in afresh and, once the gateway is back, one new session
// answers; a bot whose Message Content Intent is not allowed says so in its status (what /api/ready shows) instead of
// failing silently; an answer that takes longer than the bot may wait is deferred (a slash command's "thinking"
// response, a "working on it" reply to a message) and then completed in place.
import { DEFAULT_IDS, type DiscordSimHandle, startDiscordSim } from '@legwork/discord-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningWorkers, runWorkers } from '../../workers/index.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { discordDriver } from '../support/discord-bot.js';
import { condorRule } from '../support/rules.js';
import { waitUntil } from '../support/wait-until.js';

const CHANNEL = DEFAULT_IDS.legworkChannel;
const VIEWER = '400000000000000002';

let sim: DiscordSimHandle | undefined;
let app: TestApp | undefined;
let workers: RunningWorkers | undefined;

async function start(simOptions: Parameters<typeof startDiscordSim>[0] = {}, deferAfterMs?: number) {
  sim = await startDiscordSim({ port: 0, ...simOptions });
  app = await startTestApp(
    { 'ic.yaml': condorRule({ name: 'ic-relogin' }) },
    {
      env: {
        DISCORD_TOKEN: 'legwork-test-bot',
        DISCORD_API_URL: sim.apiUrl,
        LEGWORK_DISCORD_CHANNELS: CHANNEL,
        LEGWORK_DISCORD_USERS: `${VIEWER}:viewer`,
      },
    },
  );
  workers = await runWorkers(app.ctx, ['chat'], {
    schedulers: false,
    chat: {
      feedPollMs: 100,
      discord: {
        reloginAfterMs: 1_500,
        watchdogMs: 100,
        backoffMs: 300,
        maxBackoffMs: 1_000,
        loginTimeoutMs: 1_500,
        ...(deferAfterMs === undefined ? {} : { deferAfterMs }),
      },
    },
  });
  return { sim, app, workers, discord: discordDriver(sim) };
}

afterEach(async () => {
  await workers?.stop(5_000);
  await app?.close();
  await sim?.close();
  workers = undefined;
  app = undefined;
  sim = undefined;
});

describe('the bot recovers by itself', () => {
  it('down longer than the watchdog allows: it logs in afresh (refused while down, tried again), then one new session answers', async () => {
    const { sim, workers, discord } = await start();
    const chat = workers.chat!;
    await waitUntil(() => chat.status().connected, { timeoutMs: 20_000, what: 'the bot to connect' });
    const stats = async () =>
      (await (await fetch(`${sim.baseUrl}/__discord/state`)).json()).gateway as {
        identifies: number;
        resumes: number;
      };
    expect((await stats()).identifies).toBe(1);

    await discord.outage(600_000);
    // discord.js alone would keep retrying its resume; the watchdog replaces the client, whose login is refused
    const failed = await waitUntil(
      () => {
        const s = chat.status();
        return !s.connected && s.lastError?.startsWith('login failed') ? s : undefined;
      },
      { timeoutMs: 15_000, what: 'a fresh login that failed' },
    );
    expect(failed.lastError).toBe('login failed: Unexpected server response: 503');

    await discord.outage(0);
    await waitUntil(() => chat.status().connected, { timeoutMs: 20_000, what: 'the bot to connect again' });
    // A new session (IDENTIFY), not a resume of the old client's
    expect((await stats()).identifies).toBeGreaterThanOrEqual(2);
    const asked = await discord.say(VIEWER, '!status', CHANNEL);
    const reply = await discord.waitForMessage(CHANNEL, (m) => m.replyTo === asked.id, 'a reply to !status');
    expect(reply.content).toMatch(/^\*\*Trading /);
    // Answered once: the replaced client is gone
    expect((await discord.botMessages(CHANNEL)).filter((m) => m.replyTo === asked.id)).toHaveLength(1);
  }, 60_000);

  it('a gateway whose handshakes hang: clients given up on while still connecting fail quietly (no uncaught error), and the bot connects once the gateway answers', async () => {
    const { sim, workers, discord } = await start();
    const chat = workers.chat!;
    await waitUntil(() => chat.status().connected, { timeoutMs: 20_000, what: 'the bot to connect' });
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      // Each handshake hangs until the outage ends, then is refused: the watchdog gives up on the resuming client and
      // the login timeout on the fresh ones, all while their sockets are still connecting
      await discord.outage(4_000, 'stall');
      const stalled = async () =>
        ((await (await fetch(`${sim.baseUrl}/__discord/state`)).json()).gateway as { refused: number }).refused;
      await waitUntil(async () => ((await stalled()) >= 3 ? true : undefined), {
        timeoutMs: 15_000,
        what: 'three handshakes held by the stalling gateway',
      });
      await waitUntil(() => chat.status().connected, { timeoutMs: 20_000, what: 'the bot to connect again' });
      // The held handshakes were all answered (503) by now; the sockets given up on must not have thrown
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(uncaught.map((e) => String(e))).toEqual([]);
      const asked = await discord.say(VIEWER, '!status', CHANNEL);
      const reply = await discord.waitForMessage(CHANNEL, (m) => m.replyTo === asked.id, 'a reply to !status');
      expect(reply.content).toMatch(/^\*\*Trading /);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  }, 60_000);

  it('without the Message Content Intent allowed, the status names the setting to turn on', async () => {
    const { workers } = await start({ allowedPrivilegedIntents: 0 });
    const status = await waitUntil(
      () => {
        const s = workers.chat!.status();
        return s.lastError?.includes('4014') && !s.connected ? s : undefined;
      },
      { timeoutMs: 15_000, what: 'the disallowed-intents close to be reported' },
    );
    expect(status.connected).toBe(false);
    expect(status.lastError).toContain('turn on MESSAGE CONTENT INTENT under Bot in the Developer Portal');
    // Reported where /api/ready reads it (Redis)
    await waitUntil(async () => (await app!.ctx.chatStatus.read())?.lastError?.includes('4014'), {
      what: 'the status in Redis',
    });
  }, 30_000);

  it('an answer slower than the bot may wait is deferred, then completed in place (slash and message alike)', async () => {
    // Every command counts as slow here: the bot waits 0 ms before deferring
    const { workers, discord } = await start({}, 0);
    await waitUntil(() => workers.chat!.status().connected, { timeoutMs: 20_000, what: 'the bot to connect' });

    const slash = await discord.slash(VIEWER, 'status', {}, CHANNEL);
    const answered = await waitUntil(
      async () => {
        const i = await discord.interaction(slash.id);
        return i.responseMessageId && !i.loading ? i : undefined;
      },
      { what: 'the deferred answer' },
    );
    expect(answered).toMatchObject({ callbackType: 5, expired: false });
    const response = (await discord.botMessages(CHANNEL)).find((m) => m.id === answered.responseMessageId)!;
    expect(response.content).toMatch(/^\*\*Trading ACTIVE\*\*/);

    const asked = await discord.say(VIEWER, '!status', CHANNEL);
    const reply = await discord.waitForMessage(
      CHANNEL,
      (m) => m.replyTo === asked.id && m.editedAt !== null,
      'the working-on-it reply edited',
    );
    expect(reply.content).toMatch(/^\*\*Trading ACTIVE\*\*/);
    expect((await discord.botMessages(CHANNEL)).filter((m) => m.replyTo === asked.id)).toHaveLength(1);
  }, 30_000);
});
