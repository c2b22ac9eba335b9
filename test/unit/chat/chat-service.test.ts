// The chat commands end to end without Discord: admission (strangers get no answer and are audited), parsing, the
// viewer/trader table, each command's answer over the in-memory Store, and one chat_command audit event per command.
import { describe, expect, it } from 'vitest';
import type { ChatDeps } from '../../../src/chat/chat-deps.js';
import { createChatService, type ChatInput } from '../../../src/chat/chat-service.js';
import type { FailsafeCheck } from '../../../src/domain/failsafes.js';
import { createMemoryStore, type MemoryStore } from '../../support/memory-store.js';
import { memoryChatDeps, silentLog, tradeIn } from '../../support/chat-fakes.js';

const NOW = Date.parse('2026-01-06T15:00:00Z'); // Tuesday 10:00 New York
const CHANNEL = '111';
const TRADER = '900';
const VIEWER = '901';

function setup(overrides: Partial<ChatDeps> = {}) {
  const store = createMemoryStore(() => NOW);
  const deps = memoryChatDeps(store, () => NOW, overrides);
  const service = createChatService({
    access: {
      channels: [CHANNEL, '222'],
      users: [
        { id: TRADER, role: 'trader' },
        { id: VIEWER, role: 'viewer' },
      ],
    },
    deps,
    audit: (e) => store.audit.append(e),
    log: silentLog,
  });
  const say = (userId: string, text: string, channelId = CHANNEL) =>
    service.handle({ userId, channelId, via: 'message', input: text });
  return { store, service, say };
}

const chatAudit = (store: MemoryStore) =>
  store.state.audit.filter((e) => e.kind === 'chat_command' || e.kind === 'chat_refused');
const textOf = (r: Awaited<ReturnType<ReturnType<typeof setup>['say']>>) => (r.answer ? r.reply.text : '');

describe('who is heard', () => {
  it('a stranger, or anyone in an unlisted channel, gets no answer; both are audited as refused', async () => {
    const { store, say, service } = setup();
    const stranger = await say('999', 'halt');
    const elsewhere = await say(TRADER, 'halt', '333');
    const click = await service.handle({ userId: '999', channelId: CHANNEL, via: 'button', input: 'approve:x' });
    expect([stranger.answer, elsewhere.answer, click.answer]).toEqual([false, false, false]);
    expect((await store.tradingState.get()).state).toBe('active');
    expect(chatAudit(store).map((e) => [e.kind, e.data])).toEqual([
      ['chat_refused', { userId: '999', channelId: CHANNEL, via: 'message', why: 'user_not_listed', text: 'halt' }],
      ['chat_refused', { userId: TRADER, channelId: '333', via: 'message', why: 'channel_not_listed', text: 'halt' }],
      ['chat_refused', { userId: '999', channelId: CHANNEL, via: 'button', why: 'user_not_listed', text: 'approve:x' }],
    ]);
  });
});

