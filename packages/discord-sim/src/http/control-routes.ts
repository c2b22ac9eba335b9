// Owns the /__discord/* control routes (never part of Discord's API): act as users, read what the bot posted and how
// it answered, break the gateway, inject REST faults, reset. Bad requests get 400 `{error}` naming every problem.
import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { DiscordSimControl } from '../control.js';
import { ControlError } from '../core/interactions.js';

const snowflake = z.string().regex(/^\d{1,20}$/, 'a snowflake (digits)');
const optionValue = z.union([z.string(), z.number(), z.boolean()]);

const messageSchema = z
  .object({
    channelId: snowflake.optional(),
    userId: snowflake.optional(),
    username: z.string().min(1).max(32).optional(),
    content: z.string(),
    dm: z.boolean().optional(),
    replyTo: snowflake.optional(),
  })
  .strict()
  .refine((b) => b.channelId !== undefined || b.dm === true, { message: 'give channelId (or dm: true)' });

const commandSchema = z
  .object({
    channelId: snowflake,
    userId: snowflake.optional(),
    username: z.string().min(1).max(32).optional(),
    command: z.string().min(1),
    group: z.string().min(1).optional(),
    subcommand: z.string().min(1).optional(),
    options: z.record(z.string(), optionValue).optional(),
  })
  .strict();

const componentSchema = z
  .object({
    messageId: snowflake,
    customId: z.string().min(1),
    channelId: snowflake.optional(),
    userId: snowflake.optional(),
    username: z.string().min(1).max(32).optional(),
    values: z.array(z.string()).optional(),
  })
  .strict();

const dropSchema = z
  .object({
    mode: z.enum(['terminate', 'close', 'reconnect', 'invalid-session']).default('terminate'),
    code: z.number().int().min(1000).max(4999).optional(),
    invalidate: z.boolean().optional(),
    resumable: z.boolean().optional(),
  })
  .strict();

const outageSchema = z
  .object({ ms: z.number().int().nonnegative(), mode: z.enum(['refuse', 'reset', 'stall']).default('refuse') })
  .strict();

const faultSchema = z
  .object({
    status: z.union([z.literal(429), z.literal(500), z.literal(502), z.literal(503)]),
    count: z.number().int().positive().default(1),
    retryAfterMs: z.number().int().nonnegative().default(1000),
    global: z.boolean().default(false),
    path: z.string().min(1).optional(),
    method: z.string().min(1).optional(),
  })
  .strict();

function invalid(res: Response, error: z.ZodError): void {
  res.status(400).json({ error: error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
}

/** Runs a control action; a ControlError becomes `{error}` with its status. */
function act(res: Response, run: () => unknown, status = 200): void {
  try {
    res.status(status).json(run());
  } catch (error) {
    if (!(error instanceof ControlError)) throw error;
    res.status(error.status).json({ error: error.message });
  }
}

const flag = (req: Request, name: string) => req.query[name] === 'true' || req.query[name] === '1';

export function controlRoutes(control: DiscordSimControl, defaultUserId: string): Router {
  const router = Router();

  router.get('/__discord/state', (_req, res) => act(res, () => control.state()));
  router.post('/__discord/messages', (req, res) => {
    const parsed = messageSchema.safeParse(req.body);
    if (!parsed.success) return invalid(res, parsed.error);
    const { userId, ...rest } = parsed.data;
    act(res, () => control.postMessage({ ...rest, userId: userId ?? defaultUserId }), 201);
  });
  router.post('/__discord/interactions', (req, res) => {
    const body = req.body as Record<string, unknown> | undefined;
    if (body && 'customId' in body) {
      const parsed = componentSchema.safeParse(body);
      if (!parsed.success) return invalid(res, parsed.error);
      const { userId, ...rest } = parsed.data;
      return act(res, () => control.useComponent({ ...rest, userId: userId ?? defaultUserId }), 201);
    }
    const parsed = commandSchema.safeParse(body);
    if (!parsed.success) return invalid(res, parsed.error);
    const { userId, ...rest } = parsed.data;
    act(res, () => control.runCommand({ ...rest, userId: userId ?? defaultUserId }), 201);
  });
  router.get('/__discord/interactions', (_req, res) => act(res, () => ({ interactions: control.interactions() })));
  router.get('/__discord/interactions/:id', (req, res) => act(res, () => control.interaction(req.params['id'])));
  router.get('/__discord/channels/:id/messages', (req, res) =>
    act(res, () => ({
      channelId: req.params['id'],
      messages: control.channelMessages(req.params['id'], { all: flag(req, 'all'), deleted: flag(req, 'deleted') }),
    })),
  );
  router.get('/__discord/messages/:id', (req, res) => act(res, () => control.message(req.params['id'])));
  router.post('/__discord/channels', (req, res) => {
    const parsed = z
      .object({ name: z.string().regex(/^[-_a-z0-9]{1,100}$/) })
      .strict()
      .safeParse(req.body);
    if (!parsed.success) return invalid(res, parsed.error);
    act(res, () => control.addChannel(parsed.data.name), 201);
  });
  router.get('/__discord/commands', (_req, res) => act(res, () => control.commands()));
  router.post('/__discord/drop', (req, res) => {
    const parsed = dropSchema.safeParse(req.body ?? {});
    if (!parsed.success) return invalid(res, parsed.error);
    act(res, () => ({ dropped: control.drop(parsed.data) }));
  });
  router.post('/__discord/outage', (req, res) => {
    const parsed = outageSchema.safeParse(req.body);
    if (!parsed.success) return invalid(res, parsed.error);
    control.outage(parsed.data.ms, parsed.data.mode);
    act(res, () => ({ ok: true, ...parsed.data, until: new Date(Date.now() + parsed.data.ms).toISOString() }));
  });
  router.post('/__discord/heartbeats', (req, res) => {
    const parsed = z.object({ ack: z.boolean() }).strict().safeParse(req.body);
    if (!parsed.success) return invalid(res, parsed.error);
    control.heartbeatAcks(parsed.data.ack);
    act(res, () => ({ ok: true, ack: parsed.data.ack }));
  });
  router.post('/__discord/faults', (req, res) => {
    const parsed = faultSchema.safeParse(req.body);
    if (!parsed.success) return invalid(res, parsed.error);
    control.fault(parsed.data);
    act(res, () => ({ ok: true, fault: parsed.data }));
  });
  router.post('/__discord/reset', (_req, res) => {
    control.reset();
    act(res, () => ({ ok: true }));
  });
  return router;
}
