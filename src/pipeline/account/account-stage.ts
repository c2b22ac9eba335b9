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