describe('halt and resume', () => {
  it('a trader halts with flatten and a reason, then resumes: the state, its audit and the chat audit follow', async () => {
    const { store, say } = setup();
    const halted = await say(TRADER, 'halt flatten too volatile');
    expect(halted).toMatchObject({ answer: true, outcome: 'ok', command: 'halt' });
    expect(textOf(halted)).toMatch(/^Trading \*\*HALTED\*\* \(was active\) by discord:900: too volatile/);
    expect(await store.tradingState.get()).toMatchObject({
      state: 'halted',
      by: 'discord:900',
      reason: 'too volatile',
      flatten: true,
    });
    const resumed = await say(TRADER, 'resume calm again');
    expect(textOf(resumed)).toMatch(/^Trading \*\*ACTIVE\*\* \(was halted\) by discord:900: calm again/);
    expect((await store.tradingState.get()).state).toBe('active');
    expect(store.state.audit.map((e) => e.kind)).toEqual(['halt', 'chat_command', 'resume', 'chat_command']);
    expect(chatAudit(store).map((e) => e.data)).toEqual([
      {
        userId: TRADER,
        channelId: CHANNEL,
        via: 'message',
        by: 'discord:900',
        role: 'trader',
        command: 'halt',
        outcome: 'ok',
        args: { flatten: true, reason: 'too volatile' },
        ms: expect.any(Number),
      },
      expect.objectContaining({ command: 'resume', outcome: 'ok', args: { force: false, reason: 'calm again' } }),
    ]);
  });

  it('a viewer may not halt: refused in reply, nothing changes, audited as forbidden', async () => {
    const { store, say } = setup();
    const r = await say(VIEWER, 'halt flatten');
    expect(r).toMatchObject({ answer: true, outcome: 'forbidden' });
    expect(textOf(r)).toBe('Refused: a viewer may not halt; only traders may change anything.');
    expect(await store.tradingState.get()).toEqual({ state: 'active' });
    expect(chatAudit(store).map((e) => [e.data!['command'], e.data!['outcome'], e.data!['role']])).toEqual([
      ['halt', 'forbidden', 'viewer'],
    ]);
  });

  it('resume while a trade is broken is declined and names it; resume force with a reason goes through', async () => {
    const { store, say } = setup();
    const broken = await tradeIn(store, ['Broken']);
    await store.tradingState.set('reducing', 'executor', 'broken group');
    const refused = await say(TRADER, 'resume');
    expect(refused).toMatchObject({ outcome: 'declined' });
    expect(textOf(refused)).toContain(`broken trade ${broken.id}`);
    expect(textOf(refused)).toContain('resume force <reason>');
    expect((await store.tradingState.get()).state).toBe('reducing');
    const forced = await say(TRADER, 'resume force checked by hand');
    expect(forced).toMatchObject({ outcome: 'ok' });
    expect(textOf(forced)).toContain('Forced past 1 broken trade(s)');
    expect((await store.tradingState.get()).state).toBe('active');
    expect(store.state.audit.find((e) => e.kind === 'resume')?.data).toMatchObject({
      forced: true,
      overriddenTrades: [broken.id],
    });
    expect(chatAudit(store).map((e) => [e.data!['outcome'], e.data!['declined']])).toEqual([
      ['declined', 'broken'],
      ['ok', undefined],
    ]);
  });
});

