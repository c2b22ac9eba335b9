// Owns the read side of the JSON API (/api/*): health, readiness, trading state, trades, candidates, positions, rules,
// events, the account's history. Query strings are validated with zod; errors are `{error:{message}}` (see http/errors.ts).
import { isIdShaped } from '../domain/ids.js';
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { AppContext } from '../app/context.js';
import { CHAT_NOT_CONFIGURED, CHAT_NOT_REPORTING, type ChatStatus } from '../chat/chat-status.js';
import { createExecContext } from '../app/exec-context.js';
import { loadHistory, type RiskReport, riskReport } from '../pipeline/account/account-stage.js';
import { loadTradePnl, type TradePnl } from '../pipeline/pnl.js';
import { auditForTrade, recentAudit, type AuditRow } from '../store/audit.repo.js';
import { groupsOfTrade } from '../store/groups.repo.js';
import { ordersOfGroup, tradePositions } from '../store/orders.repo.js';
import { latestRankedCandidates } from '../store/scans.repo.js';
import { getTradingState } from '../store/settings.repo.js';
import { TRADE_STATUSES } from '../domain/trade-transitions.js';
import { getTrade, listTrades, type TradeRow } from '../store/trades.repo.js';
import type { HttpAuth } from './auth.js';
import { within } from '../util/within.js';
import { HttpError, parseOr400 } from './request-errors.js';

const limitSchema = (def: number, max: number) => z.coerce.number().int().min(1).max(max).default(def);
const tradesQuery = z.object({
  status: z
    .string()
    .optional()
    .transform((s) =>
      s
        ? s
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean)
        : undefined,
    )
    .pipe(z.array(z.enum(TRADE_STATUSES)).optional()),
  limit: limitSchema(100, 1000),
});
const limitQuery = z.object({ limit: limitSchema(100, 1000) });
const historyQuery = z.object({ days: z.coerce.number().int().min(1).max(3660).default(30) });
const uuid = z.string().refine(isIdShaped, 'must be a uuid');

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

/** A trade as the API shows it (also the body of an approve/reject answer). */
export function tradeJson(t: TradeRow, pnl: TradePnl | undefined) {
  const flat = pnl ? pnl.open.length === 0 : false;
  return {
    id: t.id,
    ruleSet: t.ruleSet,
    strategy: t.strategy,
    underlying: t.underlying,
    expiration: t.expiration,
    quantity: t.quantity,
    status: t.status,
    legs: t.legs.map((l) => ({
      symbol: l.symbol,
      action: l.action,
      quantity: l.quantity,
      strike: l.strike,
      right: l.right,
    })),
    entryCreditCents: t.entryCreditCents,
    realizedPnlCents: t.realizedPnlCents ?? (flat && pnl && pnl.cashCents !== 0 ? pnl.realizedCents : null),
    unrealizedPnlCents: pnl?.unrealizedCents ?? null,
    exitReason: t.exitReason,
    createdAt: iso(t.createdAt),
    openedAt: iso(t.openedAt),
    closedAt: iso(t.closedAt),
    // Proposed trades (execution.approval: manual): until when it may be approved; who approved or rejected it, when
    approvalDeadline: iso(t.approvalDeadline),
    approvalBy: t.approvalBy,
    approvalAt: iso(t.approvalAt),
  };
}

const eventJson = (e: AuditRow) => ({
  id: Number(e.id),
  at: iso(e.at),
  kind: e.kind,
  tradeId: e.tradeId,
  groupId: e.groupId,
  data: e.data,
});

interface Check {
  ok: boolean;
  ms: number;
  error?: string;
}

