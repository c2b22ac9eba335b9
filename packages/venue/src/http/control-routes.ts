// Owns the /__sim/* control routes (never part of the real API): fill behaviour, faults, market moves, clock, expiration,
// assignment, foreign positions, calm, reset, state.
import { Router, type Response } from 'express';
import { z } from 'zod';
import type { VenueControl } from '../control.js';
import { faultRequestSchema } from './faults.js';
import { sendError } from './envelope.js';

const fillBehaviorSchema = z
  .object({
    underlying: z.string().min(1).optional(),
    symbol: z.string().min(1).optional(),
    next: z.boolean().optional(),
    behavior: z.enum(['immediate', 'delayed', 'never', 'partial', 'reject']),
    delayMs: z.number().int().nonnegative().optional(),
    code: z.string().min(1).optional(),
    message: z.string().min(1).optional(),
    leg: z.string().min(1).optional(),
    quantity: z.number().int().positive().optional(),
  })
  .strict();

const marketSchema = z
  .object({
    symbol: z.string().min(1),
    spot: z.number().positive().optional(),
    vol: z.number().positive().max(5).optional(),
  })
  .strict()
  .refine((b) => b.spot !== undefined || b.vol !== undefined, { message: 'give spot and/or vol' });

const expireSchema = z
  .object({
    through: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'a New York date YYYY-MM-DD')
      .optional(),
  })
  .strict();

/** Either a probability per check, or a named short position to assign now. */
const assignmentSchema = z
  .object({
    probability: z.number().min(0).max(1).optional(),
    symbol: z.string().min(1).optional(),
    quantity: z.number().int().positive().optional(),
    accountNumber: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if ((b.probability === undefined) === (b.symbol === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: 'give either probability (0..1) or symbol (OCC) of a short option position',
        path: [],
      });
    }
    for (const key of ['quantity', 'accountNumber'] as const) {
      if (b[key] !== undefined && b.symbol === undefined)
        ctx.addIssue({ code: 'custom', message: `${key} needs symbol`, path: [key] });
    }
  });

const clockSchema = z.object({ advanceMs: z.number().int().nonnegative() }).strict();

/** A position traded outside the API: ticker or OCC symbol, signed quantity, price per share in dollars (default: mark). */
const positionSchema = z
  .object({
    symbol: z.string().min(1),
    quantity: z
      .number()
      .int()
      .refine((q) => q !== 0, { message: 'a non-zero signed quantity (negative: short)' }),
    price: z.number().positive().optional(),
    accountNumber: z.string().min(1).optional(),
  })
  .strict();

/** 400 with every problem, each naming its field. */
function invalid(res: Response, error: z.ZodError): void {
  sendError(res, 400, {
    code: 'validation_error',
    message: error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    errors: error.issues.map((i) => ({ code: i.path.join('.') || 'body', message: i.message })),
  });
}

export function controlRoutes(control: VenueControl): Router {
  const router = Router();

  router.get('/__sim/state', (_req, res) => {
    res.json(control.state());
  });
  router.post('/__sim/fill-behavior', (req, res) => {
    const parsed = fillBehaviorSchema.safeParse(req.body);
    if (!parsed.success) return invalid(res, parsed.error);
    control.setFillBehavior(parsed.data);
    res.json({ ok: true, rule: parsed.data });
  });
  router.post('/__sim/faults', (req, res) => {
    const parsed = faultRequestSchema.safeParse(req.body);
    if (!parsed.success) return invalid(res, parsed.error);
    control.injectFault(parsed.data);
    res.json({ ok: true, fault: parsed.data });
  });
  router.post('/__sim/market', (req, res) => {
    const parsed = marketSchema.safeParse(req.body);
    if (!parsed.success) return invalid(res, parsed.error);
    const { symbol, ...change } = parsed.data;
    const moved = control.moveMarket(symbol.toUpperCase(), change);
    if (!moved.ok) return sendError(res, 404, { code: 'not_found', message: moved.message });
    res.json({ ok: true, symbol: symbol.toUpperCase(), spot: moved.spot });
  });
  // Read-only: Legwork's venue clock (its src/clock/venue-clock.ts) syncs its model of broker time from here
  router.get('/__sim/clock', (_req, res) => {
    const c = control.readClock();
    res.json({ now: c.now, nowIso: new Date(c.now).toISOString(), speed: c.speed, mode: c.mode, jumps: c.jumps });
  });
  router.post('/__sim/clock', (req, res) => {
    const parsed = clockSchema.safeParse(req.body);
    if (!parsed.success) return invalid(res, parsed.error);
    const now = control.advanceClock(parsed.data.advanceMs);
    res.json({ ok: true, now: new Date(now).toISOString() });
  });
  router.post('/__sim/expire', (req, res) => {
    const parsed = expireSchema.safeParse(req.body ?? {});
    if (!parsed.success) return invalid(res, parsed.error);
    res.json({
      ok: true,
      settled: control.expire(parsed.data.through !== undefined ? { through: parsed.data.through } : {}),
    });
  });
  router.post('/__sim/assignment', (req, res) => {
    const parsed = assignmentSchema.safeParse(req.body);
    if (!parsed.success) return invalid(res, parsed.error);
    const { probability, symbol, quantity, accountNumber } = parsed.data;
    if (probability !== undefined) {
      control.setAssignmentProbability(probability);
      return res.json({ ok: true, probability });
    }
    const result = control.assign({
      symbol: symbol!,
      ...(quantity !== undefined ? { quantity } : {}),
      ...(accountNumber !== undefined ? { accountNumber } : {}),
    });
    if (!result.ok) return sendError(res, result.httpStatus, result.error);
    res.json({ ok: true, assigned: result.value });
  });
  router.post('/__sim/positions', (req, res) => {
    const parsed = positionSchema.safeParse(req.body);
    if (!parsed.success) return invalid(res, parsed.error);
    const { symbol, quantity, price, accountNumber } = parsed.data;
    const result = control.openPosition({
      symbol,
      quantity,
      ...(price !== undefined ? { priceCents: Math.round(price * 100) } : {}),
      ...(accountNumber !== undefined ? { accountNumber } : {}),
    });
    if (!result.ok) return sendError(res, result.httpStatus, result.error);
    res.json({ ok: true, position: result.value });
  });
  router.post('/__sim/calm', (_req, res) => {
    control.calm();
    res.json({ ok: true });
  });
  router.post('/__sim/reset', (_req, res) => {
    control.reset();
    res.json({ ok: true });
  });

  return router;
}
