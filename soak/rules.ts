// Owns the rule sets a soak trades with: short-dated condors that meet an expiration (pin risk closes them), put spreads
// held through expiration (settled, assigned, the shares closed), and longer condors whose close-at-DTE and time stop
// come due within the run. Scans every 30 simulated minutes; prices walk in simulated seconds.
const RISK =
  'risk: { maxOpenTrades: 10, maxTotalRisk: 300000, maxRiskPerUnderlying: 60000, maxWorkingGroups: 3, maxNewTradesPerScan: 2 }';
const ENTRY = 'entry: { price: mid, stepTicks: 2, stepEverySeconds: 30, maxSteps: 10, fillTimeoutSeconds: 600 }';

interface SoakRule {
  name: string;
  strategy: 'iron-condor' | 'put-credit-spread';
  symbols: string[];
  dte: { min: number; max: number };
  shortDelta: { target: number; tolerance: number };
  exits: string;
  /** Extra top-level lines (e.g. the assignment policy). */
  extra?: string;
}

/** One soak rule file: everything but what `r` names is shared by all three. */
function soakRule(r: SoakRule): string {
  return `version: 1
name: ${r.name}
strategy: ${r.strategy}
universe: { symbols: [${r.symbols.join(', ')}] }
schedule: { every: 30m, marketHoursOnly: true }
params: { dte: { min: ${r.dte.min}, max: ${r.dte.max} }, shortDelta: { target: ${r.shortDelta.target}, tolerance: ${r.shortDelta.tolerance} }, wings: { points: 5 }, maxCandidatesPerExpiration: 2 }
filters:
  credit_to_width: { min: 0.03 }
maxPerUnderlying: 1
sizing: { quantity: 1, maxRiskPerTrade: 10000 }
${ENTRY}
execution: { mode: combo, partialFill: close }
exits: { ${r.exits} }
${r.extra ? `${r.extra}\n` : ''}${RISK}
`;
}

export const SOAK_RULES: Record<string, string> = {
  // Loose on purpose: every entry goes through the account gate (greeks from DXLink) and every exit cycle checks the
  // failsafes, for days, without tripping them
  'account.yaml': `version: 1
allocation: { maxTotalRiskPct: 100, maxUnderlyingRiskPct: 100, maxRuleSetRiskPct: 100 }
greeks: { maxAbsBetaDelta: 1000000, maxAbsVega: 10000000 }
trades: { maxOpen: 10000, maxNewPerDay: 10000 }
failsafes: { dailyLoss: { pct: 50 }, drawdownPct: 90, brokerErrors: { count: 10000, minutes: 15 } }
`,
  'soak-weekly-condor.yaml': soakRule({
    name: 'soak-weekly-condor',
    strategy: 'iron-condor',
    symbols: ['SPY', 'QQQ'],
    dte: { min: 1, max: 9 },
    shortDelta: { target: 0.16, tolerance: 0.1 },
    exits: 'takeProfitPct: 50, stopLossMultiple: 2, closeAtDte: null',
  }),
  'soak-put-hold.yaml': soakRule({
    name: 'soak-put-hold',
    strategy: 'put-credit-spread',
    symbols: ['IWM'],
    dte: { min: 1, max: 7 },
    shortDelta: { target: 0.3, tolerance: 0.15 },
    exits:
      'takeProfitPct: null, stopLossMultiple: null, closeAtDte: null, timeStopDays: 6, holdThroughExpiration: true',
    extra: 'assignment: close',
  }),
  'soak-monthly-condor.yaml': soakRule({
    name: 'soak-monthly-condor',
    strategy: 'iron-condor',
    symbols: ['AAPL', 'MSFT'],
    dte: { min: 25, max: 50 },
    shortDelta: { target: 0.16, tolerance: 0.1 },
    exits: 'takeProfitPct: 80, stopLossMultiple: 3, closeAtDte: 25, timeStopDays: 4',
  }),
};
