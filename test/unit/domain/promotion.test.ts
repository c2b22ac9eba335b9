// The promotion rule as a table: which trades count as evidence (name, hash, paper environment, terminal state), what a
// broken group does, that a promotion belongs to one hash, the default N, and which rule sets production refuses.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MIN_PAPER_TRADES,
  notReadyReasons,
  type BrokenGroupRef,
  type EvidenceTrade,
  type Promotion,
  promotionStatus,
  unpromotedRuleSets,
} from '../../../src/domain/promotion.js';

const H = 'a'.repeat(64);
const H2 = 'b'.repeat(64);
const RS = { name: 'ic', hash: H };

let n = 0;
const trade = (over: Partial<EvidenceTrade> = {}): EvidenceTrade => ({
  id: `t${++n}`,
  ruleSet: 'ic',
  rulesHash: H,
  environment: 'sim',
  status: 'closed',
  realizedPnlCents: 1200,
  closedAt: new Date('2026-03-02T15:00:00Z'),
  ...over,
});
const closed = (k: number, over: Partial<EvidenceTrade> = {}) => Array.from({ length: k }, () => trade(over));
const promotion = (over: Partial<Promotion> = {}): Promotion => ({
  ruleSet: 'ic',
  rulesHash: H,
  promotedBy: 'cli:ana',
  promotedAt: new Date('2026-03-03T14:00:00Z'),
  reason: 'five clean weeks',
  evidence: { minPaperTrades: 5, trades: [], source: 'postgres://db/legwork' },
  ...over,
});

