// Owns the routes an interaction is answered on, authorized by the interaction's token rather than the bot token
// (Discord docs: interactions/receiving-and-responding#endpoints): the callback, and the application webhook's
// followups and @original (get, edit, delete).
import { type Request, Router } from 'express';
import type { Core } from '../core/core.js';
import {
  createFollowup,
  deleteOriginalOrFollowup,
  editOriginalOrFollowup,
  interactionCallback,
  webhookInteraction,
  webhookMessage,
} from '../core/interaction-responses.js';
import { messageObject } from '../wire/messages.js';
import { readMessageRequest } from './body.js';
import { noContent, ok, queryFlag, route } from './respond.js';

export function interactionRoutes(core: Core): Router {
  const { ctx } = core;
  const router = Router();
  const hook = (req: Request) =>
    webhookInteraction(ctx, core.interactions, String(req.params['appId']), String(req.params['token']));

  router.post(
    '/interactions/:id/:token/callback',
    route(async (req) => {
      const i = core.interactions.get(String(req.params['id']));
      const { payload, uploaded } = await readMessageRequest(req, i?.channelId ?? '0', ctx.ids, core.attachments);
      const result = interactionCallback(ctx, core.interactions, {
        id: String(req.params['id']),
        token: String(req.params['token']),
        body: payload,
        withResponse: queryFlag(req.query['with_response']),
        ...(uploaded ? { uploaded } : {}),
      });
      return result.status === 204 ? noContent() : ok(result.body);
    }),
  );
  router.post(
    '/webhooks/:appId/:token',
    route(async (req) => {
      const i = hook(req);
      const { payload, uploaded } = await readMessageRequest(req, i.channelId, ctx.ids, core.attachments);
      const m = createFollowup(ctx, i, payload, uploaded);
      return ok(messageObject(ctx.world, ctx.messages, m));
    }),
  );
  router.get(
    '/webhooks/:appId/:token/messages/:messageId',
    route((req) =>
      ok(messageObject(ctx.world, ctx.messages, webhookMessage(ctx, hook(req), String(req.params['messageId'])))),
    ),
  );
  router.patch(
    '/webhooks/:appId/:token/messages/:messageId',
    route(async (req) => {
      const i = hook(req);
      const { payload, uploaded } = await readMessageRequest(req, i.channelId, ctx.ids, core.attachments);
      const m = editOriginalOrFollowup(ctx, i, String(req.params['messageId']), payload, uploaded);
      return ok(messageObject(ctx.world, ctx.messages, m));
    }),
  );
  router.delete(
    '/webhooks/:appId/:token/messages/:messageId',
    route((req) => {
      deleteOriginalOrFollowup(ctx, hook(req), String(req.params['messageId']));
      return noContent();
    }),
  );
  return router;
}
