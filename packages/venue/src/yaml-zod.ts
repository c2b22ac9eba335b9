// Owns parsing a YAML text against a zod schema and reporting every problem as `file:line:col: message` (the venue's own
// small copy: it shares no code with Legwork).
import { isNode, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';

export interface Located {
  file: string;
  line: number;
  col: number;
  message: string;
}

export const formatLocated = (p: Located): string => `${p.file}:${p.line}:${p.col}: ${p.message}`;

export class YamlValidationError extends Error {
  constructor(readonly problems: Located[]) {
    super(problems.map(formatLocated).join('\n'));
    this.name = 'YamlValidationError';
  }
}

export type YamlParse<T> = { ok: true; value: T } | { ok: false; problems: Located[] };

/** Parses YAML, then validates with `schema`; every YAML syntax error and schema issue is reported with its position. */
export function parseYamlWith<S extends z.ZodType>(text: string, file: string, schema: S): YamlParse<z.infer<S>> {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined) => {
    const pos = lineCounter.linePos(offset ?? 0);
    return { line: pos.line, col: pos.col };
  };
  const syntax = document.errors.map((e) => ({
    file,
    ...at(e.pos[0]),
    message: e.message.split('\n')[0] ?? e.message,
  }));
  if (syntax.length > 0) return { ok: false, problems: syntax };
  const parsed = schema.safeParse(document.toJS());
  if (parsed.success) return { ok: true, value: parsed.data };
  const problems = parsed.error.issues.map((issue) => {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    // Point at the deepest node that exists: for an unknown or missing key that is its parent mapping
    let node: unknown;
    for (let depth = path.length; depth >= 0 && !isNode(node); depth--)
      node = document.getIn(path.slice(0, depth), true);
    const range = isNode(node) ? node.range : undefined;
    const where = path.length > 0 ? `${path.join('.')}: ` : '';
    return { file, ...at(range?.[0]), message: `${where}${issue.message}` };
  });
  return { ok: false, problems };
}