describe('promotionStatus', () => {
  const cases: {
    name: string;
    trades: EvidenceTrade[];
    broken?: (ts: EvidenceTrade[]) => BrokenGroupRef[];
    promotions?: Promotion[];
    min?: number | null;
    state: 'promoted' | 'ready' | 'not_ready';
    counted: number;
    needed: number;
    brokenCount?: number;
  }[] = [
    { name: 'no trades', trades: [], state: 'not_ready', counted: 0, needed: 5 },
    {
      name: 'five closed sim trades (null means the default 5)',
      trades: closed(5),
      state: 'ready',
      counted: 5,
      needed: 5,
    },
    { name: 'four are not enough', trades: closed(4), state: 'not_ready', counted: 4, needed: 5 },
    {
      name: 'every terminal state counts: closed, rejected, rolled back',
      trades: [...closed(3), trade({ status: 'rejected' }), trade({ status: 'rolled_back' })],
      state: 'ready',
      counted: 5,
      needed: 5,
    },
    {
      name: 'sandbox counts as paper',
      trades: [...closed(3), ...closed(2, { environment: 'sandbox' })],
      state: 'ready',
      counted: 5,
      needed: 5,
    },
    {
      name: 'production trades never count',
      trades: [...closed(4), trade({ environment: 'production' })],
      state: 'not_ready',
      counted: 4,
      needed: 5,
    },
    {
      name: 'open, closing, pending and broken trades are not terminal',
      trades: [
        ...closed(4),
        trade({ status: 'open' }),
        trade({ status: 'closing' }),
        trade({ status: 'pending' }),
        trade({ status: 'broken' }),
      ],
      state: 'not_ready',
      counted: 4,
      needed: 5,
    },
    {
      name: 'another hash (an edit) does not count',
      trades: [...closed(4), ...closed(3, { rulesHash: H2 })],
      state: 'not_ready',
      counted: 4,
      needed: 5,
    },
    {
      name: 'another rule set does not count',
      trades: [...closed(4), ...closed(3, { ruleSet: 'pcs' })],
      state: 'not_ready',
      counted: 4,
      needed: 5,
    },
    { name: 'account.yaml sets N = 2', trades: closed(2), min: 2, state: 'ready', counted: 2, needed: 2 },
    { name: 'N = 8 needs eight', trades: closed(7), min: 8, state: 'not_ready', counted: 7, needed: 8 },
    {
      name: 'a broken group of one of its paper trades blocks it',
      trades: closed(6),
      broken: (ts) => [{ groupId: 'g-broken', tradeId: ts[2]!.id }],
      state: 'not_ready',
      counted: 6,
      needed: 5,
      brokenCount: 1,
    },
    {
      name: 'a broken group of a trade with another hash does not',
      trades: [...closed(5), trade({ rulesHash: H2, status: 'broken' })],
      broken: (ts) => [{ groupId: 'g-other', tradeId: ts[5]!.id }],
      state: 'ready',
      counted: 5,
      needed: 5,
    },
    {
      name: 'a broken group of a production trade does not',
      trades: [...closed(5), trade({ environment: 'production' })],
      broken: (ts) => [{ groupId: 'g-prod', tradeId: ts[5]!.id }],
      state: 'ready',
      counted: 5,
      needed: 5,
    },
    {
      name: 'promoted at this hash, even with fewer trades now',
      trades: closed(1),
      promotions: [promotion()],
      state: 'promoted',
      counted: 1,
      needed: 5,
    },
    {
      name: 'a promotion of the previous hash does not carry over to an edit',
      trades: closed(5),
      promotions: [promotion({ rulesHash: H2 })],
      state: 'ready',
      counted: 5,
      needed: 5,
    },
    {
      name: 'a promotion of another rule set at the same content does not count',
      trades: closed(2),
      promotions: [promotion({ ruleSet: 'other' })],
      state: 'not_ready',
      counted: 2,
      needed: 5,
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const status = promotionStatus(RS, c.trades, c.broken?.(c.trades) ?? [], c.promotions ?? [], c.min ?? null);
      expect(status.state).toBe(c.state);
      expect(status.terminalPaperTrades).toBe(c.counted);
      expect(status.needed).toBe(c.needed);
      expect(status.broken).toHaveLength(c.brokenCount ?? 0);
      expect(status.evidence).toHaveLength(c.counted);
    });
  }

  it('records the counted trades with their environment and outcome, and who promoted when', () => {
    const ts = [
      trade({ id: 'x1', realizedPnlCents: -450, status: 'rolled_back' }),
      trade({ id: 'x2', environment: 'sandbox' }),
    ];
    const status = promotionStatus(RS, ts, [], [promotion()], 2);
    expect(status).toEqual({
      state: 'promoted',
      terminalPaperTrades: 2,
      needed: 2,
      broken: [],
      evidence: [
        {
          tradeId: 'x1',
          environment: 'sim',
          status: 'rolled_back',
          realizedPnlCents: -450,
          closedAt: '2026-03-02T15:00:00.000Z',
        },
        {
          tradeId: 'x2',
          environment: 'sandbox',
          status: 'closed',
          realizedPnlCents: 1200,
          closedAt: '2026-03-02T15:00:00.000Z',
        },
      ],
      promotedAt: new Date('2026-03-03T14:00:00Z'),
      by: 'cli:ana',
    });
  });

  it('says why it is not ready: the count and the broken groups by id', () => {
    const ts = closed(3);
    const status = promotionStatus(RS, ts, [{ groupId: 'g-9', tradeId: ts[0]!.id }], [], null);
    expect(notReadyReasons(status)).toEqual([
      `3 of ${DEFAULT_MIN_PAPER_TRADES} paper trades with this hash reached a terminal state`,
      '1 broken group: g-9',
    ]);
    expect(notReadyReasons(promotionStatus(RS, closed(5), [], [], null))).toEqual([]);
  });
});

describe('unpromotedRuleSets', () => {
  it('names enabled rule sets without a promotion of their current hash; disabled ones never trade', () => {
    const sets = [
      { name: 'ic', hash: H, file: 'rules/ic.yaml', enabled: true },
      { name: 'pcs', hash: H2, file: 'rules/pcs.yaml', enabled: true },
      { name: 'edited', hash: H2, file: 'rules/edited.yaml', enabled: true },
      { name: 'off', hash: H, file: 'rules/off.yaml', enabled: false },
    ];
    const promotions = [promotion(), promotion({ ruleSet: 'pcs', rulesHash: H2 }), promotion({ ruleSet: 'edited' })];
    expect(unpromotedRuleSets(sets, promotions).map((r) => r.name)).toEqual(['edited']);
    expect(unpromotedRuleSets(sets, []).map((r) => r.name)).toEqual(['ic', 'pcs', 'edited']);
  });
});
