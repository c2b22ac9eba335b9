// Owns reading a message body (create, edit, interaction response, webhook message) as Discord checks it: types and
// length limits of content and embeds, the layout rules of legacy components (action rows of up to 5 buttons or one
// select, unique custom_ids, button style rules), which flags may be set; problems end as one 50035 Invalid Form Body
// (Discord docs: resources/message#create-message, #edit-message, #embed-object-embed-limits, components/reference).
import type { Json } from '../types.js';
import { type FieldProblem, invalidFormBody } from './errors.js';
import { validateComponents } from './components.js';

export const MESSAGE_FLAG = {
  SUPPRESS_EMBEDS: 1 << 2,
  EPHEMERAL: 1 << 6,
  LOADING: 1 << 7,
  SUPPRESS_NOTIFICATIONS: 1 << 12,
  IS_VOICE_MESSAGE: 1 << 13,
  IS_COMPONENTS_V2: 1 << 15,
} as const;

export type BodyPurpose = 'create' | 'edit' | 'interaction';

/** Flags each request may set; other bits are dropped. */
const SETTABLE_FLAGS: Record<BodyPurpose, number> = {
  create:
    MESSAGE_FLAG.SUPPRESS_EMBEDS |
    MESSAGE_FLAG.SUPPRESS_NOTIFICATIONS |
    MESSAGE_FLAG.IS_VOICE_MESSAGE |
    MESSAGE_FLAG.IS_COMPONENTS_V2,
  edit: MESSAGE_FLAG.SUPPRESS_EMBEDS | MESSAGE_FLAG.IS_COMPONENTS_V2,
  interaction:
    MESSAGE_FLAG.SUPPRESS_EMBEDS |
    MESSAGE_FLAG.EPHEMERAL |
    MESSAGE_FLAG.SUPPRESS_NOTIFICATIONS |
    MESSAGE_FLAG.IS_VOICE_MESSAGE |
    MESSAGE_FLAG.IS_COMPONENTS_V2,
};

export interface AllowedMentions {
  parse?: string[];
  users?: string[];
  roles?: string[];
  replied_user?: boolean;
}

export interface MessageReferenceInput {
  message_id: string;
  channel_id?: string;
  guild_id?: string;
  fail_if_not_exists?: boolean;
  type?: number;
}

