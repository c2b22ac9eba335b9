// Owns the admin-only actions of the JSON API: POST /api/halt (optionally flatten) and POST /api/resume. The state change
// and its halt/resume audit event go through settings.repo (one transaction), the alert and flatten through the same
// pipeline functions `legwork halt` uses.
import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../app/context.js';
import { createExecContext } from '../app/exec-context.js';
import { createAlerter } from '../pipeline/alerts.js';
import { flattenAll } from '../pipeline/exits.js';
import { setTradingState } from '../store/settings.repo.js';
import type { HttpAuth } from './auth.js';
import { parseOr400 } from './errors.js';

const haltBody = z.object({ reason: z.string().min(1).max(500).optional(), flatten: z.boolean().optional() }).strict();
const resumeBody = z.object({ reason: z.string().min(1).max(500).optional() }).strict();

/** Who acted, for the audit trail: `http:<user>`. */
const operatorOf = (auth: HttpAuth, user: string | undefined): string => `http:${user ?? auth.adminUser}`;

export function adminRoutes(app: AppContext, auth: HttpAuth): Router {
  const r = Router();
  r.post('/halt', auth.requireAdmin, async (req, res) => {
    const body = parseOr400(haltBody, req.body ?? {}, 'body');
    const by = operatorOf(auth, res.locals['user'] as string | undefined);
    const tradingState = await setTradingState(app.sql, 'halted', by, body.reason);
    const alert = createAlerter({ sql: app.sql, log: app.log, webhookUrl: app.config.alertWebhookUrl });
    await alert('halt', `trading halted by ${by}${body.reason ? `: ${body.reason}` : ''}`, { by, ...(body.reason ? { reason: body.reason } : {}), flatten: body.flatten === true });
    if (!body.flatten) return void res.json({ tradingState });
    const result = await flattenAll(createExecContext(app), by);
    res.json({ tradingState, flattened: result.flattened.length, skipped: result.skipped });
  });

  r.post('/resume', auth.requireAdmin, async (req, res) => {
    const body = parseOr400(resumeBody, req.body ?? {}, 'body');
    const by = operatorOf(auth, res.locals['user'] as string | undefined);
    res.json({ tradingState: await setTradingState(app.sql, 'active', by, body.reason) });
  });

  return r;
}
