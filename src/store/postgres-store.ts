// Owns the Store port over PostgreSQL: each repository method is a repo function bound to the pool or to a transaction.
import type { Environment } from '../domain/portfolio.js';
import type { SessionLock, Store } from '../pipeline/store-port.js';
import { within } from '../util/within.js';
import { appendAudit } from './audit.repo.js';
import { reserveWithin, type Queryable, type Sql } from './db.js';
import { feeCoverage, feesOfTrades, fillOwners, recordFees, tradesMissingFees } from './fees.repo.js';
import {
  cashOfGroup,
  cashOfGroupRole,
  fillCountOfBrokerOrder,
  filledOfBrokerOrder,
  filledOfGroup,
  filledOfOrder,
  filledUnitsOfOrder,
  firstFillOfGroup,
  groupHasFills,
  lastFillPrices,
  netOfGroup,
} from './fills.repo.js';
import {
  brokenUnsettledGroupIds,
  claimWorkingSlot,
  getGroup,
  groupActivity,
  groupOwner,
  groupsOfTrade,
  insertGroup,
  moveGroup,
  openGroups,
  workingEntryCount,
} from './groups.repo.js';
import {
  absenceChecksOfOrder,
  getOrder,
  heldPositions,
  insertPlannedOrder,
  linkBrokerOrderId,
  openOrders,
  orderByBrokerId,
  ordersOfGroup,
  otherOrdersOfTrade,
  positionsOfTrades,
  recordFill,
  tradePositions,
  transitionOrder,
} from './orders.repo.js';
import {
  candidatesOfRun,
  finishScanRun,
  getRuleVersion,
  insertCandidates,
  recordRuleVersion,
  setRanks,
  startScanRun,
} from './scans.repo.js';
import { getTradingState, setTradingState } from './settings.repo.js';
import {
  recordedSettlementIds,
  recordSettlement,
  settledOptionOwners,
  settlementKindsOf,
  settlementPrices,
} from './settlements.repo.js';
import {
  brokenTradeIds,
  correctRealizedPnl,
  getTrade,
  insertPendingTradeWithinLimit,
  listTrades,
  moveTrade,
  riskSummary,
  setTradeQuantity,
  settledFlatTradeIds,
} from './trades.repo.js';
import {
  activeTrips,
  ensurePortfolio,
  getPortfolio,
  lastReset,
  latestSnapshot,
  latestTrips,
  peakNetLiq,
  portfolioPositions,
  recordSnapshot,
  resetTrips,
  snapshotsSince,
  syncPortfolio,
  tripFailsafe,
} from './portfolio.repo.js';
import { getPromotion } from './promotions.repo.js';
import { outsideCloseOrdersOf, recordedOutsideCloseIds, recordOutsideClose } from './outside-closes.repo.js';
import { withTx } from './tx.js';

/**
 * The Store over the pool `sql`, for a process trading in `environment` (TT_ENV): new trades record it. Without one
 * (reports that only read) the Store refuses to insert a trade rather than guess where it runs.
 */
export function createPostgresStore(sql: Sql, environment?: Environment): Store {
  return bind(sql, sql, environment);
}