/** A body as read: a field is undefined when absent; on edits `null` has already become its empty value. */
export interface MessageInput {
  content?: string;
  embeds?: Json[];
  components?: Json[];
  flags?: number;
  tts?: boolean;
  nonce?: string | number;
  allowedMentions?: AllowedMentions;
  messageReference?: MessageReferenceInput;
  attachments?: Json[];
  stickerIds?: string[];
  poll?: Json;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const EMBED_LIMITS: [string[], number][] = [
  [['title'], 256],
  [['description'], 4096],
  [['footer', 'text'], 2048],
  [['author', 'name'], 256],
];

function textAt(obj: Json, path: string[]): unknown {
  let v: unknown = obj;
  for (const k of path) v = isObject(v) ? v[k] : undefined;
  return v;
}

function readEmbeds(raw: unknown, problems: FieldProblem[]): Json[] {
  if (!Array.isArray(raw)) {
    problems.push({ path: ['embeds'], code: 'BASE_TYPE_LIST', message: 'Must be a list.' });
    return [];
  }
  if (raw.length > 10)
    problems.push({ path: ['embeds'], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 10 or fewer in length.' });
  let total = 0;
  const embeds = raw.map((e, i) => {
    if (!isObject(e)) {
      problems.push({
        path: ['embeds', i],
        code: 'DICT_TYPE_CONVERT',
        message: 'Only dictionaries may be used in a DictType',
      });
      return {};
    }
    for (const [path, max] of EMBED_LIMITS) {
      const v = textAt(e, path);
      if (v === undefined || v === null) continue;
      if (typeof v !== 'string') {
        problems.push({
          path: ['embeds', i, ...path],
          code: 'BASE_TYPE_STRING',
          message: 'Could not interpret as string.',
        });
      } else {
        total += v.trim().length;
        if (v.trim().length > max)
          problems.push({
            path: ['embeds', i, ...path],
            code: 'BASE_TYPE_MAX_LENGTH',
            message: `Must be ${max} or fewer in length.`,
          });
      }
    }
    const fields = e['fields'];
    if (fields !== undefined && fields !== null) {
      if (!Array.isArray(fields) || fields.length > 25) {
        problems.push({
          path: ['embeds', i, 'fields'],
          code: 'BASE_TYPE_MAX_LENGTH',
          message: 'Must be 25 or fewer in length.',
        });
      } else {
        fields.forEach((f, j) => {
          for (const [key, max] of [
            ['name', 256],
            ['value', 1024],
          ] as const) {
            const v = isObject(f) ? f[key] : undefined;
            if (typeof v !== 'string' || v.trim() === '') {
              problems.push({
                path: ['embeds', i, 'fields', j, key],
                code: 'BASE_TYPE_REQUIRED',
                message: 'This field is required',
              });
            } else {
              total += v.trim().length;
              if (v.trim().length > max)
                problems.push({
                  path: ['embeds', i, 'fields', j, key],
                  code: 'BASE_TYPE_MAX_LENGTH',
                  message: `Must be ${max} or fewer in length.`,
                });
            }
          }
        });
      }
    }
    // "you can set every field except type (it will be rich regardless)"
    return { ...e, type: 'rich' };
  });
  if (total > 6000)
    problems.push({
      path: ['embeds'],
      code: 'MAX_EMBED_SIZE_EXCEEDED',
      message: 'Embed size exceeds maximum size of 6000',
    });
  return embeds;
}

/**
 * Reads a request body. `previousFlags` (edits) keeps the bits an edit cannot change. Throws a 50035 DiscordApiError
 * naming every problem.
 */
export function readMessageBody(raw: unknown, purpose: BodyPurpose, previousFlags = 0): MessageInput {
  if (!isObject(raw))
    throw invalidFormBody([
      { path: [], code: 'DICT_TYPE_CONVERT', message: 'Only dictionaries may be used in a DictType' },
    ]);
  const problems: FieldProblem[] = [];
  const out: MessageInput = {};
  const edit = purpose === 'edit' || purpose === 'interaction';

  if (raw['content'] !== undefined && (raw['content'] !== null || edit)) {
    const c = raw['content'] ?? '';
    if (typeof c !== 'string') {
      problems.push({ path: ['content'], code: 'BASE_TYPE_STRING', message: 'Could not interpret as string.' });
    } else if (c.length > 2000) {
      problems.push({ path: ['content'], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' });
    } else out.content = c;
  }
  if (raw['embeds'] !== undefined && (raw['embeds'] !== null || edit))
    out.embeds = readEmbeds(raw['embeds'] ?? [], problems);
  if (raw['flags'] !== undefined && raw['flags'] !== null) {
    const f = raw['flags'];
    if (typeof f !== 'number' || !Number.isInteger(f) || f < 0) {
      problems.push({ path: ['flags'], code: 'NUMBER_TYPE_COERCE', message: 'Value is not int.' });
    } else {
      const settable = SETTABLE_FLAGS[purpose];
      out.flags = purpose === 'edit' ? (previousFlags & ~settable) | (f & settable) : f & settable;
    }
  }
  const v2 = ((out.flags ?? previousFlags) & MESSAGE_FLAG.IS_COMPONENTS_V2) !== 0;
  if (raw['components'] !== undefined && (raw['components'] !== null || edit))
    out.components = validateComponents(raw['components'] ?? [], v2, problems);
  if (v2) {
    if (out.content)
      problems.push({
        path: ['content'],
        code: 'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2',
        message: "The 'content' field cannot be used when using MessageFlags.IS_COMPONENTS_V2",
      });
    if (out.embeds?.length)
      problems.push({
        path: ['embeds'],
        code: 'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2',
        message: "The 'embeds' field cannot be used when using MessageFlags.IS_COMPONENTS_V2",
      });
  }
  if (typeof raw['tts'] === 'boolean') out.tts = raw['tts'];
  const nonce = raw['nonce'];
  if (typeof nonce === 'string' || typeof nonce === 'number') {
    if (String(nonce).length > 25)
      problems.push({ path: ['nonce'], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' });
    else out.nonce = nonce;
  }
  if (isObject(raw['allowed_mentions'])) out.allowedMentions = raw['allowed_mentions'] as AllowedMentions;
  const ref = raw['message_reference'];
  if (ref !== undefined && ref !== null) {
    if (!isObject(ref) || typeof ref['message_id'] !== 'string') {
      problems.push({
        path: ['message_reference', 'message_id'],
        code: 'BASE_TYPE_REQUIRED',
        message: 'This field is required',
      });
    } else out.messageReference = ref as unknown as MessageReferenceInput;
  }
  if (Array.isArray(raw['attachments'])) out.attachments = raw['attachments'].filter(isObject);
  if (Array.isArray(raw['sticker_ids'])) out.stickerIds = raw['sticker_ids'].map(String);
  if (isObject(raw['poll'])) out.poll = raw['poll'];
  if (problems.length > 0) throw invalidFormBody(problems);
  return out;
}

/** "At least one of content, embeds, sticker_ids, components, files[n], poll is required." */
export function isEmptyMessage(m: {
  content: string;
  embeds: Json[];
  components: Json[];
  attachments: Json[];
  stickerIds?: string[];
  poll?: Json;
}): boolean {
  return (
    m.content.trim() === '' &&
    m.embeds.length === 0 &&
    m.components.length === 0 &&
    m.attachments.length === 0 &&
    (m.stickerIds?.length ?? 0) === 0 &&
    m.poll === undefined
  );
}
