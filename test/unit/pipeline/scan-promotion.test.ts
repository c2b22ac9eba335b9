// In production a scan runs a rule set only at a promoted hash: an unpromoted one (or a hot-reloaded edit of a promoted
// one) is skipped before anything is scanned or recorded, audited once per hash; paper mode needs no promotion.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Environment } from '../../../src/domain/portfolio.js';
import { createLogger } from '../../../src/log.js';
import { startScan, type ScanContext } from '../../../src/pipeline/scan/scan-stage.js';
import { RuleRegistry } from '../../../src/rules/loader.js';
import { FakeBroker, FakeMarketData, ManualClock } from '../../support/fake-broker.js';
import { createMemoryStore, emptyState, type MemoryStore } from '../../support/memory-store.js';
import { condorRule } from '../../support/rules.js';

function setup(environment: Environment) {
  const clock = new ManualClock();
  const dir = mkdtempSync(join(tmpdir(), 'lw-promo-scan-'));
  const write = (text: string) => writeFileSync(join(dir, 'ic.yaml'), text);
  write(condorRule({ name: 'ic' }));
  const store: MemoryStore = createMemoryStore(clock.now, emptyState(), environment);
  const market = new FakeMarketData(clock);
  const flows: string[] = [];
  const rules = new RuleRegistry(dir);
  const ctx: ScanContext = {
    store,
    broker: new FakeBroker(clock, market),
    marketData: market,
    rules,
    jobs: {
      addScanFlow: async (scan) => {
        flows.push(`${scan.ruleSet}:${scan.rulesHash}`);
      },
      enqueueExecute: async () => {},
    },
    log: createLogger({ level: 'silent', pretty: false }),
    now: clock.now,
  };
  const promote = (hash: string) =>
    store.state.promotions.push({
      ruleSet: 'ic',
      rulesHash: hash,
      promotedBy: 'cli:test',
      promotedAt: new Date(clock.now()),
      reason: 'test',
      evidence: { minPaperTrades: 5, trades: [], source: 'test' },
    });
  return { ctx, store, flows, rules, write, promote };
}

const unpromotedAudit = (store: MemoryStore) => store.state.audit.filter((a) => a.kind === 'rule_set_unpromoted');

describe('scan in production', () => {
  it('skips an unpromoted rule set: nothing scanned, no scan run, audited once per hash', async () => {
    const { ctx, store, flows, rules } = setup('production');
    const first = await startScan(ctx, 'ic', 'slot-1');
    const second = await startScan(ctx, 'ic', 'slot-2');
    const hash = rules.get('ic')!.hash;
    for (const r of [first, second]) {
      expect(r.status).toBe('skipped');
      expect(r.status === 'skipped' && r.reason).toBe(
        `rule set ic is not promoted at sha256:${hash.slice(0, 12)} (${rules.get('ic')!.file}); run legwork promote ic --reason …`,
      );
    }
    expect(flows).toEqual([]);
    expect(store.state.scanRuns).toEqual([]);
    expect(unpromotedAudit(store).map((a) => a.data)).toEqual([
      { ruleSet: 'ic', rulesHash: hash, file: rules.get('ic')!.file },
    ]);
  });

  it('scans once promoted at that hash, and skips again after an edit (a new hash) until that is promoted', async () => {
    const { ctx, store, flows, rules, write, promote } = setup('production');
    await startScan(ctx, 'ic', 'slot-0'); // loads the file
    const h1 = rules.get('ic')!.hash;
    promote(h1);
    expect(await startScan(ctx, 'ic', 'slot-1')).toMatchObject({ status: 'started', underlyings: 1 });
    expect(flows).toEqual([`ic:${h1}`]);

    write(condorRule({ name: 'ic', risk: 'maxWorkingGroups: 4' })); // hot reload picks the edit up at the next scan
    const edited = await startScan(ctx, 'ic', 'slot-2');
    const h2 = rules.get('ic')!.hash;
    expect(h2).not.toBe(h1);
    expect(edited.status).toBe('skipped');
    expect(flows).toEqual([`ic:${h1}`]);
    expect(unpromotedAudit(store).map((a) => a.data?.['rulesHash'])).toEqual([h1, h2]);

    promote(h2);
    expect(await startScan(ctx, 'ic', 'slot-3')).toMatchObject({ status: 'started' });
    expect(flows).toEqual([`ic:${h1}`, `ic:${h2}`]);
  });
});

describe('scan in paper mode', () => {
  for (const environment of ['sim', 'sandbox'] as const) {
    it(`${environment}: needs no promotion`, async () => {
      const { ctx, store, flows, rules } = setup(environment);
      expect(await startScan(ctx, 'ic', 'slot-1')).toMatchObject({ status: 'started' });
      expect(flows).toEqual([`ic:${rules.get('ic')!.hash}`]);
      expect(unpromotedAudit(store)).toEqual([]);
    });
  }
});
