// Owns reading message request bodies: JSON, or multipart/form-data with `payload_json` and `files[n]` (Discord docs:
// reference#uploading-files), whose files become attachments named by the `attachments` metadata.
import type { Request } from 'express';
import type { AttachmentStore, UploadedFile } from '../core/attachments.js';
import { invalidFormBody } from '../core/errors.js';
import type { SnowflakeSource } from '../ids.js';
import type { Json } from '../types.js';
import { baseUrlOf } from './respond.js';

export interface MessageRequest {
  payload: unknown;
  /** Attachment objects of the uploaded files (undefined for JSON bodies). */
  uploaded?: Json[];
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export async function readMessageRequest(
  req: Request,
  channelId: string,
  ids: SnowflakeSource,
  attachments: AttachmentStore,
): Promise<MessageRequest> {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('multipart/form-data')) return { payload: req.body ?? {} };
  const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(raw), { headers: { 'content-type': type } }).formData();
  } catch {
    throw invalidFormBody([{ path: [], code: 'CONTENT_TYPE_INVALID', message: 'Could not parse the multipart body' }]);
  }
  const json = form.get('payload_json');
  let payload: unknown = {};
  if (typeof json === 'string') {
    try {
      payload = JSON.parse(json);
    } catch {
      throw invalidFormBody([{ path: ['payload_json'], code: 'BASE_TYPE_JSON', message: 'Could not parse JSON.' }]);
    }
  }
  const meta = isObject(payload) && Array.isArray(payload['attachments']) ? (payload['attachments'] as Json[]) : [];
  const uploaded: Json[] = [];
  const parts: [string, FormDataEntryValue][] = [];
  form.forEach((value, name) => {
    parts.push([name, value]);
  });
  for (const [name, value] of parts) {
    const index = /^files\[(\d+)\]$/.exec(name)?.[1] ?? (name === 'file' ? '0' : undefined);
    if (index === undefined || typeof value === 'string') continue;
    const m = meta.find((a) => String(a['id']) === index);
    const file: UploadedFile = {
      filename: typeof m?.['filename'] === 'string' ? m['filename'] : value.name,
      contentType: value.type || 'application/octet-stream',
      data: Buffer.from(await value.arrayBuffer()),
      ...(typeof m?.['description'] === 'string' ? { description: m['description'] } : {}),
    };
    uploaded.push(attachments.add(ids.next(), channelId, file, baseUrlOf(req)));
  }
  // The metadata of new files (ids are indexes into files[n]) is not a list of attachments to keep
  if (isObject(payload) && Array.isArray(payload['attachments'])) {
    payload = { ...payload, attachments: meta.filter((a) => !/^\d{1,3}$/.test(String(a['id']))) };
  }
  return { payload, uploaded };
}
