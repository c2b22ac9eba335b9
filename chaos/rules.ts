// Owns the rule files a chaos campaign trades with: permissive filters (so trades happen on the venue's market), fast
// price walking and deadlines (so a campaign settles in seconds), and exits that a market jump can trigger.
import type { RulePlan } from './plan.js';

const PARAMS: Record<RulePlan['strategy'], string> = {
  'iron-condor':
    'params: { dte: { min: 20, max: 50 }, shortDelta: { target: 0.16, tolerance: 0.08 }, wings: { points: 5 }, maxCandidatesPerExpiration: 2 }',
  'put-credit-spread':
    'params: { dte: { min: 20, max: 50 }, shortDelta: { target: 0.25, tolerance: 0.1 }, wings: { points: 5 }, maxCandidatesPerExpiration: 2 }',
  'call-credit-spread':
    'params: { dte: { min: 20, max: 50 }, shortDelta: { target: 0.25, tolerance: 0.1 }, wings: { points: 5 }, maxCandidatesPerExpiration: 2 }',
  'iron-butterfly':
    'params: { dte: { min: 14, max: 50 }, body: atm, wings: { points: 10 }, maxCandidatesPerExpiration: 1 }',
};

export function chaosRuleFile(r: RulePlan): string {
  return `# chaos campaign rule set (generated)
version: 1
name: ${r.file.replace(/\.yaml$/, '')}
strategy: ${r.strategy}
universe: { symbols: [${r.symbols.join(', ')}] }
schedule: { every: 10s, marketHoursOnly: true }
${PARAMS[r.strategy]}
filters:
  credit_to_width: { min: 0.05 }
maxPerUnderlying: 1
sizing: { quantity: ${r.quantity}, maxRiskPerTrade: 10000 }
entry: { price: mid, stepTicks: 1, stepEverySeconds: 1, maxSteps: 3, fillTimeoutSeconds: 5 }
execution: { mode: ${r.mode}, partialFill: ${r.partialFill} }
exits: { takeProfitPct: 50, stopLossMultiple: 0.5, closeAtDte: null, underlyingThroughShortStrike: true }
risk: { maxOpenTrades: 20, maxTotalRisk: 200000, maxRiskPerUnderlying: 50000, maxWorkingGroups: 4, maxNewTradesPerScan: 5 }
`;
}