describe('answers', () => {
  it('status: state, failsafes, trades and P&L today', async () => {
    const failsafes: FailsafeCheck[] = [
      { name: 'dailyLoss', state: 'ok', reason: 'down $10.00 of $500.00', flatten: false, data: {} },
      { name: 'drawdown', state: 'tripped', reason: '12% from the peak', flatten: false, data: {} },
    ];
    const { store, say } = setup({ failsafes: async () => failsafes });
    await tradeIn(store, ['Opened'], { underlying: 'SPY' });
    await tradeIn(store, ['Broken'], { underlying: 'QQQ' });
    await tradeIn(store, ['Opened', 'Closed'], { underlying: 'IWM', fields: { realizedPnlCents: 4_250 } });
    const portfolio = await store.portfolio.ensure('sim', '5WT00001');
    const snap = (kind: 'close' | 'intraday', at: string, sessionDate: string, netLiqCents: number) =>
      store.portfolio.recordSnapshot(portfolio.id, {
        kind,
        at: Date.parse(at),
        sessionDate,
        netLiqCents,
        cashCents: 0,
        buyingPowerCents: 0,
        realizedPnlCents: 0,
        unrealizedPnlCents: 0,
        greeks: { delta: 0, betaDelta: 0, gamma: 0, theta: 0, vega: 0 },
        positions: [],
      });
    await snap('close', '2026-01-05T21:00:00Z', '2026-01-05', 10_000_000);
    await snap('intraday', '2026-01-06T14:55:00Z', '2026-01-06', 10_012_000);
    await store.tradingState.set('halted', 'cli:bob', 'lunch');
    const text = textOf(await say(VIEWER, 'status'));
    expect(text.split('\n')).toEqual([
      '**Trading HALTED** since Tue 2026-01-06 10:00 EST by cli:bob: lunch',
      'Failsafes: dailyLoss ok · drawdown **TRIPPED** (12% from the peak)',
      'Trades: 1 open · 1 broken · 0 working (entering or exiting)',
      'P&L today: realised +$42.50 (1 settled today) · net liq $100,120.00, +$120.00 since the last close (snapshot Tue 2026-01-06 09:55 EST)',
    ]);
  });

  it('status without the broker: the failsafe trips Postgres holds', async () => {
    const { store, say } = setup({
      failsafes: async () => {
        throw new Error('broker down');
      },
    });
    await store.failsafes.trip('dailyLoss', 'failsafe dailyLoss: down $600', {});
    const text = textOf(await say(VIEWER, '!status'));
    expect(text).toContain('Failsafes: dailyLoss **TRIPPED** (failsafe dailyLoss: down $600)');
    expect(text).toContain('net liq: no account snapshot yet');
  });

  it('trades and trade <id>: short ids, statuses, P&L; a prefix finds the trade', async () => {
    const { store, say } = setup();
    const closed = await tradeIn(store, ['Opened', 'Closed'], {
      id: 'aaaa1111-0000-4000-8000-000000000001',
      underlying: 'IWM',
      fields: { realizedPnlCents: -1_500, exitReason: 'stop loss' },
    });
    await tradeIn(store, ['Opened'], { id: 'bbbb2222-0000-4000-8000-000000000002' });
    const list = textOf(await say(VIEWER, 'trades'));
    expect(list).toMatch(/aaaa1111 +IWM +iron-condor +1x +2026-02-20 +closed +\(\$1\.23\) +-\$15\.00/);
    expect(list).toMatch(/bbbb2222 +SPY .* open /);
    const one = textOf(await say(VIEWER, 'trade aaaa1111'));
    expect(one).toContain(`**Trade ${closed.id}** — IWM iron-condor 1x, expires 2026-02-20: **closed**`);
    expect(one).toContain('Legs: short 1 560P, long 1 555P');
    expect(one).toContain('Exit reason: stop loss');
    expect(textOf(await say(VIEWER, 'trade cccc3333'))).toBe('No trade starts with cccc3333.');
  });

  it('a usage mistake is answered and audited as invalid; a failing command as error', async () => {
    const { store, say } = setup({
      riskReport: async () => {
        throw new Error('no quotes');
      },
    });
    expect(textOf(await say(TRADER, 'trade'))).toBe('trade: needs a trade id. Usage: trade <id>');
    expect(textOf(await say(TRADER, 'risk'))).toBe('risk failed: no quotes');
    expect(chatAudit(store).map((e) => [e.data!['command'], e.data!['outcome'], e.data!['error']])).toEqual([
      ['trade', 'invalid', 'trade: needs a trade id. Usage: trade <id>'],
      ['risk', 'error', 'no quotes'],
    ]);
  });

  it('rules: the rule sets in force and each refused edit at file:line:col; candidates as a table', async () => {
    const { say } = setup({
      rules: async () => ({
        active: [
          { name: 'ic', file: 'rules/ic.yaml', hash: 'abcdef0123456789', enabled: true, strategy: 'iron-condor' },
        ],
        refused: [
          {
            file: 'rules/ic.yaml',
            since: '2026-01-06T14:00:00.000Z',
            activeHash: 'abcdef0123456789',
            problems: [{ line: 7, col: 12, message: 'dte.min must be at most dte.max' }],
          },
          { file: 'rules/new.yaml', since: '2026-01-06T14:30:00.000Z', activeHash: null, problems: [] },
        ],
      }),
      candidates: async (limit) => {
        expect(limit).toBe(10);
        return [
          {
            id: 'c1',
            candidateKey: 'k1',
            scanRunId: 'r1',
            ruleSet: 'ic',
            rulesHash: 'h',
            strategy: 'iron-condor',
            underlying: 'SPY',
            expiration: '2026-02-20',
            dte: 45,
            creditMidCents: 135,
            creditNaturalCents: 110,
            facts: {},
            legs: [],
            trace: null,
            rank: 1,
            score: 0.8123,
            selected: true,
            createdAt: new Date(NOW),
          },
        ];
      },
    });
    expect(textOf(await say(VIEWER, 'rules')).split('\n')).toEqual([
      '**Rule sets in force** (1)',
      '```',
      'name  strategy     enabled  file           hash',
      'ic    iron-condor  yes      rules/ic.yaml  abcdef01',
      '```',
      '**Refused edits** (2; the last good version stays in force)',
      '• rules/ic.yaml (since 2026-01-06T14:00:00.000Z; version abcdef01 stays in force)',
      '  rules/ic.yaml:7:12 dte.min must be at most dte.max',
      '• rules/new.yaml (since 2026-01-06T14:30:00.000Z; never valid: not in force)',
    ]);
    expect(textOf(await say(VIEWER, 'candidates'))).toContain(
      '1  ic        SPY  iron-condor  2026-02-20   45   $1.35  0.812  yes',
    );
  });

  it('help marks what a viewer may not do', async () => {
    const { say } = setup();
    const text = textOf(await say(VIEWER, 'help'));
    expect(text).toContain('you are a viewer');
    expect(text).toContain(
      '`halt [flatten] [reason…]` — Stop new entries (exits go on); flatten also closes everything held _(traders only)_',
    );
    expect(text).toContain('`status` — Trading state, failsafes, open trades and P&L today\n');
  });
});