async function timed(work: () => Promise<unknown>, timeoutMs = 3000): Promise<Check> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      work(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      ok: false,
      ms: Math.round(performance.now() - started),
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The Discord bot as the chat process last reported it (Redis, fresh for 20 s; the chat role may run elsewhere, even
 * without this process knowing DISCORD_TOKEN). Reported only: never a reason to be unready.
 */
async function chatReadiness(app: Pick<AppContext, 'config' | 'chatStatus'>): Promise<ChatStatus> {
  try {
    const reported = await within(app.chatStatus.read(), 1000, 'chat status');
    if (reported) return reported;
    return app.config.discord ? CHAT_NOT_REPORTING : CHAT_NOT_CONFIGURED;
  } catch (error) {
    const why = `chat status unreadable: ${error instanceof Error ? error.message : String(error)}`;
    return app.config.discord ? { ...CHAT_NOT_REPORTING, lastError: why } : CHAT_NOT_CONFIGURED;
  }
}

export interface ReadRouteOptions {
  version: string;
  startedAt: number;
  /** The cached risk report GET /api/risk serves (default: one of its own, appRiskReport). */
  risk?: { get(): Promise<RiskReport> };
}

/** One risk report at a time, reused for `ttlMs` of wall time (it reads every position's quotes and 250 days of closes). */
export function cachedRiskReport(compute: () => Promise<RiskReport>, ttlMs: number): { get(): Promise<RiskReport> } {
  let last: { at: number; report: Promise<RiskReport> } | undefined;
  return {
    get() {
      // one-clock: a cache lifetime on this machine, not a trading decision
      const now = performance.now();
      if (!last || now - last.at > ttlMs) {
        const report = compute();
        last = { at: now, report };
        report.catch(() => {
          if (last?.report === report) last = undefined;
        });
      }
      return last.report;
    },
  };
}

/** The app's account risk report, computed at most every 30 s (shared by GET /api/risk and the /metrics gauges). */
export function appRiskReport(app: AppContext): { get(): Promise<RiskReport> } {
  return cachedRiskReport(() => riskReport(createExecContext(app), app.config.broker.env), 30_000);
}

export function readRoutes(app: AppContext, auth: HttpAuth, opts: ReadRouteOptions): Router {
  const risk = opts.risk ?? appRiskReport(app);
  const r = Router();

  r.get('/health', (_req, res) => {
    res.json({ status: 'ok', version: opts.version, uptimeSeconds: Math.round((Date.now() - opts.startedAt) / 1000) });
  });

  r.get('/ready', async (_req, res) => {
    const [redis, postgres, broker, chat] = await Promise.all([
      timed(() => app.queues.scan.isPaused()), // one Redis round trip
      timed(() => app.sql`select 1`),
      timed(() => app.broker.marketSession()),
      chatReadiness(app),
    ]);
    const refused = app.rules.errors().length;
    // A refused edit keeps the last good version in force: it is reported but does not make the process unready
    const rules = { ok: refused === 0, loaded: app.rules.active().length, refused };
    // Discord is reported (chat) but never makes the process unready: trading goes on without it
    const ready = redis.ok && postgres.ok && broker.ok;
    res.status(ready ? 200 : 503).json({ ready, checks: { redis, postgres, broker, rules, chat } });
  });

  r.use(auth.requireViewer);

  r.get('/state', async (_req, res) => {
    res.json({ tradingState: await getTradingState(app.sql) });
  });

  r.get('/trades', async (req, res) => {
    const q = parseOr400(tradesQuery, req.query, 'query');
    const trades = await listTrades(app.sql, { ...(q.status ? { statuses: q.status } : {}), limit: q.limit });
    const { pnl } = await loadTradePnl({ store: app.store, marketData: app.marketData }, trades, { timeoutMs: 2000 });
    res.json({ trades: trades.map((t) => tradeJson(t, pnl.get(t.id))) });
  });

  r.get('/trades/:id', async (req: Request<{ id: string }>, res) => {
    const id = parseOr400(uuid, req.params.id, 'id');
    const trade = await getTrade(app.sql, id);
    if (!trade) throw new HttpError(404, `no trade ${id}`);
    const [{ pnl }, groups, positions, events] = await Promise.all([
      loadTradePnl({ store: app.store, marketData: app.marketData }, [trade], { timeoutMs: 2000 }),
      groupsOfTrade(app.sql, id),
      tradePositions(app.sql, id),
      auditForTrade(app.sql, id),
    ]);
    const groupsJson = await Promise.all(
      groups.map(async (g) => ({
        id: g.id,
        kind: g.kind,
        mode: g.mode,
        status: g.status,
        reason: g.reason,
        orders: (await ordersOfGroup(app.sql, g.id)).map((o) => ({
          id: o.id,
          role: o.role,
          status: o.status,
          brokerOrderId: o.brokerOrderId,
          limitPriceCents: o.limitPriceCents,
          filledUnits: o.filledUnits,
          priceSteps: o.priceSteps,
        })),
      })),
    );
    res.json({
      trade: tradeJson(trade, pnl.get(id)),
      groups: groupsJson,
      positions: positions.map((p) => ({ symbol: p.symbol, quantity: p.quantity })),
      events: events.map((e) => ({ id: Number(e.id), at: iso(e.at), kind: e.kind, data: e.data })),
    });
  });

  r.get('/candidates/latest', async (req, res) => {
    const q = parseOr400(limitQuery, req.query, 'query');
    const rows = await latestRankedCandidates(app.sql, q.limit);
    res.json({
      candidates: rows.map((c) => ({
        rank: c.rank,
        score: c.score,
        ruleSet: c.ruleSet,
        strategy: c.strategy,
        underlying: c.underlying,
        expiration: c.expiration,
        dte: c.dte,
        selected: c.selected,
        facts: c.facts,
        legs: c.legs,
      })),
    });
  });

  r.get('/positions', async (_req, res) => {
    const [broker, trades] = await Promise.all([
      app.broker.positions(),
      app.sql<{ tradeId: string; symbol: string; quantity: number }[]>`
        select p.trade_id as "tradeId", p.symbol, p.quantity from trade_positions p
        where p.quantity <> 0 order by p.trade_id, p.symbol`,
    ]);
    res.json({
      broker,
      trades: trades.map((t) => ({ tradeId: t.tradeId, symbol: t.symbol, quantity: Number(t.quantity) })),
    });
  });

  r.get('/rules', (_req, res) => {
    res.json({
      ruleSets: app.rules
        .active()
        .map((s) => ({ name: s.name, file: s.file, hash: s.hash, enabled: s.enabled, strategy: s.strategy })),
      errors: app.rules.errors().map((e) => ({
        file: e.file,
        hash: e.hash,
        activeHash: e.activeHash,
        since: e.since,
        problems: e.problems.map((p) => ({ line: p.line, col: p.col, message: p.message })),
      })),
    });
  });

  // Close snapshots (with the day change) and intraday points of the last `days` days up to the newest; dollars
  r.get('/history', async (req, res) => {
    const q = parseOr400(historyQuery, req.query, 'query');
    const portfolio = await app.store.portfolio.get(app.config.broker.env, app.broker.accountNumber);
    res.json(await loadHistory(app.store, portfolio, q.days));
  });

  // The account's risk now (greeks, VaR, what-if grid, limits, failsafes); one computation serves every caller for 30 s
  r.get('/risk', async (_req, res) => {
    res.json(await risk.get());
  });

  r.get('/events', async (req, res) => {
    const q = parseOr400(limitQuery, req.query, 'query');
    res.json({ events: (await recentAudit(app.sql, q.limit)).map(eventJson) });
  });

  return r;
}
