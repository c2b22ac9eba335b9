// Owns answering interactions (Discord docs: interactions/receiving-and-responding#interaction-callback,
// #followup-messages): one initial response within the deadline (4 reply, 5 deferred reply, 6 deferred update, 7 update,
// 9 modal), then, for 15 minutes, @original and followups through the application's webhook; with_response returns
// the interaction callback response object.
import type { Json, MessageInteractionMeta, StoredMessage } from '../types.js';
import { messageObject } from '../wire/messages.js';
import type { CoreContext } from './context.js';
import { type DiscordApiError, errors, invalidFormBody } from './errors.js';
import type { InteractionStore, SimInteraction } from './interactions.js';
import { MESSAGE_FLAG, readMessageBody } from './message-body.js';
import { createMessage, deleteMessage, editMessage } from './messaging.js';

export const CALLBACK = {
  PONG: 1,
  CHANNEL_MESSAGE_WITH_SOURCE: 4,
  DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE: 5,
  DEFERRED_UPDATE_MESSAGE: 6,
  UPDATE_MESSAGE: 7,
  APPLICATION_COMMAND_AUTOCOMPLETE_RESULT: 8,
  MODAL: 9,
} as const;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function meta(i: SimInteraction, extra: Partial<MessageInteractionMeta> = {}): MessageInteractionMeta {
  return {
    id: i.id,
    type: i.type,
    userId: i.userId,
    ...(i.commandName !== undefined ? { name: i.commandName } : {}),
    ...(i.messageId !== undefined ? { interactedMessageId: i.messageId } : {}),
    ...extra,
  };
}

function invalidType(i: SimInteraction): DiscordApiError {
  const allowed = i.type === 2 ? '(4, 5, 9)' : '(4, 5, 6, 7, 9)';
  return invalidFormBody([{ path: ['type'], code: 'BASE_TYPE_CHOICES', message: `Value must be one of ${allowed}.` }]);
}

/** The response message of a command (type 20) or of a component (a reply, type 19, to the component's message). */
function responseMessage(
  ctx: CoreContext,
  i: SimInteraction,
  input: ReturnType<typeof readMessageBody>,
  loading: boolean,
  uploaded?: Json[],
): StoredMessage {
  return createMessage(ctx, {
    channelId: i.channelId,
    authorId: ctx.world.bot.id,
    kind: 'interaction-response',
    type: i.type === 2 ? 20 : 19,
    input:
      i.type === 3 ? { ...input, messageReference: { message_id: i.messageId!, fail_if_not_exists: false } } : input,
    ...(uploaded ? { uploaded } : {}),
    interaction: meta(i),
    webhook: true,
    ...(loading ? { extraFlags: MESSAGE_FLAG.LOADING, allowEmpty: true } : {}),
  });
}

function checkModal(data: unknown): Json {
  if (!isObject(data))
    throw invalidFormBody([{ path: ['data'], code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }]);
  const problems = [];
  const id = data['custom_id'];
  if (typeof id !== 'string' || id.length < 1 || id.length > 100)
    problems.push({
      path: ['data', 'custom_id'],
      code: 'BASE_TYPE_BAD_LENGTH',
      message: 'Must be between 1 and 100 in length.',
    });
  const title = data['title'];
  if (typeof title !== 'string' || title.length < 1 || title.length > 45)
    problems.push({
      path: ['data', 'title'],
      code: 'BASE_TYPE_BAD_LENGTH',
      message: 'Must be between 1 and 45 in length.',
    });
  const comps = data['components'];
  if (!Array.isArray(comps) || comps.length < 1 || comps.length > 5)
    problems.push({
      path: ['data', 'components'],
      code: 'BASE_TYPE_BAD_LENGTH',
      message: 'Must be between 1 and 5 in length.',
    });
  if (problems.length > 0) throw invalidFormBody(problems);
  return data;
}

export type CallbackResult = { status: 204 } | { status: 200; body: Json };

