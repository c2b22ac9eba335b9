// Owns the readable trace of a finalist: every condition of the compiled rule, the values it saw, pass or fail. Pure.
import { applyPath, type CompiledRule, type Facts, type Node, type Operand } from './compile.js';

export interface TraceEntry {
  /** Position in the expanded conditions, e.g. `conditions.all[2].any[0]`. */
  at: string;
  depth: number;
  kind: 'all' | 'any' | 'not' | 'leaf';
  result: boolean;
  name?: string;
  fact?: string;
  path?: string;
  operator?: string;
  /** The condition's `value` as written (a `{fact: …}` reference stays a reference). */
  value?: unknown;
  /** What the fact (with its path) resolved to. */
  factValue?: unknown;
  /** What the value resolved to, when it references a fact. */
  valueResult?: unknown;
  /** The operator threw (json-rules-engine would reject the run); the condition counts as failed. */
  error?: string;
}

export interface Trace {
  result: boolean;
  entries: TraceEntry[];
  /** One line per entry, indented by depth: `PASS dte = 38 greaterThanInclusive 30`. */
  text: string[];
}

const resolve = (o: Operand, f: Facts): unknown => {
  if (o.kind === 'literal') return o.value;
  const v = Object.hasOwn(f, o.fact) ? f[o.fact] : undefined;
  return o.path ? applyPath(v, o.path) : v;
};

/** JSON where it can; a bigint (which JSON.stringify refuses) as `3n`; never throws, whatever the fact. */
const show = (v: unknown): string => {
  if (v === undefined) return 'undefined';
  if (typeof v === 'bigint') return `${v}n`;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return Object.prototype.toString.call(v); // a cycle, a throwing toJSON, a function that cannot become a string
  }
};

/**
 * Evaluates every condition (no short-circuit, so the trace is complete) and combines results the way
 * json-rules-engine does (`all`/`any` of nothing is true). For facts on which the compiled predicate does not
 * throw, `result` equals `compiled.test(facts)`.
 */
export function traceCandidate(compiled: CompiledRule, facts: Facts): Trace {
  const entries: TraceEntry[] = [];
  const visit = (n: Node, depth: number): boolean => {
    const entry: TraceEntry = { at: n.at, depth, kind: n.kind, result: false };
    if (n.kind !== 'leaf' && n.name !== undefined) entry.name = n.name;
    entries.push(entry);
    if (n.kind === 'leaf') {
      const { cond } = n;
      if (cond.name !== undefined) entry.name = cond.name;
      entry.fact = cond.fact;
      if (cond.path) entry.path = cond.path;
      entry.operator = cond.operator;
      entry.value = cond.value;
      const a = resolve(n.left, facts);
      const b = resolve(n.right, facts);
      entry.factValue = a;
      if (n.right.kind === 'fact') entry.valueResult = b;
      try {
        entry.result = n.op.evaluate(a, b) === true;
      } catch (e) {
        entry.error = e instanceof Error ? e.message : String(e);
      }
      return entry.result;
    }
    if (n.kind === 'not') {
      entry.result = !visit(n.child, depth + 1);
      return entry.result;
    }
    const results = n.children.map((c) => visit(c, depth + 1));
    if (n.children.length === 0) {
      entry.result = true;
      return entry.result;
    }
    // Priority sets only change the order of evaluation, not the outcome
    entry.result = n.kind === 'all' ? results.every((r) => r) : results.some((r) => r);
    return entry.result;
  };
  const result = visit(compiled.root, 0);
  const text = entries.map((e) => {
    const pad = '  '.repeat(e.depth);
    const mark = e.result ? 'PASS' : 'FAIL';
    const label = e.name ? ` [${e.name}]` : '';
    if (e.kind !== 'leaf') return `${pad}${mark} ${e.kind}${label}`;
    const lhs = `${e.fact}${e.path ? e.path.slice(1) : ''} = ${show(e.factValue)}`;
    const rhs =
      e.valueResult !== undefined || (typeof e.value === 'object' && e.value !== null && 'fact' in e.value)
        ? `${show(e.value)} (= ${show(e.valueResult)})`
        : show(e.value);
    return `${pad}${mark} ${lhs} ${e.operator} ${rhs}${label}${e.error ? ` (error: ${e.error})` : ''}`;
  });
  return { result, entries, text };
}
