// Owns comparing a venue payload with a real Tastytrade recording: same keys, same JSON value types, listed exceptions.
export type JsonType = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array';

export const jsonType = (v: unknown): JsonType =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : (typeof v as 'string' | 'number' | 'boolean' | 'object');

export interface ShapeOptions {
  /** JSON paths (e.g. "$.data.items[].beta") that the recording has and the venue deliberately omits. */
  omitted?: string[];
  /** JSON paths that the venue adds on purpose. */
  added?: string[];
}

/** Differences between `actual` and `recorded` as readable lines; [] means the same shape. */
export function diffShape(actual: unknown, recorded: unknown, options: ShapeOptions = {}, path = '$'): string[] {
  const omitted = new Set(options.omitted ?? []);
  const added = new Set(options.added ?? []);
  const recordedType = jsonType(recorded);
  const actualType = jsonType(actual);
  // A recorded null says nothing about the type the field has when set
  if (recordedType === 'null' || actualType === 'null') return [];
  if (recordedType !== actualType) return [`${path}: venue sends ${actualType}, Tastytrade sent ${recordedType}`];
  if (recordedType === 'array') {
    const rec = recorded as unknown[];
    const act = actual as unknown[];
    if (rec.length === 0 || act.length === 0) return [];
    const union = unionShape(rec);
    return act.flatMap((item) => diffShape(item, union, options, `${path}[]`)).filter(unique());
  }
  if (recordedType !== 'object') return [];
  const rec = recorded as Record<string, unknown>;
  const act = actual as Record<string, unknown>;
  const optional = new Set((rec[OPTIONAL_KEYS] as string[] | undefined) ?? []);
  const problems: string[] = [];
  for (const key of Object.keys(rec)) {
    if (key === OPTIONAL_KEYS) continue;
    const child = `${path}.${key}`;
    if (!(key in act)) {
      if (!optional.has(key) && !omitted.has(child)) problems.push(`${child}: missing from the venue`);
      continue;
    }
    problems.push(...diffShape(act[key], rec[key], options, child));
  }
  for (const key of Object.keys(act)) {
    if (!(key in rec) && !added.has(`${path}.${key}`)) problems.push(`${path}.${key}: not in the recording`);
  }
  return problems;
}

const OPTIONAL_KEYS = '__optional_keys__';

/** Merges array items into one shape; keys absent from some items become optional. */
function unionShape(items: unknown[]): unknown {
  const objects = items.filter((i) => jsonType(i) === 'object') as Record<string, unknown>[];
  if (objects.length !== items.length) return items[0];
  const merged: Record<string, unknown> = {};
  const counts = new Map<string, number>();
  for (const o of objects) {
    for (const [k, v] of Object.entries(o)) {
      counts.set(k, (counts.get(k) ?? 0) + 1);
      if (!(k in merged) || jsonType(merged[k]) === 'null') merged[k] = v;
    }
  }
  merged[OPTIONAL_KEYS] = [...counts].filter(([, n]) => n < objects.length).map(([k]) => k);
  return merged;
}

function unique() {
  const seen = new Set<string>();
  return (line: string) => {
    if (seen.has(line)) return false;
    seen.add(line);
    return true;
  };
}
