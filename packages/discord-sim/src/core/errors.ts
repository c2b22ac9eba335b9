// Owns Discord's error responses: `{code, message}` with a JSON error code, and 50035 "Invalid Form Body" whose
// `errors` nest by the path of the offending field down to `_errors: [{code, message}]` (Discord docs:
// reference#error-messages, topics/opcodes-and-status-codes#json).
import type { Json } from '../types.js';

export class DiscordApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: Json,
  ) {
    super(message);
  }

  body(): Json {
    return { message: this.message, code: this.code, ...(this.errors ? { errors: this.errors } : {}) };
  }
}

export interface FieldProblem {
  path: (string | number)[];
  code: string;
  message: string;
}

/** Nests problems by path: [['embeds', 0, 'title'], ...] → {embeds: {0: {title: {_errors: [...]}}}}. */
export function formErrors(problems: FieldProblem[]): Json {
  const root: Json = {};
  for (const p of problems) {
    let node = root;
    for (const key of p.path) {
      const k = String(key);
      const child = (node[k] ?? {}) as Json;
      node[k] = child;
      node = child;
    }
    const list = (node['_errors'] ?? []) as { code: string; message: string }[];
    list.push({ code: p.code, message: p.message });
    node['_errors'] = list;
  }
  return root;
}

export function invalidFormBody(problems: FieldProblem[]): DiscordApiError {
  return new DiscordApiError(400, 50035, 'Invalid Form Body', formErrors(problems));
}

export const errors = {
  unauthorized: () => new DiscordApiError(401, 0, '401: Unauthorized'),
  notFound: () => new DiscordApiError(404, 0, '404: Not Found'),
  methodNotAllowed: () => new DiscordApiError(405, 0, '405: Method Not Allowed'),
  unknownChannel: () => new DiscordApiError(404, 10003, 'Unknown Channel'),
  unknownGuild: () => new DiscordApiError(404, 10004, 'Unknown Guild'),
  unknownMessage: () => new DiscordApiError(404, 10008, 'Unknown Message'),
  unknownUser: () => new DiscordApiError(404, 10013, 'Unknown User'),
  unknownMember: () => new DiscordApiError(404, 10007, 'Unknown Member'),
  unknownWebhook: () => new DiscordApiError(404, 10015, 'Unknown Webhook'),
  unknownApplication: () => new DiscordApiError(404, 10002, 'Unknown Application'),
  unknownInteraction: () => new DiscordApiError(404, 10062, 'Unknown interaction'),
  unknownCommand: () => new DiscordApiError(404, 10063, 'Unknown application command'),
  alreadyAcknowledged: () => new DiscordApiError(400, 40060, 'Interaction has already been acknowledged.'),
  missingAccess: () => new DiscordApiError(403, 50001, 'Missing Access'),
  notAuthor: () => new DiscordApiError(403, 50005, 'Cannot edit a message authored by another user'),
  emptyMessage: () => new DiscordApiError(400, 50006, 'Cannot send an empty message'),
  invalidWebhookToken: () => new DiscordApiError(401, 50027, 'Invalid Webhook Token'),
};
