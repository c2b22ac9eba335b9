// Trade approval's two unhappy endings THROUGH the unmodified discord.js client against the local Discord server, with
// PostgreSQL, Redis, the venue on its frozen clock (moved by the test) and the execute and chat workers: a proposal
// nobody decides expires at its deadline in broker time (its message loses its buttons and says so; a late `approve`
// is declined and opens nothing); and a proposal approved by a trader's click after the market moved is refused when it
// is planned again on fresh quotes (its credit fell below the floor): nothing is sent, the trade is rejected with
// the reason, and the channel is told it was not opened.
import { DEFAULT_IDS, type DiscordSimHandle, startDiscordSim } from '@legwork/discord-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecContext } from '../../src/app/exec-context.js';
import { evaluateExits } from '../../src/pipeline/exit/exits.js';
import { auditForTrade } from '../../src/store/audit.repo.js';
import { getTrade } from '../../src/store/trades.repo.js';
import { type RunningWorkers, runWorkers } from '../../workers/index.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { advanceVenue, whileDriving } from '../support/clock-driver.js';
import { type DiscordDriver, discordDriver } from '../support/discord-bot.js';
import { venueSignedPositions } from '../support/iron-condor.js';
import { condorRule } from '../support/rules.js';
import { writeFloorRule } from '../support/floor-rule.js';
import { scanInProcess } from '../support/scan-in-process.js';
import { waitUntil } from '../support/wait-until.js';

const CHANNEL = DEFAULT_IDS.legworkChannel;
const TRADER = '400000000000000001';
const TIMEOUT_S = 300;
const MANUAL = `execution: { mode: combo, partialFill: keep, approval: manual, approvalTimeoutSeconds: ${TIMEOUT_S} }`;
const NATURAL = '{ price: natural, maxSteps: 0, fillTimeoutSeconds: 30 }';

let sim: DiscordSimHandle;
let discord: DiscordDriver;
let app: TestApp;
let workers: RunningWorkers;
let account: string;

/** Moves the venue's clock and waits until Legwork's clock model has seen it. */
async function advance(ms: number): Promise<void> {
  const to = await advanceVenue(app.sim, ms);
  await waitUntil(() => app.ctx.clock.now() >= to, { what: `the app clock to reach ${new Date(to).toISOString()}` });
}
const venueOrders = (underlying: string) =>
  app.sim.venue.liveOrders(account).filter((o) => o['underlying-symbol'] === underlying);
const kinds = async (tradeId: string) => (await auditForTrade(app.ctx.sql, tradeId)).map((a) => a.kind);

/** Scans `ruleSet` and returns its one proposal and the proposal's message in the channel, buttons included. */
async function propose(ruleSet: string, slot: string, underlying: string) {
  const result = await scanInProcess(app.ctx, ruleSet, slot);
  expect(result.trades.map((t) => [t.underlying, t.status])).toEqual([[underlying, 'awaiting_approval']]);
  const tradeId = result.trades[0]!.tradeId;
  const message = await discord.waitForMessage(
    CHANNEL,
    (m) => m.content.includes('🗳️ **Trade proposed**') && m.content.includes(tradeId),
    `the proposal of ${underlying}`,
  );
  expect(message.components).toHaveLength(1);
  return { tradeId, message };
}

beforeAll(async () => {
  sim = await startDiscordSim({ port: 0 });
  discord = discordDriver(sim);
  app = await startTestApp(
    { 'expire.yaml': condorRule({ name: 'ic-expire', symbols: ['SPY'], entry: NATURAL, execution: MANUAL }) },
    {
      clock: 'broker',
      env: {
        DISCORD_TOKEN: 'legwork-test-bot',
        DISCORD_API_URL: sim.apiUrl,
        LEGWORK_DISCORD_CHANNELS: CHANNEL,
        LEGWORK_DISCORD_USERS: `${TRADER}:trader`,
      },
    },
  );
  await app.readyToTrade();
  account = app.sim.venue.accountNumbers()[0]!;
  workers = await runWorkers(app.ctx, ['execute', 'chat'], { schedulers: false, chat: { feedPollMs: 100 } });
  await waitUntil(() => workers.chat!.status().connected, { timeoutMs: 20_000, what: 'the bot to connect' });
}, 60_000);

afterAll(async () => {
  await workers?.stop(5_000);
  await app?.close();
  await sim?.close();
});