/** Repositories over `q` (the pool or one transaction); `pool` (null inside a transaction) opens transactions and locks. */
function bind(q: Queryable, pool: Sql | null, environment: Environment | undefined): Store {
  const store: Store = {
    environment,
    trades: {
      get: (id) => getTrade(q, id),
      list: (options) => listTrades(q, options),
      move: (id, event, fields) => moveTrade(q, id, event, fields),
      setQuantity: (id, quantity) => setTradeQuantity(q, id, quantity),
      correctRealizedPnl: (id, cents) => correctRealizedPnl(q, id, cents),
      insertPendingWithinLimit: (trade) =>
        environment
          ? insertPendingTradeWithinLimit(q, trade, environment)
          : Promise.reject(new Error('this Store was opened without an environment (TT_ENV): it cannot insert trades')),
      riskSummary: (ruleSet) => riskSummary(q, ruleSet),
      brokenIds: () => brokenTradeIds(q),
      settledFlatIds: () => settledFlatTradeIds(q),
    },
    groups: {
      get: (id) => getGroup(q, id),
      insert: (id, intent) => insertGroup(q, id, intent),
      move: (id, event, fields) => moveGroup(q, id, event, fields),
      open: () => openGroups(q),
      ofTrade: (tradeId) => groupsOfTrade(q, tradeId),
      owner: (id) => groupOwner(q, id),
      workingEntryCount: (exceptGroupId) => workingEntryCount(q, exceptGroupId),
      claimWorkingSlot: (group, max) => claimWorkingSlot(q, group, max),
      brokenUnsettledIds: () => brokenUnsettledGroupIds(q),
      activity: (group) => groupActivity(q, group),
    },
    orders: {
      insertPlanned: (order) => insertPlannedOrder(q, order),
      get: (id) => getOrder(q, id),
      ofGroup: (groupId) => ordersOfGroup(q, groupId),
      byBrokerId: (brokerOrderId) => orderByBrokerId(q, brokerOrderId),
      open: () => openOrders(q),
      transition: (orderId, event, source, fields, dedupeKey) =>
        transitionOrder(q, orderId, event, source, fields, dedupeKey),
      othersOfTrade: (tradeId, exceptOrderId, statuses) => otherOrdersOfTrade(q, tradeId, exceptOrderId, statuses),
      absenceChecks: (orderId, reason) => absenceChecksOfOrder(q, orderId, reason),
      linkBrokerId: (brokerOrderId, orderId) => linkBrokerOrderId(q, brokerOrderId, orderId),
    },
    fills: {
      record: (fill) => recordFill(q, fill),
      unitsOfOrder: (order) => filledUnitsOfOrder(q, order),
      ofBrokerOrder: (brokerOrderId) => filledOfBrokerOrder(q, brokerOrderId),
      ofOrder: (orderId) => filledOfOrder(q, orderId),
      ofGroup: (groupId) => filledOfGroup(q, groupId),
      countOfBrokerOrder: (brokerOrderId) => fillCountOfBrokerOrder(q, brokerOrderId),
      netOfGroup: (groupId) => netOfGroup(q, groupId),
      anyOfGroup: (groupId) => groupHasFills(q, groupId),
      cashOfGroup: (groupId) => cashOfGroup(q, groupId),
      cashOfGroupRole: (groupId, role) => cashOfGroupRole(q, groupId, role),
      firstOfGroup: (groupId) => firstFillOfGroup(q, groupId),
      lastPrices: (tradeId) => lastFillPrices(q, tradeId),
    },
    positions: {
      ofTrade: (tradeId) => tradePositions(q, tradeId),
      ofTrades: (tradeIds) => positionsOfTrades(q, tradeIds),
      held: () => heldPositions(q),
    },
    audit: { append: (event) => appendAudit(q, event) },
    tradingState: {
      get: () => getTradingState(q),
      set: (state, by, reason, options) => setTradingState(q, state, by, reason, options),
    },
    settlements: {
      record: (tradeId, settlement, action) => recordSettlement(q, tradeId, settlement, action),
      recordedIds: (ids) => recordedSettlementIds(q, ids),
      optionOwners: () => settledOptionOwners(q),
      kindsOf: (tradeId) => settlementKindsOf(q, tradeId),
      deliveryPrices: (tradeId) => settlementPrices(q, tradeId),
    },
    outsideCloses: {
      record: (tradeId, fill) => recordOutsideClose(q, tradeId, fill),
      recordedIds: (ids) => recordedOutsideCloseIds(q, ids),
      ordersOf: (tradeId) => outsideCloseOrdersOf(q, tradeId),
    },
    fees: {
      record: (owners, transactions) => recordFees(q, owners, transactions),
      ofTrades: (tradeIds) => feesOfTrades(q, tradeIds),
      fillOwners: (tradeId) => fillOwners(q, tradeId),
      coverage: (tradeId) => feeCoverage(q, tradeId),
      tradesMissing: (days) => tradesMissingFees(q, days),
    },
    scans: {
      recordRuleVersion: (version) => recordRuleVersion(q, version),
      ruleVersion: (hash) => getRuleVersion(q, hash),
      start: (run) => startScanRun(q, run),
      finish: (id, result) => finishScanRun(q, id, result),
      insertCandidates: (scanRunId, rows) => insertCandidates(q, scanRunId, rows),
      candidatesOf: (scanRunId) => candidatesOfRun(q, scanRunId),
      setRanks: (scanRunId, ranks) => setRanks(q, scanRunId, ranks),
    },
    portfolio: {
      ensure: (environment, accountNumber) => ensurePortfolio(q, environment, accountNumber),
      get: (environment, accountNumber) => getPortfolio(q, environment, accountNumber),
      sync: (portfolioId, balances, positions) =>
        pool
          ? withTx(pool, (tx) => syncPortfolio(tx, portfolioId, balances, positions))
          : syncPortfolio(q, portfolioId, balances, positions),
      positions: (portfolioId) => portfolioPositions(q, portfolioId),
      recordSnapshot: (portfolioId, snapshot) => recordSnapshot(q, portfolioId, snapshot),
      snapshotsSince: (portfolioId, sinceMs, kind) => snapshotsSince(q, portfolioId, sinceMs, kind),
      latestSnapshot: (portfolioId, kind) => latestSnapshot(q, portfolioId, kind),
      peakNetLiq: (portfolioId, sinceMs) => peakNetLiq(q, portfolioId, sinceMs),
    },
    failsafes: {
      active: () => activeTrips(q),
      latest: () => latestTrips(q),
      trip: (name, reason, data) => tripFailsafe(q, name, reason, data),
      reset: (by) => resetTrips(q, by),
      lastReset: (name) => lastReset(q, name),
    },
    promotions: { get: (ruleSet, rulesHash) => getPromotion(q, ruleSet, rulesHash) },
    tx: (fn) => (pool ? withTx(pool, (tx) => fn(bind(tx, null, environment))) : fn(store)),
    groupLock: (groupId) => {
      if (!pool) return Promise.reject(new Error('a group lock is taken outside a transaction'));
      return groupLock(pool, groupId);
    },
  };
  return store;
}

/**
 * Session-level advisory lock on a reserved connection: released on unlock, or by PostgreSQL when the process dies.
 * Every step is bounded (postgres.js can leave a reserve or a query on a reserved connection waiting forever after a
 * crash); a lock it failed to drop lasts until the pool closes the idle connection (idle_timeout 30 s).
 */
async function groupLock(sql: Sql, groupId: string): Promise<SessionLock> {
  const reserved = await reserveWithin(sql, 10_000);
  const key = `legwork:group:${groupId}`;
  let held = false;
  return {
    async tryAcquire() {
      const [row] = await within(
        reserved<{ ok: boolean }[]>`select pg_try_advisory_lock(hashtextextended(${key}, 0)) as ok`,
        10_000,
        'group lock',
      );
      held = row?.ok === true;
      return held;
    },
    async release() {
      try {
        if (held)
          await within(
            reserved`select pg_advisory_unlock(hashtextextended(${key}, 0))`.execute(),
            10_000,
            'group unlock',
          ).catch(() => {});
      } finally {
        reserved.release();
      }
    },
  };
}
