// Owns Legwork's ids: random UUIDs for new things, name-based UUIDs (v5 layout) where a retry must find the same id.
import { createHash, randomUUID } from 'node:crypto';

export const newId = (): string => randomUUID();

const ID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Whether `s` has the shape of a Legwork id (a UUID): anything else (another tool's external id) is none of ours. */
export const isIdShaped = (s: string): boolean => ID_SHAPE.test(s);

/** Same parts, same UUID: e.g. the trade chosen from one candidate, the entry group of one trade. */
export function deterministicId(namespace: string, ...parts: string[]): string {
  const hash = createHash('sha1')
    .update([namespace, ...parts].join('\u0000'))
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50; // version 5
  hash[8] = (hash[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
