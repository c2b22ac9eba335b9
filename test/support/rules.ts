// Owns the rule files integration tests trade with: a SPY iron condor whose name, entry pricing, execution and risk
// lines each test chooses (every other line is the same everywhere).
export interface CondorRuleOptions {
  name: string;
  symbols?: string[];
  entry?: string;
  execution?: string;
  /** Extra keys inside `risk: {...}`, e.g. "maxWorkingGroups: 5". */
  risk?: string;
}

export function condorRule(o: CondorRuleOptions): string {
  return `version: 1
name: ${o.name}
strategy: iron-condor
universe: { symbols: [${(o.symbols ?? ['SPY']).join(', ')}] }
schedule: { every: 5m }
params:
  dte: { min: 20, max: 50 }
  shortDelta: { target: 0.16, tolerance: 0.06 }
  wings: { points: 5 }
sizing: { quantity: 1, maxRiskPerTrade: 2000 }
entry: ${o.entry ?? '{ price: mid, stepTicks: 1, stepEverySeconds: 5, maxSteps: 8, fillTimeoutSeconds: 45 }'}
${o.execution ?? 'execution: { mode: combo, partialFill: close }'}
exits: { takeProfitPct: 50 }
risk: { maxOpenTrades: 50, maxTotalRisk: 500000, maxRiskPerUnderlying: 500000, ${o.risk ?? 'maxWorkingGroups: 5'} }
`;
}
