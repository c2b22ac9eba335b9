// Owns the REST routes about the bot itself and where it is: Get Gateway (Bot) (whose url is this server's gateway),
// the current user and application, users, the guild with its channels, roles and members, and opening a DM
// (Discord docs: topics/gateway#get-gateway-bot, resources/user, resources/application, resources/guild).
import { type Request, Router } from 'express';
import type { Core } from '../core/core.js';
import { errors } from '../core/errors.js';
import type { Gateway } from '../gateway/gateway.js';
import { channelObject, guildObject, roleObjects } from '../wire/guild.js';
import { currentUserObject, memberObject, userObject } from '../wire/users.js';
import { ok, route } from './respond.js';

export const GATEWAY_PATH = '/gateway';

export function gatewayUrl(req: Request): string {
  return `ws://${req.headers.host ?? '127.0.0.1'}${GATEWAY_PATH}`;
}

export function accountRoutes(core: Core, gateway: Gateway, startedAt: number): Router {
  const { world } = core.ctx;
  const router = Router();
  const requireGuild = (id: string | undefined) => {
    if (id !== world.guild.id) throw errors.unknownGuild();
  };

  router.get(
    '/gateway/bot',
    route((req) => {
      const dayMs = 86_400_000;
      const elapsed = (core.ctx.now() - startedAt) % dayMs;
      return ok({
        url: gatewayUrl(req),
        shards: 1,
        session_start_limit: {
          total: 1000,
          remaining: Math.max(0, 1000 - gateway.state().identifies),
          reset_after: dayMs - elapsed,
          max_concurrency: 1,
        },
      });
    }),
  );
  router.get(
    '/users/@me',
    route(() => ok(currentUserObject(world.bot))),
  );
  router.get(
    '/users/:id',
    route((req) => {
      const user = world.user(String(req.params['id']));
      if (!user) throw errors.unknownUser();
      return ok(userObject(user));
    }),
  );
  router.post(
    '/users/@me/channels',
    route((req) => {
      const recipient = String((req.body as { recipient_id?: unknown } | undefined)?.recipient_id ?? '');
      if (!world.user(recipient)) throw errors.unknownUser();
      return ok(channelObject(world, world.dmChannelWith(recipient)));
    }),
  );
  router.get(
    '/applications/@me',
    route(() =>
      ok({
        id: world.applicationId,
        name: world.bot.username,
        icon: null,
        description: '',
        type: null,
        bot: userObject(world.bot),
        bot_public: false,
        bot_require_code_grant: false,
        verify_key: '0'.repeat(64),
        flags: 0,
        team: null,
        owner: userObject(world.user(world.guild.ownerId) ?? world.bot),
        approximate_guild_count: 1,
        integration_types_config: { '0': {} },
        tags: [],
        redirect_uris: [],
        interactions_endpoint_url: null,
      }),
    ),
  );
  router.get(
    '/guilds/:id',
    route((req) => {
      requireGuild(req.params['id'] as string);
      return ok(guildObject(world));
    }),
  );
  router.get(
    '/guilds/:id/channels',
    route((req) => {
      requireGuild(req.params['id'] as string);
      return ok(world.guildChannels().map((c) => channelObject(world, c)));
    }),
  );
  router.get(
    '/guilds/:id/roles',
    route((req) => {
      requireGuild(req.params['id'] as string);
      return ok(roleObjects(world));
    }),
  );
  router.get(
    '/guilds/:id/members/:userId',
    route((req) => {
      requireGuild(req.params['id'] as string);
      const userId = String(req.params['userId']);
      if (world.memberJoinedAt(userId) === undefined) throw errors.unknownMember();
      return ok(memberObject(world, userId, { withUser: true }));
    }),
  );
  return router;
}
