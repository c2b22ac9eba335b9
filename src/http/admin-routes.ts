// Owns the admin-only actions of the JSON API: POST /api/halt (optionally flatten), POST /api/resume (409 while
// anything is broken, unless {force: true, reason}) and POST /api/trades/:id/approve|reject (a trade awaiting approval;
// 409 once it is decided or expired, 404 for no such trade). The state change and its halt/resume audit event go
// through settings.repo (one transaction), the alert, flatten and approvals through the same pipeline functions the
// CLI uses.
import { isIdShaped } from '../domain/ids.js';
import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../app/context.js';
import { createExecContext } from '../app/exec-context.js';
import { createAlerter } from '../pipeline/alerts.js';
import { decideApproval } from '../pipeline/approval.js';
import { flattenAll } from '../pipeline/exit/exit-stage.js';
import { resumeTrading } from '../pipeline/resume.js';
import { setTradingState } from '../store/settings.repo.js';
import type { HttpAuth } from './auth.js';
import { tradeJson } from './api-routes.js';
import { HttpError, parseOr400 } from './request-errors.js';

const haltBody = z.object({ reason: z.string().min(1).max(500).optional(), flatten: z.boolean().optional() }).strict();
const resumeBody = z.object({ reason: z.string().min(1).max(500).optional(), force: z.boolean().optional() }).strict();
const decisionBody = z.object({ reason: z.string().min(1).max(500).optional() }).strict();
const uuid = z.string().refine(isIdShaped, 'must be a uuid');

/** Who acted, for the audit trail: `http:<user>`. */
const operatorOf = (auth: HttpAuth, user: string | undefined): string => `http:${user ?? auth.adminUser}`;

export function adminRoutes(app: AppContext, auth: HttpAuth): Router {
  const r = Router();
  r.post('/halt', auth.requireAdmin, async (req, res) => {
    const body = parseOr400(haltBody, req.body ?? {}, 'body');
    const by = operatorOf(auth, res.locals['user'] as string | undefined);
    const tradingState = await setTradingState(
      app.sql,
      'halted',
      by,
      body.reason,
      body.flatten ? { flatten: true } : {},
    );
    const alert = createAlerter({ store: app.store, log: app.log, webhookUrl: app.config.alertWebhookUrl });
    await alert('halt', `trading halted by ${by}${body.reason ? `: ${body.reason}` : ''}`, {
      by,
      ...(body.reason ? { reason: body.reason } : {}),
      flatten: body.flatten === true,
    });
    if (!body.flatten) return void res.json({ tradingState });
    const result = await flattenAll(createExecContext(app), by);
    res.json({ tradingState, flattened: result.flattened.length, skipped: result.skipped });
  });

  r.post('/resume', auth.requireAdmin, async (req, res) => {
    const body = parseOr400(resumeBody, req.body ?? {}, 'body');
    const by = operatorOf(auth, res.locals['user'] as string | undefined);
    const result = await resumeTrading(app.store, by, { reason: body.reason, force: body.force === true });
    // 409: the state forbids it now (something is broken); the body names what blocks it
    if (!result.ok) return void res.status(409).json({ error: { message: result.message, blocking: result.blocking } });
    res.json({
      tradingState: result.state,
      failsafesReset: result.failsafesReset.map((t) => ({ name: t.name, reason: t.reason })),
      ...(result.overridden ? { overridden: result.overridden } : {}),
    });
  });

  // A human's decision on a proposed trade (execution.approval: manual), audited with `http:<user>`
  for (const decision of ['approve', 'reject'] as const) {
    r.post(`/trades/:id/${decision}`, auth.requireAdmin, async (req, res) => {
      const id = parseOr400(uuid, req.params['id'], 'id');
      const body = parseOr400(decisionBody, req.body ?? {}, 'body');
      const by = operatorOf(auth, res.locals['user'] as string | undefined);
      const result = await decideApproval(createExecContext(app), id, {
        decision,
        by,
        ...(body.reason ? { reason: body.reason } : {}),
      });
      if (!result.ok) {
        if (result.code === 'not_found') throw new HttpError(404, result.message);
        // 409: the trade is no longer awaiting approval (decided by someone else, expired)
        return void res.status(409).json({
          error: { message: result.message, code: result.code },
          ...(result.trade ? { trade: tradeJson(result.trade, undefined) } : {}),
        });
      }
      res.json({ decision, by, queued: result.queued, trade: tradeJson(result.trade, undefined) });
    });
  }

  return r;
}
