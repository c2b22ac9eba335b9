// Owns parsing a YAML text against a zod schema and reporting every problem as `file:line:col: message`.
import { isMap, isNode, isScalar, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { didYouMean } from './did-you-mean.js';

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

export type YamlParse<T> =
  | { ok: true; value: T; document: ReturnType<typeof parseDocument> }
  | { ok: false; problems: Located[] };

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
  if (parsed.success) return { ok: true, value: parsed.data, document };
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

export type PathSeg = string | number;

/** The keys a mapping of the document takes, by the mapping's path; undefined when unknown. */
export type KnownKeys = (path: readonly PathSeg[]) => readonly string[] | undefined;

/** A parsed YAML text that can place any path of its value back at a `line:col` (for checks beyond zod's). */
export interface YamlSource {
  file: string;
  document: ReturnType<typeof parseDocument>;
  /** YAML syntax errors; when there are any, `value` is undefined. */
  syntaxProblems: Located[];
  value: unknown;
  /** Position of the node at `path`, or of its deepest existing ancestor; `atKey` points at the last key itself. */
  locate(path: readonly PathSeg[], atKey?: boolean): { line: number; col: number };
  problem(path: readonly PathSeg[], message: string, atKey?: boolean): Located;
  /**
   * zod issues as problems; an unknown key is reported at the key itself, one problem per key, with a "did you mean"
   * among `knownKeys(path of its mapping)` when one is close.
   */
  fromIssues(issues: readonly z.core.$ZodIssue[], prefix?: readonly PathSeg[], knownKeys?: KnownKeys): Located[];
}

export function readYaml(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined) => {
    const pos = lineCounter.linePos(offset ?? 0);
    return { line: pos.line, col: pos.col };
  };
  const syntaxProblems = document.errors.map((e) => ({
    file,
    ...at(e.pos[0]),
    message: e.message.split('\n')[0] ?? e.message,
  }));
  const locate = (path: readonly PathSeg[], atKey = false) => {
    if (atKey && path.length > 0) {
      const parent = document.getIn(path.slice(0, -1), true);
      const last = path[path.length - 1];
      const pair = isMap(parent) ? parent.items.find((p) => isScalar(p.key) && p.key.value === last) : undefined;
      if (pair && isNode(pair.key)) return at(pair.key.range?.[0]);
    }
    let node: unknown;
    for (let depth = path.length; depth >= 0 && !isNode(node); depth--)
      node = document.getIn(path.slice(0, depth), true);
    return at(isNode(node) ? node.range?.[0] : undefined);
  };
  const problem = (path: readonly PathSeg[], message: string, atKey = false): Located => {
    const where = path.length > 0 ? `${path.join('.')}: ` : '';
    return { file, ...locate(path, atKey), message: `${where}${message}` };
  };
  const fromIssues = (
    issues: readonly z.core.$ZodIssue[],
    prefix: readonly PathSeg[] = [],
    knownKeys?: KnownKeys,
  ): Located[] =>
    issues.flatMap((issue) => {
      const path = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
      if (issue.code === 'unrecognized_keys') {
        const known = knownKeys?.(path) ?? [];
        return issue.keys.map((k) => problem([...path, k], `unknown key "${k}"${didYouMean(k, known)}`, true));
      }
      const atKey = issue.code === 'custom' && (issue.params as { atKey?: boolean } | undefined)?.atKey === true;
      return [problem(path, issue.message, atKey)];
    });
  const value = syntaxProblems.length > 0 ? undefined : document.toJS({ maxAliasCount: 100 });
  return { file, document, syntaxProblems, value, locate, problem, fromIssues };
}
