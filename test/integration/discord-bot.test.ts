// The Discord bot end to end THROUGH the unmodified discord.js client against the local Discord server
// (@legwork/discord-sim), with PostgreSQL, Redis, the venue and the execute worker: slash commands registered; an
// allow-listed trader halts and resumes from Discord (trading state and audit rows in Postgres); a viewer cannot; a
// stranger and an unlisted channel get no answer and are audited; `!status` answers; after a dropped gateway the bot
// resumes and answers again; during an outage trading goes on, /api/ready reports chat disconnected (and stays ready),
// and what happened meanwhile is posted after the reconnect; a manual-approval proposal is posted with buttons and a
// click approves it: the trade opens at the venue.
import { DEFAULT_IDS, type DiscordSimHandle, startDiscordSim } from '@legwork/discord-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from '../../src/chat/commands.js';
import { runHalt } from '../../src/cli/halt.js';
import { createAuth } from '../../src/http/auth.js';
import { bullExecJobs } from '../../src/queue/exec-jobs.js';
import { auditForTrade, recentAudit } from '../../src/store/audit.repo.js';
import { getTradingState } from '../../src/store/settings.repo.js';
import { getTrade, listTrades } from '../../src/store/trades.repo.js';
import { type RunningWorkers, runWorkers } from '../../workers/index.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { type ServedHttpApp, serveHttpApp } from '../support/http-server.js';
import { pendingCondorTrade } from '../support/condor-trades.js';
import { type DiscordDriver, discordDriver } from '../support/discord-bot.js';
import { venueSignedPositions } from '../support/iron-condor.js';
import { condorRule } from '../support/rules.js';
import { scanInProcess } from '../support/scan-in-process.js';
import { waitUntil } from '../support/wait-until.js';

const CHANNEL = DEFAULT_IDS.legworkChannel; // listed: commands and alerts
const UNLISTED = DEFAULT_IDS.generalChannel;
const TRADER = '400000000000000001';
const VIEWER = '400000000000000002';
const STRANGER = '400000000000000003';
const NATURAL = '{ price: natural, maxSteps: 0, fillTimeoutSeconds: 30 }';
const MANUAL = 'execution: { mode: combo, partialFill: keep, approval: manual, approvalTimeoutSeconds: 3600 }';

let sim: DiscordSimHandle;
let discord: DiscordDriver;
let app: TestApp;
let workers: RunningWorkers;
let server: ServedHttpApp | undefined;
let base: string;

interface ChatCheck {
  configured: boolean;
  connected: boolean;
  since: string | null;
  lastError: string | null;
}
const ready = async () =>
  (await (await fetch(`${base}/api/ready`)).json()) as { ready: boolean; checks: { chat: ChatCheck } };
const chatAudit = async () =>
  (await recentAudit(app.ctx.sql, 1000))
    .filter((e) => e.kind === 'chat_command' || e.kind === 'chat_refused')
    .reverse();
/** The bot's reply to a user's message (a Discord reply: message_reference to it), waited for. */
const replyTo = (messageId: string) =>
  discord.waitForMessage(
    CHANNEL,
    (m) => m.replyTo === messageId && !m.content.startsWith('⏳'),
    `a reply to ${messageId}`,
  );
const answerOf = (interactionId: string) => discord.answer(interactionId);

beforeAll(async () => {
  sim = await startDiscordSim({ port: 0 });
  discord = discordDriver(sim);
  app = await startTestApp(
    {
      'ic.yaml': condorRule({ name: 'ic-chat', symbols: ['SPY', 'QQQ'], entry: NATURAL }),
      'manual.yaml': condorRule({ name: 'ic-manual', symbols: ['AAPL'], entry: NATURAL, execution: MANUAL }),
    },
    {
      env: {
        DISCORD_TOKEN: 'legwork-test-bot',
        DISCORD_API_URL: sim.apiUrl,
        LEGWORK_DISCORD_CHANNELS: CHANNEL,
        LEGWORK_DISCORD_USERS: `${TRADER}:trader,${VIEWER}:viewer`,
        LEGWORK_DISCORD_FILLS: 'yes',
      },
    },
  );
  await app.readyToTrade();
  workers = await runWorkers(app.ctx, ['execute', 'chat'], { schedulers: false, chat: { feedPollMs: 100 } });
  const auth = createAuth({ admin: { user: 'boss', password: 's3cret-admin' } });
  server = await serveHttpApp(app.ctx, { auth });
  base = server.base;
  await waitUntil(() => workers.chat!.status().connected, { timeoutMs: 20_000, what: 'the bot to connect' });
}, 60_000);