export function interactionCallback(
  ctx: CoreContext,
  store: InteractionStore,
  req: { id: string; token: string; body: unknown; withResponse: boolean; uploaded?: Json[] },
): CallbackResult {
  const i = store.get(req.id);
  if (!i || i.token !== req.token) throw errors.unknownInteraction();
  if (i.ack) throw errors.alreadyAcknowledged();
  if (ctx.now() > i.createdAt + ctx.config.interactionDeadlineMs) throw errors.unknownInteraction();
  const body = req.body;
  if (!isObject(body) || typeof body['type'] !== 'number')
    throw invalidFormBody([{ path: ['type'], code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }]);
  const type = body['type'];
  const data = body['data'] ?? {};
  let message: StoredMessage | undefined;
  switch (type) {
    case CALLBACK.CHANNEL_MESSAGE_WITH_SOURCE: {
      message = responseMessage(ctx, i, readMessageBody(data, 'interaction'), false, req.uploaded);
      i.originalMessageId = message.id;
      break;
    }
    case CALLBACK.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE: {
      const flags = (isObject(data) && typeof data['flags'] === 'number' ? data['flags'] : 0) & MESSAGE_FLAG.EPHEMERAL;
      message = responseMessage(ctx, i, { flags }, true);
      i.originalMessageId = message.id;
      i.loading = true;
      break;
    }
    case CALLBACK.DEFERRED_UPDATE_MESSAGE:
    case CALLBACK.UPDATE_MESSAGE: {
      if (i.type !== 3) throw invalidType(i);
      const target = ctx.messages.get(i.messageId!);
      if (!target) throw errors.unknownMessage();
      if (type === CALLBACK.UPDATE_MESSAGE) {
        message = editMessage(
          ctx,
          target,
          readMessageBody(data, 'edit', target.flags),
          req.uploaded ? { uploaded: req.uploaded } : {},
        );
      }
      i.originalMessageId = target.id;
      break;
    }
    case CALLBACK.MODAL:
      i.modal = checkModal(body['data']);
      break;
    default:
      throw invalidType(i);
  }
  i.ack = { type, at: ctx.now() };
  if (!req.withResponse) return { status: 204 };
  const ephemeral = message ? (message.flags & MESSAGE_FLAG.EPHEMERAL) !== 0 : false;
  return {
    status: 200,
    body: {
      interaction: {
        id: i.id,
        type: i.type,
        ...(message && type !== CALLBACK.UPDATE_MESSAGE
          ? {
              response_message_id: message.id,
              response_message_loading: i.loading,
              response_message_ephemeral: ephemeral,
            }
          : {}),
      },
      resource: {
        type,
        ...(message && (type === CALLBACK.CHANNEL_MESSAGE_WITH_SOURCE || type === CALLBACK.UPDATE_MESSAGE)
          ? { message: messageObject(ctx.world, ctx.messages, message) }
          : {}),
      },
    },
  };
}

/** The interaction behind a webhook (application id + interaction token), once it has its initial response. */
export function webhookInteraction(
  ctx: CoreContext,
  store: InteractionStore,
  appId: string,
  token: string,
): SimInteraction {
  if (appId !== ctx.world.applicationId) throw errors.unknownWebhook();
  const i = store.byToken(token);
  if (!i?.ack) throw errors.unknownWebhook();
  if (ctx.now() > i.createdAt + ctx.config.interactionTokenTtlMs) throw errors.invalidWebhookToken();
  return i;
}

/** A message the webhook may touch: `@original` or one of its followups. */
export function webhookMessage(ctx: CoreContext, i: SimInteraction, messageId: string): StoredMessage {
  const id = messageId === '@original' ? i.originalMessageId : messageId;
  if (id === null || (id !== i.originalMessageId && !i.followupIds.includes(id))) throw errors.unknownMessage();
  const m = ctx.messages.get(id);
  if (!m) throw errors.unknownMessage();
  return m;
}

/** POST /webhooks/:app/:token: a followup, or the answer to a deferred reply still "thinking" (edits it instead). */
export function createFollowup(ctx: CoreContext, i: SimInteraction, body: unknown, uploaded?: Json[]): StoredMessage {
  if (i.loading) return editOriginalOrFollowup(ctx, i, '@original', body, uploaded);
  const m = createMessage(ctx, {
    channelId: i.channelId,
    authorId: ctx.world.bot.id,
    kind: 'followup',
    type: 0,
    input: readMessageBody(body, 'interaction'),
    ...(uploaded ? { uploaded } : {}),
    interaction: meta(i, i.originalMessageId ? { originalResponseMessageId: i.originalMessageId } : {}),
    webhook: true,
  });
  i.followupIds.push(m.id);
  return m;
}

export function editOriginalOrFollowup(
  ctx: CoreContext,
  i: SimInteraction,
  messageId: string,
  body: unknown,
  uploaded?: Json[],
): StoredMessage {
  const m = webhookMessage(ctx, i, messageId);
  const answersLoading = i.loading && m.id === i.originalMessageId;
  const edited = editMessage(ctx, m, readMessageBody(body, 'edit', m.flags), {
    ...(uploaded ? { uploaded } : {}),
    ...(answersLoading ? { clearFlags: MESSAGE_FLAG.LOADING } : {}),
  });
  if (answersLoading) i.loading = false;
  return edited;
}

export function deleteOriginalOrFollowup(ctx: CoreContext, i: SimInteraction, messageId: string): void {
  deleteMessage(ctx, webhookMessage(ctx, i, messageId));
}