describe('approvals', () => {
  it('a button or `approve <prefix>` decides through decideApproval as discord:<user>, once', async () => {
    const queued: [string, string][] = [];
    const store = createMemoryStore(() => NOW);
    const access = {
      channels: [CHANNEL],
      users: [
        { id: TRADER, role: 'trader' as const },
        { id: VIEWER, role: 'viewer' as const },
      ],
    };
    const service = createChatService({
      access,
      deps: memoryChatDeps(store, () => NOW, {}, queued),
      audit: (e) => store.audit.append(e),
      log: silentLog,
    });
    const t = await tradeIn(store, [], {
      id: 'cccc3333-0000-4000-8000-000000000003',
      approvalDeadline: new Date(NOW + 600_000),
    });
    const other = await tradeIn(store, [], {
      id: 'dddd4444-0000-4000-8000-000000000004',
      underlying: 'QQQ',
      approvalDeadline: new Date(NOW + 600_000),
    });
    const click: ChatInput = { userId: TRADER, channelId: CHANNEL, via: 'button', input: `approve:${t.id}` };
    const viewerClick = await service.handle({ ...click, userId: VIEWER });
    expect(viewerClick).toMatchObject({ outcome: 'forbidden' });
    expect((await store.trades.get(t.id))?.status).toBe('awaiting_approval');

    const first = await service.handle(click);
    expect(first).toMatchObject({ outcome: 'ok', command: 'approve' });
    expect(textOf(first)).toMatch(/^Approved SPY iron-condor 1x \(cccc3333\) by discord:900\. Its entry is queued/);
    expect(await store.trades.get(t.id)).toMatchObject({ status: 'pending', approvalBy: 'discord:900' });
    expect(queued).toEqual([[t.id, t.entryGroupId]]);

    const late = await service.handle({
      userId: TRADER,
      channelId: CHANNEL,
      via: 'message',
      input: 'reject cccc3333 too late',
    });
    expect(late).toMatchObject({ outcome: 'declined' });
    expect(textOf(late)).toMatch(
      /^Not rejected: trade cccc3333-.* was already decided approved by discord:900; it is pending\.$/,
    );

    const rejected = await service.handle({
      userId: TRADER,
      channelId: CHANNEL,
      via: 'slash',
      input: { command: 'reject', options: { id: other.id, reason: 'QQQ earnings' } },
    });
    expect(textOf(rejected)).toBe('Rejected QQQ iron-condor 1x (dddd4444) by discord:900: QQQ earnings.');
    expect(await store.trades.get(other.id)).toMatchObject({
      status: 'rejected',
      exitReason: 'rejected by discord:900: QQQ earnings',
    });
    expect(queued).toHaveLength(1);
    expect(
      store.state.audit.filter((e) => e.kind.startsWith('trade_')).map((e) => [e.kind, e.tradeId, e.data?.['by']]),
    ).toEqual([
      ['trade_approved', t.id, 'discord:900'],
      ['trade_rejected', other.id, 'discord:900'],
    ]);
    expect(chatAudit(store).map((e) => [e.data!['command'], e.data!['outcome'], e.data!['via']])).toEqual([
      ['approve', 'forbidden', 'button'],
      ['approve', 'ok', 'button'],
      ['reject', 'declined', 'message'],
      ['reject', 'ok', 'slash'],
    ]);
  });

  it('status counts proposals, and trade <id> of a proposal carries the buttons', async () => {
    const { store, say } = setup();
    const t = await tradeIn(store, [], { approvalDeadline: new Date(NOW + 600_000) });
    expect(textOf(await say(VIEWER, 'status'))).toContain('· 1 awaiting approval');
    const r = await say(VIEWER, `trade ${t.id}`);
    expect(textOf(r)).toContain('Awaiting approval until Tue 2026-01-06 10:10 EST.');
    expect(r.answer && r.reply.buttons?.map((b) => b.customId)).toEqual([`approve:${t.id}`, `reject:${t.id}`]);
  });
});