describe('approval through Discord, the unhappy endings', () => {
  it('a proposal nobody decides expires at its deadline: its message loses the buttons and says so; a late approve opens nothing', async () => {
    const { tradeId, message } = await propose('ic-expire', 'slot-expire', 'SPY');
    const ctx = createExecContext(app.ctx);

    await advance(TIMEOUT_S * 1000 - 1000);
    expect((await evaluateExits(ctx)).approvalsExpired).toEqual([]);
    expect((await getTrade(app.ctx.sql, tradeId))!.status).toBe('awaiting_approval');
    expect((await discord.botMessages(CHANNEL)).find((m) => m.id === message.id)!.components).toHaveLength(1);

    await advance(1000);
    expect((await evaluateExits(ctx)).approvalsExpired.map((e) => e.tradeId)).toEqual([tradeId]);
    const edited = await discord.waitForMessage(
      CHANNEL,
      (m) => m.id === message.id && m.components.length === 0,
      'the proposal edited at its expiry',
    );
    expect(edited.content).toBe(
      `${message.content}\n⌛ SPY iron-condor 1x (${tradeId.slice(0, 8)}) expired without a decision: rejected.`,
    );
    expect(await getTrade(app.ctx.sql, tradeId)).toMatchObject({ status: 'rejected', exitReason: 'approval expired' });

    // The buttons are gone; a trader who approves it late by command is told, and nothing opens
    const late = await discord.answer((await discord.slash(TRADER, 'approve', { id: tradeId }, CHANNEL)).id);
    expect(late.message.content).toMatch(/^Not approved: .*expired/);
    expect(await kinds(tradeId)).toEqual(['trade_selected', 'trade_proposed', 'approval_expired']);
    expect((await getTrade(app.ctx.sql, tradeId))!.status).toBe('rejected');
    expect(venueOrders('SPY')).toEqual([]);
  }, 60_000);

  it('a trader approves by the button after the market moved: refused at approval, nothing sent, the channel told', async () => {
    // The floor: 90 % of the best natural credit the IWM condor has now, so the scan proposes it and a vol crush does not
    const floor = await writeFloorRule(app, 'ic-refuse', 'IWM', MANUAL);
    const { tradeId, message } = await propose('ic-refuse', 'slot-refuse', 'IWM');

    // Implied volatility halves while the proposal waits: the condor's credit collapses below the floor
    const iv = app.sim.market.metrics('IWM')!.iv30 / 100;
    expect(app.sim.control.moveMarket('IWM', { vol: iv * 0.5 }).ok).toBe(true);

    const click = await discord.answer((await discord.click(TRADER, message.id, `approve:${tradeId}`)).id);
    expect(click.message.content).toMatch(
      new RegExp(`^Approved IWM iron-condor 1x \\(${tradeId.slice(0, 8)}\\) by discord:${TRADER}\\.`),
    );
    // The execute worker plans it again on fresh quotes (the venue's clock kept moving meanwhile)
    const refused = await whileDriving(
      app.sim,
      () =>
        waitUntil(
          async () => {
            const t = await getTrade(app.ctx.sql, tradeId);
            return t?.status === 'rejected' ? t : undefined;
          },
          { timeoutMs: 30_000, what: 'the approved trade to be refused' },
        ),
      { stepMs: 100 },
    );
    expect(refused.approvalBy).toBe(`discord:${TRADER}`);
    const m =
      /^refused at approval: the market moved and its natural credit \$(-?\d+\.\d\d) fell below the floor \$(\d+\.\d\d)/.exec(
        refused.exitReason ?? '',
      );
    expect(m, refused.exitReason ?? 'no exit reason').not.toBeNull();
    expect(Math.round(Number(m![2]) * 100)).toBe(floor);
    expect(Math.round(Number(m![1]) * 100)).toBeLessThan(floor);
    expect(await kinds(tradeId)).toEqual([
      'trade_selected',
      'trade_proposed',
      'trade_approved',
      'order_planned',
      'trade_skipped',
    ]);
    expect(venueOrders('IWM')).toEqual([]);
    expect(venueSignedPositions(app.sim, account, 'IWM')).toEqual([]);

    // The proposal says who approved it, and the channel is told the trade did not open, and why
    const edited = await discord.waitForMessage(
      CHANNEL,
      (m) => m.id === message.id && m.components.length === 0,
      'the proposal edited at approval',
    );
    expect(edited.content).toContain(
      `👍 IWM iron-condor 1x (${tradeId.slice(0, 8)}) **approved** by discord:${TRADER}.`,
    );
    const told = await discord.waitForMessage(
      CHANNEL,
      (x) => x.content.includes(`🚫 IWM iron-condor 1x (${tradeId.slice(0, 8)})`),
      'the refusal in the channel',
    );
    expect(told.content).toBe(
      `🚫 IWM iron-condor 1x (${tradeId.slice(0, 8)}), approved by discord:${TRADER}, was **not opened**: ${refused.exitReason}.`,
    );
  }, 90_000);
});
