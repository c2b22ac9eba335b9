// Owns the channel and message routes (Discord docs: resources/channel#get-channel, resources/message): get a channel,
// list messages (newest first, before/after/around, limit 1-100), get, create, edit (only the bot's own), delete, and
// trigger typing.
import { type Request, Router } from 'express';
import type { Core } from '../core/core.js';
import { errors, invalidFormBody } from '../core/errors.js';
import { MESSAGE_FLAG, readMessageBody } from '../core/message-body.js';
import { createMessage, deleteMessage, editMessage, requireOwnMessage } from '../core/messaging.js';
import type { SimChannel, StoredMessage } from '../types.js';
import { channelObject } from '../wire/guild.js';
import { messageObject } from '../wire/messages.js';
import { readMessageRequest } from './body.js';
import { noContent, ok, route } from './respond.js';

export function messageRoutes(core: Core): Router {
  const { ctx } = core;
  const { world, messages } = ctx;
  const router = Router();
  const channelOf = (req: Request): SimChannel => {
    const channel = world.channel(String(req.params['channelId']));
    if (!channel) throw errors.unknownChannel();
    return channel;
  };
  /** A live, non-ephemeral message of the channel (ephemeral ones are not the channel's). */
  const messageOf = (req: Request, channel: SimChannel): StoredMessage => {
    const m = messages.get(String(req.params['messageId']));
    if (!m || m.channelId !== channel.id || m.flags & MESSAGE_FLAG.EPHEMERAL) throw errors.unknownMessage();
    return m;
  };

  router.get(
    '/channels/:channelId',
    route((req) => ok(channelObject(world, channelOf(req)))),
  );
  router.get(
    '/channels/:channelId/messages',
    route((req) => {
      const channel = channelOf(req);
      const limit = req.query['limit'] === undefined ? 50 : Number(req.query['limit']);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100)
        throw invalidFormBody([{ path: ['limit'], code: 'NUMBER_TYPE_MAX', message: 'Must be between 1 and 100.' }]);
      const all = messages.inChannel(channel.id).filter((m) => !(m.flags & MESSAGE_FLAG.EPHEMERAL));
      const big = (v: unknown): bigint => {
        if (!/^\d{1,20}$/.test(String(v)))
          throw invalidFormBody([
            { path: [], code: 'NUMBER_TYPE_COERCE', message: `Value "${String(v)}" is not snowflake.` },
          ]);
        return BigInt(String(v));
      };
      let picked: StoredMessage[];
      if (req.query['before'] !== undefined)
        picked = all.filter((m) => big(m.id) < big(req.query['before'])).slice(-limit);
      else if (req.query['after'] !== undefined)
        picked = all.filter((m) => big(m.id) > big(req.query['after'])).slice(0, limit);
      else if (req.query['around'] !== undefined) {
        const at = all.findIndex((m) => big(m.id) >= big(req.query['around']));
        const start = Math.max(0, (at === -1 ? all.length : at) - Math.floor(limit / 2));
        picked = all.slice(start, start + limit);
      } else picked = all.slice(-limit);
      return ok(picked.reverse().map((m) => messageObject(world, messages, m)));
    }),
  );
  router.get(
    '/channels/:channelId/messages/:messageId',
    route((req) => ok(messageObject(world, messages, messageOf(req, channelOf(req))))),
  );
  router.post(
    '/channels/:channelId/messages',
    route(async (req) => {
      const channel = channelOf(req);
      const { payload, uploaded } = await readMessageRequest(req, channel.id, ctx.ids, core.attachments);
      const m = createMessage(ctx, {
        channelId: channel.id,
        authorId: world.bot.id,
        kind: 'message',
        input: readMessageBody(payload, 'create'),
        ...(uploaded ? { uploaded } : {}),
      });
      return ok(messageObject(world, messages, m));
    }),
  );
  router.patch(
    '/channels/:channelId/messages/:messageId',
    route(async (req) => {
      const channel = channelOf(req);
      const m = messageOf(req, channel);
      requireOwnMessage(ctx, m);
      const { payload, uploaded } = await readMessageRequest(req, channel.id, ctx.ids, core.attachments);
      editMessage(ctx, m, readMessageBody(payload, 'edit', m.flags), uploaded ? { uploaded } : {});
      return ok(messageObject(world, messages, m));
    }),
  );
  router.delete(
    '/channels/:channelId/messages/:messageId',
    route((req) => {
      deleteMessage(ctx, messageOf(req, channelOf(req)));
      return noContent();
    }),
  );
  router.post(
    '/channels/:channelId/typing',
    route((req) => {
      channelOf(req);
      return noContent();
    }),
  );
  return router;
}
