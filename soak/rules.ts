// Owns the rule sets a soak trades with: short-dated condors that meet an expiration (pin risk closes them), put spreads
// held through expiration (settled, assigned, the shares closed), and longer condors whose close-at-DTE and time stop
// come due within the run. Scans every 30 simulated minutes; prices walk in simulated seconds.
const RISK = 'risk: { maxOpenTrades: 10, maxTotalRisk: 300000, maxRiskPerUnderlying: 60000, maxWorkingGroups: 3, maxNewTradesPerScan: 2 }';
const ENTRY = 'entry: { price: mid, stepTicks: 2, stepEverySeconds: 30, maxSteps: 10, fillTimeoutSeconds: 600 }';

export const SOAK_RULES: Record<string, string> = {
  'soak-weekly-condor.yaml': `version: 1
name: soak-weekly-condor
strategy: iron-condor
universe: { symbols: [SPY, QQQ] }
schedule: { every: 30m, marketHoursOnly: true }
params: { dte: { min: 1, max: 9 }, shortDelta: { target: 0.16, tolerance: 0.1 }, wings: { points: 5 }, maxCandidatesPerExpiration: 2 }
filters:
  credit_to_width: { min: 0.03 }
maxPerUnderlying: 1
sizing: { quantity: 1, maxRiskPerTrade: 10000 }
${ENTRY}
execution: { mode: combo, partialFill: close }
exits: { takeProfitPct: 50, stopLossMultiple: 2, closeAtDte: null }
${RISK}
`,
  'soak-put-hold.yaml': `version: 1
name: soak-put-hold
strategy: put-credit-spread
universe: { symbols: [IWM] }
schedule: { every: 30m, marketHoursOnly: true }
params: { dte: { min: 1, max: 7 }, shortDelta: { target: 0.3, tolerance: 0.15 }, wings: { points: 5 }, maxCandidatesPerExpiration: 2 }
filters:
  credit_to_width: { min: 0.03 }
maxPerUnderlying: 1
sizing: { quantity: 1, maxRiskPerTrade: 10000 }
${ENTRY}
execution: { mode: combo, partialFill: close }
exits: { takeProfitPct: null, stopLossMultiple: null, closeAtDte: null, timeStopDays: 6, holdThroughExpiration: true }
assignment: close
${RISK}
`,
  'soak-monthly-condor.yaml': `version: 1
name: soak-monthly-condor
strategy: iron-condor
universe: { symbols: [AAPL, MSFT] }
schedule: { every: 30m, marketHoursOnly: true }
params: { dte: { min: 25, max: 50 }, shortDelta: { target: 0.16, tolerance: 0.1 }, wings: { points: 5 }, maxCandidatesPerExpiration: 2 }
filters:
  credit_to_width: { min: 0.03 }
maxPerUnderlying: 1
sizing: { quantity: 1, maxRiskPerTrade: 10000 }
${ENTRY}
execution: { mode: combo, partialFill: close }
exits: { takeProfitPct: 80, stopLossMultiple: 3, closeAtDte: 25, timeStopDays: 4 }
${RISK}
`,
};
