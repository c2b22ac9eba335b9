// Owns running one whole scan of a rule set in the test's process (start, each underlying of its symbol list, finish),
// as the scan workers run it, without queueing the flow: the tests of approval and of the Discord bot use it.
import type { AppContext } from '../../src/app/context.js';
import { finishScan, type ScanContext, scanOneUnderlying, startScan } from '../../src/pipeline/scan/scan-stage.js';

export async function scanInProcess(app: AppContext, ruleSet: string, slot: string) {
  const scanCtx: ScanContext = { ...app.scan, jobs: { ...app.scan.jobs, addScanFlow: async () => {} } };
  const started = await startScan(scanCtx, ruleSet, slot);
  if (started.status !== 'started') throw new Error(`scan ${ruleSet} ${slot}: ${JSON.stringify(started)}`);
  const rs = app.rules.get(ruleSet);
  if (!rs?.universe.symbols) throw new Error(`scan ${ruleSet}: no such rule set with a symbol list`);
  const symbols = rs.universe.symbols;
  const metrics = await app.marketData.metrics(symbols);
  const job = { scanRunId: started.scanRunId, ruleSet, rulesHash: rs.hash };
  const children = [];
  for (const underlying of symbols)
    children.push(await scanOneUnderlying(scanCtx, { ...job, underlying, metrics: metrics.get(underlying) ?? null }));
  return finishScan(scanCtx, job, children);
}
