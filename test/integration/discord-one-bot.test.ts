// One Discord bot per token, THROUGH the unmodified discord.js client against the local Discord server, with Redis and
// PostgreSQL: two chat processes on one token (same Redis and queue prefix) make one active bot and one standby that
// never logs in: a trader's command gets one reply, an alert is posted once; the active one stops (or, as one of two
// `legwork worker chat` child processes, is killed -9) and the standby takes over, answers the next command and goes
// on with the feed where the other left it (nothing re-posted, nothing skipped); an active process that finds another
// holder in Redis steps down at once (its gateway connection closed).
import { DEFAULT_IDS, type DiscordSimHandle, startDiscordSim } from '@legwork/discord-sim';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FeedState } from '../../src/chat/feed.js';
import { FEED_SETTING } from '../../src/app/chat-bot.js';
import { createAlerter } from '../../src/pipeline/alerts.js';
import { chatLeaseKey } from '../../src/queue/redis-lease.js';
import { recentAudit } from '../../src/store/audit.repo.js';
import { getSetting } from '../../src/store/settings.repo.js';
import { type RunningWorkers, runWorkers } from '../../workers/index.js';
import { REDIS_URL, startTestApp, type TestApp } from '../support/app.js';
import { type DiscordDriver, discordDriver } from '../support/discord-bot.js';
import { condorRule } from '../support/rules.js';
import { waitUntil } from '../support/wait-until.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

const CHANNEL = DEFAULT_IDS.legworkChannel;
const TRADER = '400000000000000001';
const TOKEN = 'legwork-test-bot';
/** Short in-process leases so a takeover after a stop or a lost lease is quick (child processes keep the default). */
const LEASE = { ttlMs: 3_000, retryMs: 200 };

let sim: DiscordSimHandle;
let discord: DiscordDriver;
let app: TestApp;
let redis: Redis;
let env: Record<string, string>;
const running: RunningWorkers[] = [];
const children: WorkerProcess[] = [];

/** A chat process in this one (its own bot, feed and lease holder id; the app context is shared). */
async function chatProcess(): Promise<NonNullable<RunningWorkers['chat']>> {
  const w = await runWorkers(app.ctx, ['chat'], { schedulers: false, chat: { feedPollMs: 100, lease: LEASE } });
  running.push(w);
  return w.chat!;
}
const gateway = async () =>
  (await (await fetch(`${sim.baseUrl}/__discord/state`)).json()).gateway as { open: number; identifies: number };
const raise = (message: string) => createAlerter({ store: app.ctx.store, log: app.ctx.log })('broker_errors', message);
const posts = async (text: string) => (await discord.botMessages(CHANNEL)).filter((m) => m.content.includes(text));
const repliesTo = async (messageId: string) =>
  (await discord.botMessages(CHANNEL)).filter((m) => m.replyTo === messageId);
const leaseKey = () => chatLeaseKey(app.ctx.queues.settings.prefix, TOKEN);
/** The trader asks `!status`; resolves with the reply once there is one. */
async function ask() {
  const asked = await discord.say(TRADER, '!status', CHANNEL);
  const reply = await discord.waitForMessage(CHANNEL, (m) => m.replyTo === asked.id, `a reply to ${asked.id}`);
  expect(reply.content).toMatch(/^\*\*Trading /);
  return asked;
}
/** `chat_command` audit rows of one `!status` (each bot that heard it audits it). */
const auditedCommands = async () =>
  (await recentAudit(app.ctx.sql, 1000)).filter((e) => e.kind === 'chat_command' && e.data['command'] === 'status')
    .length;
/** The feed's saved place has the alert (posted and recorded: a process killed now would not post it again). */
async function feedRecorded(text: string): Promise<void> {
  const row = (await recentAudit(app.ctx.sql, 1000)).find(
    (e) => e.kind === 'alert' && String(e.data['message']).includes(text),
  );
  expect(row).not.toBeUndefined();
  const id = Number(row!.id);
  await waitUntil(
    async () => {
      const state = await getSetting<FeedState>(app.ctx.sql, FEED_SETTING);
      return state && (state.floor >= id || state.done.includes(id));
    },
    { what: `the feed's place to include ${text}` },
  );
}

beforeAll(async () => {
  sim = await startDiscordSim({ port: 0 });
  discord = discordDriver(sim);
  const discordEnv = {
    DISCORD_TOKEN: TOKEN,
    DISCORD_API_URL: sim.apiUrl,
    LEGWORK_DISCORD_CHANNELS: CHANNEL,
    LEGWORK_DISCORD_USERS: `${TRADER}:trader`,
  };
  app = await startTestApp({ 'ic.yaml': condorRule({ name: 'ic-one-bot' }) }, { env: discordEnv });
  await app.readyToTrade();
  redis = new Redis(REDIS_URL);
  env = app.workerEnv(discordEnv);
}, 60_000);

afterEach(async () => {
  for (const c of children.splice(0)) {
    c.kill9();
    await c.exited;
  }
  for (const w of running.splice(0)) await w.stop(5_000);
});

afterAll(async () => {
  await redis?.quit();
  await app?.close();
  await sim?.close();
});

