// Owns the Tastytrade adapter's mapping API in one import: wire JSON (parsed by wire.ts) ⇄ Legwork domain types.
// The work is split by subject into mapper-orders, mapper-account, mapper-market, mapper-streamer and mapper-errors.
export {
  mapOrderStatus,
  orderRequestToWire,
  parseDryRun,
  parseOrder,
  parseOrders,
  parsePlaceResponse,
  replaceToWire,
} from './mapper-orders.js';
export { parseAccounts, parseBalances, parsePosition, parsePositions, parseTransactions } from './mapper-account.js';
export { parseSettlements } from './mapper-settlements.js';
export {
  DX_FLAGS,
  parseCandleEvent,
  type CandleEvent,
  parseGreeksEvent,
  parseMarketMetrics,
  parseMarketSession,
  parseNestedChain,
  parseQuoteEvent,
  parseQuoteToken,
} from './mapper-market.js';
export {
  inferNotificationType,
  notificationToEvent,
  parseStreamerMessage,
  type StreamerMessage,
} from './mapper-streamer.js';
export { parseErrorBody } from './mapper-errors.js';
export { WireFormatError } from './wire.js';