afterAll(async () => {
  await workers?.stop(5_000);
  await server?.close();
  await app?.close();
  await sim?.close();
});

describe('the Discord bot through discord.js', () => {
  it('registers the slash commands in the server, answers !status, and /api/ready reports it connected', async () => {
    const registered = await waitUntil(
      async () => {
        const c = await discord.commands();
        return c.guild.length > 0 ? c : undefined;
      },
      { what: 'guild commands' },
    );
    expect(registered.guild.map((c) => c.name).sort()).toEqual([...COMMAND_NAMES].sort());
    expect(registered.guild.find((c) => c.name === 'halt')?.options?.map((o) => o.name)).toEqual(['flatten', 'reason']);

    const asked = await discord.say(VIEWER, '!status', CHANNEL);
    const reply = await replyTo(asked.id);
    expect(reply.content.split('\n')[0]).toMatch(/^\*\*Trading ACTIVE\*\*/);
    expect(reply.content).toContain('Trades: 0 open · 0 broken · 0 working');

    const r = await ready();
    expect(r.ready).toBe(true);
    expect(r.checks.chat).toMatchObject({ configured: true, connected: true, lastError: null });
    expect(Date.parse(r.checks.chat.since!)).not.toBeNaN();
  });

  it('an allow-listed trader halts (a message) and resumes (a slash command): Postgres state, audit rows, replies, the alert', async () => {
    const asked = await discord.say(TRADER, '!halt flatten too volatile', CHANNEL);
    const reply = await replyTo(asked.id);
    expect(reply.content).toMatch(
      new RegExp(`^Trading \\*\\*HALTED\\*\\* \\(was active\\) by discord:${TRADER}: too volatile`),
    );
    expect(await getTradingState(app.ctx.sql)).toMatchObject({
      state: 'halted',
      by: `discord:${TRADER}`,
      reason: 'too volatile',
      flatten: true,
    });
    // Every process's alerts reach the alert channel through the audit log
    await discord.waitForMessage(
      CHANNEL,
      (m) => m.content.includes(`🛑 **halt**: trading halted by discord:${TRADER}: too volatile`),
      'the halt alert',
    );

    const slash = await discord.slash(TRADER, 'resume', { reason: 'calm again' }, CHANNEL);
    const { interaction, message } = await answerOf(slash.id);
    expect(interaction.expired).toBe(false);
    expect(message.content).toMatch(
      new RegExp(`^Trading \\*\\*ACTIVE\\*\\* \\(was halted\\) by discord:${TRADER}: calm again`),
    );
    expect(await getTradingState(app.ctx.sql)).toMatchObject({ state: 'active', by: `discord:${TRADER}` });
    await discord.waitForMessage(
      CHANNEL,
      (m) => m.content.includes(`▶️ **Trading resumed** by discord:${TRADER}: calm again`),
      'the resume in the alert channel',
    );

    const audit = await recentAudit(app.ctx.sql, 50);
    const changes = audit.filter((e) => (e.kind === 'halt' || e.kind === 'resume') && e.data['by'] !== 'test');
    expect(changes.map((e) => [e.kind, e.data['by']]).reverse()).toEqual([
      ['halt', `discord:${TRADER}`],
      ['resume', `discord:${TRADER}`],
    ]);
    expect(
      (await chatAudit()).map((e) => [
        e.data['command'],
        e.data['outcome'],
        e.data['via'],
        e.data['userId'],
        e.data['channelId'],
      ]),
    ).toEqual([
      ['status', 'ok', 'message', VIEWER, CHANNEL],
      ['halt', 'ok', 'message', TRADER, CHANNEL],
      ['resume', 'ok', 'slash', TRADER, CHANNEL],
    ]);
  });

  it('a viewer may not halt: refused in reply, the state unchanged, audited as forbidden', async () => {
    const asked = await discord.say(VIEWER, '!halt', CHANNEL);
    const reply = await replyTo(asked.id);
    expect(reply.content).toBe('Refused: a viewer may not halt; only traders may change anything.');
    expect((await getTradingState(app.ctx.sql)).state).toBe('active');
    expect((await chatAudit()).at(-1)?.data).toMatchObject({ command: 'halt', outcome: 'forbidden', userId: VIEWER });
  });

  it('a stranger, and a trader in an unlisted channel, get no answer at all; both are audited as refused', async () => {
    const stranger = await discord.say(STRANGER, '!halt', CHANNEL);
    const elsewhere = await discord.say(TRADER, '!halt', UNLISTED);
    const slash = await discord.slash(STRANGER, 'status', {}, CHANNEL);
    const refused = await waitUntil(
      async () => {
        const rows = (await chatAudit()).filter((e) => e.kind === 'chat_refused');
        return rows.length === 3 ? rows : undefined;
      },
      { what: 'three chat_refused events' },
    );
    // Handled concurrently, so in any order
    expect(refused.map((e) => [e.data['userId'], e.data['channelId'], e.data['via'], e.data['why']]).sort()).toEqual(
      [
        [STRANGER, CHANNEL, 'message', 'user_not_listed'],
        [TRADER, UNLISTED, 'message', 'channel_not_listed'],
        [STRANGER, CHANNEL, 'slash', 'user_not_listed'],
      ].sort(),
    );
    // The refusal is recorded before the handler returns: nothing was posted for them, in either channel
    const posted = await discord.botMessages(CHANNEL);
    expect(posted.some((m) => m.replyTo === stranger.id || m.interactionId === slash.id)).toBe(false);
    expect((await discord.botMessages(UNLISTED)).some((m) => m.replyTo === elsewhere.id)).toBe(false);
    expect((await discord.interaction(slash.id)).callbackType).toBeNull();
    expect((await getTradingState(app.ctx.sql)).state).toBe('active');
  });

  it('after the gateway connection is cut, discord.js resumes and the bot answers again', async () => {
    await discord.drop({ mode: 'terminate' });
    const asked = await discord.say(VIEWER, '!rules', CHANNEL);
    const reply = await replyTo(asked.id);
    expect(reply.content).toContain('**Rule sets in force** (2)');
    expect(reply.content).toMatch(/ic-chat +iron-condor +yes/);
    await waitUntil(() => workers.chat!.status().connected, { what: 'connected again' });
  });

  it('during an outage trading goes on and /api/ready reports chat disconnected; what happened is posted after it', async () => {
    await discord.outage(600_000);
    const down = await waitUntil(
      async () => {
        const r = await ready();
        return r.checks.chat.connected ? undefined : r;
      },
      { timeoutMs: 15_000, what: '/api/ready to show chat disconnected' },
    );
    expect(down.ready).toBe(true);
    expect(down.checks.chat.configured).toBe(true);

    // An entry through the execute worker while Discord is unreachable
    const trade = await pendingCondorTrade(app, 'ic-chat', 'QQQ');
    await bullExecJobs(app.ctx.queues).enqueueExecute(trade.id, trade.entryGroupId);
    await waitUntil(async () => (await getTrade(app.ctx.sql, trade.id))?.status === 'open', {
      timeoutMs: 30_000,
      what: 'the trade to open during the outage',
    });
    const account = app.sim.venue.accountNumbers()[0]!;
    expect(venueSignedPositions(app.sim, account, 'QQQ')).toHaveLength(4);
    // And a halt from the command line meanwhile; the feed has read both and holds them for Discord
    expect(await runHalt(['--reason', 'lunch break'], 'halt', { app: app.ctx, out: () => {} })).toBe(0);
    await waitUntil(() => workers.chat!.feed.waiting() === 2, { what: 'the fill and the halt to wait for Discord' });
    expect((await discord.botMessages(CHANNEL)).some((m) => m.content.includes('lunch break'))).toBe(false);

    await discord.outage(0);
    await waitUntil(() => workers.chat!.status().connected, { timeoutMs: 20_000, what: 'the bot to reconnect' });
    const delayed = await discord.waitForMessage(
      CHANNEL,
      (m) => m.content.startsWith('_(delayed: Discord was unreachable)_'),
      'the events of the outage',
    );
    expect(delayed.content).toContain(`✅ **Entry filled**: QQQ iron-condor 1x (${trade.id.slice(0, 8)}) 1x`);
    expect(delayed.content).toMatch(/🛑 \*\*halt\*\*: trading halted by cli:[^:]+: lunch break/);
    const asked = await discord.say(VIEWER, '!status', CHANNEL);
    expect((await replyTo(asked.id)).content).toMatch(
      /^\*\*Trading HALTED\*\* .*: lunch break\nFailsafes: .*\nTrades: 1 open/,
    );
    expect((await ready()).checks.chat).toMatchObject({ connected: true });
    expect(workers.chat!.feed.waiting()).toBe(0);
    expect(await runHalt([], 'resume', { app: app.ctx, out: () => {} })).toBe(0);
  }, 90_000);

  it('a manual-approval proposal is posted with Approve/Reject; a viewer’s click is refused, a trader’s opens it at the venue', async () => {
    const result = await scanInProcess(app.ctx, 'ic-manual', 'slot-1');
    expect(result.trades.map((t) => [t.underlying, t.status])).toEqual([['AAPL', 'awaiting_approval']]);
    const tradeId = result.trades[0]!.tradeId;

    const proposal = await discord.waitForMessage(
      CHANNEL,
      (m) => m.content.includes(`🗳️ **Trade proposed**: AAPL iron-condor 1x`) && m.content.includes(tradeId),
      'the proposal',
    );
    const buttons = (proposal.components[0] as { components: { custom_id: string; label: string }[] }).components;
    expect(buttons.map((b) => [b.custom_id, b.label])).toEqual([
      [`approve:${tradeId}`, 'Approve'],
      [`reject:${tradeId}`, 'Reject'],
    ]);

    const viewerClick = await answerOf((await discord.click(VIEWER, proposal.id, `approve:${tradeId}`)).id);
    expect(viewerClick.message.content).toBe('Refused: a viewer may not approve; only traders may change anything.');
    expect((await getTrade(app.ctx.sql, tradeId))!.status).toBe('awaiting_approval');

    const click = await answerOf((await discord.click(TRADER, proposal.id, `approve:${tradeId}`)).id);
    expect(click.message.content).toMatch(
      new RegExp(`^Approved AAPL iron-condor 1x \\(${tradeId.slice(0, 8)}\\) by discord:${TRADER}\\.`),
    );
    const opened = await waitUntil(
      async () => {
        const t = await getTrade(app.ctx.sql, tradeId);
        return t?.status === 'open' ? t : undefined;
      },
      { timeoutMs: 30_000, what: 'the approved trade to open' },
    );
    expect(opened.approvalBy).toBe(`discord:${TRADER}`);
    expect(venueSignedPositions(app.sim, app.sim.venue.accountNumbers()[0]!, 'AAPL')).toHaveLength(4);
    expect((await auditForTrade(app.ctx.sql, tradeId)).map((e) => e.kind)).toEqual(
      expect.arrayContaining(['trade_proposed', 'trade_approved']),
    );
    // The proposal lost its buttons and says who approved it
    const edited = await discord.waitForMessage(
      CHANNEL,
      (m) => m.id === proposal.id && m.components.length === 0,
      'the proposal edited',
    );
    expect(edited.content).toContain(
      `👍 AAPL iron-condor 1x (${tradeId.slice(0, 8)}) **approved** by discord:${TRADER}.`,
    );
    expect(
      (await listTrades(app.ctx.sql))
        .filter((t) => t.status === 'open')
        .map((t) => t.underlying)
        .sort(),
    ).toEqual(['AAPL', 'QQQ']);
  }, 60_000);

  it('risk (a slash command) and positions (a message) answer from the broker and the risk report', async () => {
    const risk = await answerOf((await discord.slash(VIEWER, 'risk', {}, CHANNEL)).id);
    expect(risk.interaction.expired).toBe(false);
    expect([4, 5]).toContain(risk.interaction.callbackType);
    expect(risk.message.content).toMatch(/^\*\*Account risk\*\* \(.*\)\nNet liq \$[\d,]+\.\d\d · delta /);
    expect(risk.message.content).toContain('Positions: 8 (0 foreign)');

    const asked = await discord.say(VIEWER, '!positions', CHANNEL);
    const reply = await replyTo(asked.id);
    const open = (await listTrades(app.ctx.sql)).filter((t) => t.status === 'open');
    expect(reply.content).toMatch(/^\*\*Positions at the broker\*\* \(8\)\n```/);
    for (const t of open) expect(reply.content.split(t.id.slice(0, 8)).length - 1, t.underlying).toBe(4);
  }, 30_000);
});
