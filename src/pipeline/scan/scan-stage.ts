// Owns the scan stage's public face: what workers, the CLI and the app context use of a scan (a rule set's scan flow,
// one underlying, ranking and selection). Everything else in scan/ is internal to it.
export {
  finishScan,
  reloadRules,
  scanOneUnderlying,
  startScan,
  type ScanContext,
  type ScanJobs,
  type UnderlyingResult,
} from './scan-flow.js';
export { scanRuleSet, type RankedCandidate, type ScanOutcome } from './scan-rule-set.js';
export { todayFromChain } from './scan-underlying.js';
export { pendingTradeOf, selectTrades } from './select-trades.js';
