// The kill switch, trade list and manual trade commands against a real database, Redis and the venue (in-process).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHalt } from '../../src/cli/halt.js';
import { runTrade } from '../../src/cli/trade.js';
import { runTrades } from '../../src/cli/trades.js';
import { executeJobId } from '../../src/queue/exec-jobs.js';
import { recentAudit } from '../../src/store/audit.repo.js';
import { getTradingState, setTradingState } from '../../src/store/settings.repo.js';
import { getTrade } from '../../src/store/trades.repo.js';
import { startTestApp, type TestApp } from '../support/app.js';

const RULE = `version: 1
name: ic-manual
strategy: iron-condor
universe: { symbols: [SPY, QQQ] }
params:
  dte: { min: 20, max: 50 }
  shortDelta: { target: 0.16, tolerance: 0.06 }
  wings: { points: 5 }
sizing: { quantity: 1 }
execution: { mode: combo }
risk: { maxOpenTrades: 50, maxTotalRisk: 500000, maxRiskPerUnderlying: 500000 }
`;

let app: TestApp;
const capture = () => {
  const lines: string[] = [];
  return { lines, out: (s: string) => lines.push(s), text: () => lines.join('\n') };
};

beforeAll(async () => {
  app = await startTestApp({ 'ic.yaml': RULE });
}, 60_000);
afterAll(async () => {
  await app?.close();
});

describe('legwork halt / resume', () => {
  it('persists the state with who and why, audits and alerts', async () => {
    const o = capture();
    expect(await runHalt(['--reason', 'vol spike'], 'halt', { app: app.ctx, out: o.out })).toBe(0);
    expect(o.text()).toContain('trading halted');
    const halted = await getTradingState(app.ctx.sql);
    expect(halted).toMatchObject({ state: 'halted', reason: 'vol spike' });
    expect(halted.by).toMatch(/^cli:/);
    const audit = await recentAudit(app.ctx.sql, 10);
    expect(audit.find((a) => a.kind === 'halt')?.data).toMatchObject({ state: 'halted', reason: 'vol spike' });
    expect(audit.find((a) => a.kind === 'alert')?.data).toMatchObject({ kind: 'halt' });
    // a trade is refused while halted
    const t = capture();
    expect(await runTrade(['--underlying', 'SPY', '--strategy', 'iron-condor'], { app: app.ctx, out: t.out })).toBe(1);

    const r = capture();
    expect(await runHalt([], 'resume', { app: app.ctx, out: r.out })).toBe(0);
    expect((await getTradingState(app.ctx.sql)).state).toBe('active');
    expect((await recentAudit(app.ctx.sql, 5)).find((a) => a.kind === 'resume')).toBeDefined();
  });

  it('--flatten with no open trade queues nothing and says so', async () => {
    const o = capture();
    expect(await runHalt(['--flatten'], 'halt', { app: app.ctx, out: o.out })).toBe(0);
    expect(o.text()).toContain('flatten: 0 exit groups queued');
    await setTradingState(app.ctx.sql, 'active', 'test');
  });

  it('usage errors exit 2', async () => {
    expect(await runHalt(['--bogus'], 'halt', { app: app.ctx })).toBe(2);
    expect(await runTrade(['--strategy', 'iron-condor'], { app: app.ctx })).toBe(2);
    expect(await runTrade(['--underlying', 'SPY', '--strategy', 'nope'], { app: app.ctx })).toBe(2);
    expect(await runTrades(['--bogus'], { sql: app.ctx.sql })).toBe(2);
  });
});

describe('legwork trade / trades', () => {
  let tradeId: string;
  let groupId: string;

  it('trade: best candidate validated, a pending trade and an execute job, ids printed', async () => {
    const o = capture();
    const code = await runTrade(
      ['--underlying', 'SPY', '--strategy', 'iron-condor', '--mode', 'legged', '--quantity', '2', '--json'],
      { app: app.ctx, out: o.out },
    );
    expect(code, o.text()).toBe(0);
    const printed = JSON.parse(o.lines[0]!) as {
      tradeId: string;
      entryGroupId: string;
      mode: string;
      quantity: number;
    };
    ({ tradeId, entryGroupId: groupId } = printed);
    expect(printed.mode).toBe('legged');
    const trade = (await getTrade(app.ctx.sql, tradeId))!;
    expect(trade).toMatchObject({
      status: 'pending',
      underlying: 'SPY',
      strategy: 'iron-condor',
      ruleSet: 'ic-manual',
      candidateId: null,
      entryGroupId: groupId,
      quantity: 2,
    });
    expect(trade.legs).toHaveLength(4);
    expect(trade.facts['executionMode']).toBe('legged');
    const job = await app.ctx.queues.execute.getJob(executeJobId(groupId));
    expect(job?.data).toEqual({ tradeId, groupId });
    // the rules version is stored, so exits can load it by hash
    const [v] = await app.ctx.sql`select name from rule_set_versions where hash = ${trade.rulesHash}`;
    expect(v?.['name']).toBe('ic-manual');
  });

  it('trades --json: every trade with legs, credit and P&L fields', async () => {
    const o = capture();
    expect(await runTrades(['--json'], { sql: app.ctx.sql, marketData: app.ctx.marketData, out: o.out })).toBe(0);
    const out = JSON.parse(o.text()) as { marksAvailable: boolean; trades: Record<string, unknown>[] };
    expect(out.marksAvailable).toBe(true);
    const t = out.trades.find((x) => x['id'] === tradeId)!;
    expect(t).toMatchObject({
      status: 'pending',
      underlying: 'SPY',
      quantity: 2,
      entryCreditCents: null,
      realizedPnlCents: null,
      unrealizedPnlCents: null,
    });
    expect(Object.keys(t).sort()).toEqual(
      [
        'approvalBy',
        'approvalDeadline',
        'closedAt',
        'createdAt',
        'entryCreditCents',
        'expectedCreditCents',
        'expiration',
        'exitReason',
        'id',
        'legs',
        'openedAt',
        'quantity',
        'realizedPnlCents',
        'ruleSet',
        'status',
        'strategy',
        'underlying',
        'unrealizedPnlCents',
      ].sort(),
    );
    expect((t['legs'] as { quantity: number }[]).every((l) => l.quantity === 2)).toBe(true);
    const table = capture();
    expect(await runTrades([], { sql: app.ctx.sql, out: table.out })).toBe(0);
    expect(table.text()).toContain(tradeId.slice(0, 8));
  });
});
