// Owns putting scans and trades on BullMQ: the per-underlying flow of a scan and the executor's jobs, with deterministic ids.
import type { MarketMetrics } from '../domain/market.js';
import type { ScanJobs } from '../pipeline/scan/scan-stage.js';
import { bullExecJobs } from './exec-jobs.js';
import { jobId, type JobPayload } from './jobs.js';
import { retentionFor, type Queues } from './queues.js';

export const ENTRY_PRIORITY = 10;

export function bullScanJobs(queues: Queues): ScanJobs {
  return {
    async addScanFlow(scan, children: { underlying: string; metrics: MarketMetrics | null }[]) {
      const data: JobPayload<'rank'> = scan;
      await queues.flows.add({
        name: 'rank',
        queueName: 'scan',
        data,
        opts: { ...retentionFor('scan'), jobId: jobId('rank', scan.scanRunId) },
        children: children.map(({ underlying, metrics }) => {
          const child: JobPayload<'scan-underlying'> = { ...scan, underlying, metrics };
          return {
            name: 'scan-underlying',
            queueName: 'scan-underlying',
            data: child,
            // A child that still fails after its retries must not hold the scan back: it is recorded and skipped
            opts: {
              ...retentionFor('scan-underlying'),
              jobId: jobId('scanu', scan.scanRunId, underlying),
              ignoreDependencyOnFailure: true,
            },
          };
        }),
      });
    },
    async enqueueExecute(tradeId, groupId) {
      // Entries wait behind exits and monitoring: BullMQ runs lower priority numbers first (exits use 1)
      await bullExecJobs(queues).enqueueExecute(tradeId, groupId, { priority: ENTRY_PRIORITY });
    },
  };
}

/** A scan by hand (CLI, API): its own slot, so it never collides with a scheduled run. */
export async function enqueueManualScan(queues: Queues, ruleSet: string, slot: string): Promise<void> {
  const data: JobPayload<'scan'> = { ruleSet, slot };
  await queues.scan.add('scan', data, { jobId: jobId('scan', ruleSet, slot) });
}
