// Owns the account stage's public face: one portfolio sync with its snapshots (at start, after the account streamer's
// balance and position events, periodically) and the history that `legwork history` and GET /api/history read.
export {
  syncPortfolio,
  type PortfolioSyncContext,
  type PortfolioSyncOptions,
  type PortfolioSyncReport,
} from './portfolio-sync.js';
export {
  DEFAULT_HISTORY_DAYS,
  historyRows,
  loadHistory,
  type AccountHistory,
  type HistoryRow,
} from './history.js';
export {
  DEFAULT_HISTORY_DAYS as RISK_HISTORY_DAYS,
  RISK_FREE_RATE,
  riskReport,
  type RiskReport,
} from './risk-report.js';