describe('one chat bot per Discord token', () => {
  it('two chat processes: one logs in, the other stands by; one reply per command, each alert posted once', async () => {
    const a = await chatProcess();
    await waitUntil(() => a.status().connected, { timeoutMs: 20_000, what: 'the first bot to connect' });
    const b = await chatProcess();
    // Settled: logged in too (two bots: the defect) or standing by
    await waitUntil(() => b.status().connected || b.status().role === 'standby', {
      timeoutMs: 20_000,
      what: 'the second chat process to settle',
    });

    const asked = await ask();
    await raise('one-bot alert A');
    await discord.waitForMessage(CHANNEL, (m) => m.content.includes('one-bot alert A'), 'alert A');
    await feedRecorded('one-bot alert A');

    expect(await repliesTo(asked.id)).toHaveLength(1);
    expect(await auditedCommands()).toBe(1);
    expect(await posts('one-bot alert A')).toHaveLength(1);
    expect((await gateway()).open).toBe(1);
    expect(a.status()).toMatchObject({ role: 'active', connected: true, activeIn: a.id });
    expect(b.status()).toMatchObject({ role: 'standby', connected: false, activeIn: a.id, lastError: null });
    // Where /api/ready reads it: the active bot's status, not the standby's
    expect(await app.ctx.chatStatus.read()).toMatchObject({ role: 'active', connected: true, activeIn: a.id });
    // The key names the token by a hash only
    expect(await redis.get(leaseKey())).toBe(a.id);
    expect(leaseKey()).not.toContain(TOKEN);

    // The active one stops (releasing its lease): the standby logs in and takes over the commands and the feed
    await running.shift()!.stop(5_000);
    await raise('one-bot alert B');
    await waitUntil(() => b.status().connected, { timeoutMs: 20_000, what: 'the standby to take over' });
    expect(b.status()).toMatchObject({ role: 'active', activeIn: b.id });
    const again = await ask();
    await discord.waitForMessage(CHANNEL, (m) => m.content.includes('one-bot alert B'), 'alert B');
    await feedRecorded('one-bot alert B');
    expect(await repliesTo(again.id)).toHaveLength(1);
    expect(await posts('one-bot alert A')).toHaveLength(1);
    expect(await posts('one-bot alert B')).toHaveLength(1);
    expect((await gateway()).open).toBe(1);
  }, 90_000);

  it('an active process that finds another holder in Redis steps down at once; it takes over once the lease is free', async () => {
    const a = await chatProcess();
    await waitUntil(() => a.status().connected, { timeoutMs: 20_000, what: 'the bot to connect' });
    // Another holder (as after a long pause of this process in which its lease expired and someone else took it)
    await redis.set(leaseKey(), 'elsewhere:4242:abc', 'PX', 60_000);
    await waitUntil(() => a.status().role === 'standby', { timeoutMs: 10_000, what: 'the bot to step down' });
    expect(a.status()).toMatchObject({ role: 'standby', connected: false, activeIn: 'elsewhere:4242:abc' });
    await waitUntil(async () => (await gateway()).open === 0, { what: 'its gateway connection to close' });
    // What /api/ready reads: a standby, not the connected bot it was
    expect(await app.ctx.chatStatus.read()).toMatchObject({
      role: 'standby',
      connected: false,
      activeIn: 'elsewhere:4242:abc',
      lastError: null,
    });

    await redis.del(leaseKey());
    await waitUntil(() => a.status().connected, { timeoutMs: 20_000, what: 'the bot to take the lease again' });
    const asked = await ask();
    expect(await repliesTo(asked.id)).toHaveLength(1);
  }, 60_000);

  it('two `legwork worker chat` processes, the active one killed -9: the standby (which said once where the bot is active) takes over when the lease expires; the feed goes on', async () => {
    const holderIn = async (p: WorkerProcess) => {
      const h = await redis.get(leaseKey());
      return h?.includes(`:${p.child.pid}:`) ? h : undefined;
    };
    const first = startWorkerProcess('chat', env);
    children.push(first);
    await first.ready;
    const holder = await waitUntil(() => holderIn(first), {
      timeoutMs: 20_000,
      what: 'the first process to hold the lease',
    });
    await waitUntil(async () => (await gateway()).open === 1, { timeoutMs: 20_000, what: 'the first to log in' });
    const second = startWorkerProcess('chat', env);
    children.push(second);
    await second.ready;
    const standbyLine = `standby: chat bot active in ${holder}`;
    await waitUntil(() => second.output.join('').includes(standbyLine), {
      what: 'the standby to say where the bot is',
    });
    // A standby's status is written aside: /api/ready still shows the active bot's
    expect(await app.ctx.chatStatus.read()).toMatchObject({ role: 'active', connected: true, activeIn: holder });
    const asked = await ask();
    await raise('one-bot alert C');
    await discord.waitForMessage(CHANNEL, (m) => m.content.includes('one-bot alert C'), 'alert C');
    await feedRecorded('one-bot alert C');
    expect(await repliesTo(asked.id)).toHaveLength(1);
    expect((await gateway()).open).toBe(1);

    first.kill9();
    await first.exited;
    await raise('one-bot alert D');
    // The killed holder's lease (the default 15 s) expires; the standby tries every 5 s
    const successor = await waitUntil(() => holderIn(second), { timeoutMs: 40_000, what: 'the standby to take over' });
    await waitUntil(
      async () =>
        (await app.ctx.chatStatus.read())?.activeIn === successor && (await app.ctx.chatStatus.read())?.connected,
      {
        timeoutMs: 20_000,
        what: 'the successor to log in',
      },
    );
    const again = await ask();
    await discord.waitForMessage(CHANNEL, (m) => m.content.includes('one-bot alert D'), 'alert D');
    await feedRecorded('one-bot alert D');
    expect(await repliesTo(again.id)).toHaveLength(1);
    expect(await posts('one-bot alert C')).toHaveLength(1);
    expect(await posts('one-bot alert D')).toHaveLength(1);
    // Said once while it stood by (it tried again every 5 s until the lease expired)
    expect(second.output.join('').split(standbyLine)).toHaveLength(2);
  }, 120_000);
});
