// Owns the application command routes, global and guild (Discord docs: interactions/application-commands#endpoints):
// list, bulk overwrite (PUT), create (201, or 200 when it replaced one of the same name), get, edit, delete.
import { type Request, Router } from 'express';
import type { Core } from '../core/core.js';
import { errors } from '../core/errors.js';
import { noContent, ok, route } from './respond.js';

export function commandRoutes(core: Core): Router {
  const { world } = core.ctx;
  const { commands } = core;
  const router = Router();
  /** The command scope of a route: null (global) or the guild; 404s for another application or guild. */
  const scope = (req: Request): string | null => {
    if (req.params['appId'] !== world.applicationId) throw errors.unknownApplication();
    const guildId = req.params['guildId'] as string | undefined;
    if (guildId === undefined) return null;
    if (guildId !== world.guild.id) throw errors.unknownGuild();
    return guildId;
  };

  for (const base of ['/applications/:appId/commands', '/applications/:appId/guilds/:guildId/commands']) {
    router.get(
      base,
      route((req) => ok(commands.list(scope(req)))),
    );
    router.put(
      base,
      route((req) => ok(commands.overwrite(scope(req), req.body))),
    );
    router.post(
      base,
      route((req) => {
        const { command, created } = commands.upsert(scope(req), req.body);
        return ok(command, created ? 201 : 200);
      }),
    );
    router.get(
      `${base}/:commandId`,
      route((req) => ok(commands.get(scope(req), String(req.params['commandId'])))),
    );
    router.patch(
      `${base}/:commandId`,
      route((req) => ok(commands.edit(scope(req), String(req.params['commandId']), req.body))),
    );
    router.delete(
      `${base}/:commandId`,
      route((req) => {
        commands.delete(scope(req), String(req.params['commandId']));
        return noContent();
      }),
    );
  }
  return router;
}
