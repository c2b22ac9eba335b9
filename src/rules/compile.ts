// Owns the fast path of rule evaluation: a json-rules-engine condition tree compiled ONCE into a plain synchronous
// predicate over a facts object, deciding exactly as json-rules-engine 7 (allowUndefinedFacts: true) does. Pure.
import { resolveOperator, type ResolvedOperator } from './operators.js';

export interface LeafCondition {
  fact: string;
  operator: string;
  value: unknown;
  /** JSON path into an object-valued fact (`$.a.b`, `$.a[0]`, `$['a b']`); a non-object fact is used as is. */
  path?: string;
  /** Accepted for json-rules-engine compatibility; constant facts ignore params (every Legwork fact is constant). */
  params?: Record<string, unknown>;
  name?: string;
  priority?: number;
}
export interface AllCondition {
  all: Condition[];
  name?: string;
  priority?: number;
}
export interface AnyCondition {
  any: Condition[];
  name?: string;
  priority?: number;
}
export interface NotCondition {
  not: Condition;
  name?: string;
  priority?: number;
}
export type BooleanCondition = AllCondition | AnyCondition | NotCondition;
export type Condition = LeafCondition | BooleanCondition;
/** What json-rules-engine accepts as a rule's `conditions`. */
export type TopLevelCondition = BooleanCondition;

export type Facts = Readonly<Record<string, unknown>>;

export class CompileError extends Error {
  override name = 'CompileError';
}

// ---- Intermediate form shared by the code generator, the closure compiler and the trace ----

/** Where a value comes from: a literal, or a fact (with an optional path), as json-rules-engine's Almanac resolves it. */
export type Operand = { kind: 'literal'; value: unknown } | { kind: 'fact'; fact: string; path: string[] | null };
export type Node =
  | {
      kind: 'leaf';
      at: string;
      cond: LeafCondition;
      op: ResolvedOperator;
      left: Operand;
      right: Operand;
      priority: number;
      mayThrow: boolean;
    }
  | { kind: 'all' | 'any'; at: string; name?: string; children: Node[]; priority: number; mayThrow: boolean }
  | { kind: 'not'; at: string; name?: string; child: Node; priority: number; mayThrow: boolean };

const own = (o: object, k: string) => Object.hasOwn(o, k);
const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';

/**
 * json-rules-engine: `parseInt(priority, 10) || 1` for booleans; a leaf without priority takes its fact's (1). A leaf
 * with one is ordered by the raw value, which agrees with parseInt for integers below 1e21 only: the loader admits safe
 * integers (filters.ts), so a rule file never reaches the difference.
 */
const priorityOf = (c: Record<string, unknown>): number => Number.parseInt(c.priority as string, 10) || 1;

/** The JSON-path subset whose jsonpath-plus result (wrap: false) is a plain own-property walk. */
export function parsePath(path: string): string[] | null {
  if (!path.startsWith('$')) return null;
  const segs: string[] = [];
  const re = /\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\['([A-Za-z0-9_ -]+)'\]/y;
  re.lastIndex = 1;
  while (re.lastIndex < path.length) {
    const m = re.exec(path);
    if (!m) return null;
    segs.push((m[1] ?? m[2] ?? m[3])!);
  }
  return segs;
}

/** jsonpath-plus `_trace` for simple segments: follow `val && Object.hasOwn(val, seg)`, else no match (undefined). */
export function walkPath(value: unknown, segs: readonly string[]): unknown {
  let cur = value;
  for (const s of segs) {
    if (cur && Object.hasOwn(cur as object, s)) cur = (cur as Record<string, unknown>)[s];
    else return undefined;
  }
  return cur;
}

/** Almanac#factValue: a path applies only to a non-null object fact; otherwise the fact itself. */
export const applyPath = (v: unknown, segs: readonly string[]): unknown =>
  v != null && typeof v === 'object' ? walkPath(v, segs) : v;

function operandOf(fact: unknown, path: unknown, at: string): Operand {
  if (typeof fact !== 'string') throw new CompileError(`${at}: fact must be a string`);
  if (path === undefined || path === null || path === '') return { kind: 'fact', fact, path: null };
  const segs = typeof path === 'string' ? parsePath(path) : null;
  if (!segs) throw new CompileError(`${at}: unsupported path ${JSON.stringify(path)} (use $.a.b, $.a[0] or $['a b'])`);
  return { kind: 'fact', fact, path: segs };
}

/**
 * Whether evaluating the leaf can throw (json-rules-engine then rejects the run) when every fact it reads is a
 * primitive (undefined, null, a number, a string or a boolean): `in`/`notIn` against a value that is neither a list
 * nor a string, and the list/swap decorators; `not:` and `abs:` never throw on primitives. Any other fact value can
 * throw wherever an operator turns it into a number or a string (the numeric validator's parseFloat, `<`, Math.abs,
 * a string's indexOf): a JSON object whose own `toString`/`valueOf` are not functions (`{"toString": 1}`), a
 * symbol, a bigint. So a candidate with a non-primitive fact is decided by the careful variant (every member of every
 * priority set evaluated; see `hasLazySet`). Literal values are assumed to be what json-rules-engine evaluates: it
 * evaluates a `clone` of the conditions, which drops keys named like Object.prototype members (the loader refuses them).
 */
function leafMayThrow(op: ResolvedOperator, right: Operand): boolean {
  if (op.decorators.some((d) => d.name !== 'not' && d.name !== 'abs')) return true;
  if (op.base.name !== 'in' && op.base.name !== 'notIn') return false;
  return !(right.kind === 'literal' && (Array.isArray(right.value) || typeof right.value === 'string'));
}

export function toNode(c: unknown, at: string): Node {
  if (!isObj(c)) throw new CompileError(`${at}: a condition must be a mapping`);
  // Condition.booleanOperator: any, then all, then not
  const bool = own(c, 'any') ? 'any' : own(c, 'all') ? 'all' : own(c, 'not') ? 'not' : null;
  const name = typeof c.name === 'string' ? { name: c.name } : {};
  if (bool === 'not') {
    if (Array.isArray(c.not)) throw new CompileError(`${at}: "not" cannot be an array`);
    const child = toNode(c.not, `${at}.not`);
    return { kind: 'not', at, ...name, child, priority: priorityOf(c), mayThrow: child.mayThrow };
  }
  if (bool) {
    const list = c[bool];
    if (!Array.isArray(list)) throw new CompileError(`${at}: "${bool}" must be an array`);
    const children = list.map((x, i) => toNode(x, `${at}.${bool}[${i}]`));
    return { kind: bool, at, ...name, children, priority: priorityOf(c), mayThrow: children.some((x) => x.mayThrow) };
  }
  if (own(c, 'condition')) throw new CompileError(`${at}: shared condition references are not supported`);
  for (const k of ['fact', 'operator', 'value']) if (!own(c, k)) throw new CompileError(`${at}: "${k}" is required`);
  const op = typeof c.operator === 'string' ? resolveOperator(c.operator) : null;
  if (!op) throw new CompileError(`${at}: unknown operator ${JSON.stringify(c.operator)}`);
  const left = operandOf(c.fact, c.path, at);
  const v = c.value;
  const right: Operand =
    isObj(v) && own(v, 'fact') ? operandOf(v.fact, v.path, `${at}.value`) : { kind: 'literal', value: v };
  return {
    kind: 'leaf',
    at,
    cond: c as unknown as LeafCondition,
    op,
    left,
    right,
    priority: priorityOf(c),
    mayThrow: leafMayThrow(op, right),
  };
}

/** Rule#prioritizeConditions: sets of equal priority, highest first, each in written order. */
export function prioritySets(children: readonly Node[]): Node[][] {
  const sets = new Map<number, Node[]>();
  for (const ch of children) sets.set(ch.priority, [...(sets.get(ch.priority) ?? []), ch]);
  return [...sets.keys()].sort((a, b) => b - a).map((p) => sets.get(p)!);
}

/**
 * Whether some priority set of two or more members is evaluated lazily (short-circuit, because none of its members
 * can throw on primitive facts). Only then can the fast variant differ from the careful one, which evaluates every
 * member of a set as json-rules-engine's Promise.all does, and only on a candidate with a non-primitive fact.
 */
export function hasLazySet(n: Node): boolean {
  if (n.kind === 'leaf') return false;
  if (n.kind === 'not') return hasLazySet(n.child);
  if (n.children.length > 1 && prioritySets(n.children).some((set) => set.length > 1 && !set.some((x) => x.mayThrow)))
    return true;
  return n.children.some(hasLazySet);
}

/** The facts a tree reads, on either side of its leaves. */
export function factsRead(n: Node, out = new Set<string>()): Set<string> {
  if (n.kind === 'leaf') {
    for (const o of [n.left, n.right]) if (o.kind === 'fact') out.add(o.fact);
  } else if (n.kind === 'not') factsRead(n.child, out);
  else for (const c of n.children) factsRead(c, out);
  return out;
}

/** Values no operator can fail to turn into a number or a string (see `leafMayThrow`). */
export const isPlainPrimitive = (v: unknown): boolean =>
  typeof v === 'number' || v == null || typeof v === 'string' || typeof v === 'boolean';

/** The root, with json-rules-engine's precedence any > all > not. */
export function rootNode(root: TopLevelCondition): Node {
  if (!isObj(root) || !(own(root, 'any') || own(root, 'all') || own(root, 'not'))) {
    throw new CompileError('conditions: the root must be all, any or not');
  }
  return toNode(root, 'conditions');
}

// ---- Code generation ----

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function generate(root: Node): { source: string; constants: unknown[] } {
  const constants: unknown[] = [];
  const leaves = new Map<Node, string>(); // a leaf's expression, shared by the fast and the careful variant
  const reads = new Map<string, string>(); // fact name -> variable
  let temps = 0;
  const konst = (v: unknown) => `k${constants.push(v) - 1}`;
  const read = (fact: string) => {
    let v = reads.get(fact);
    if (!v) {
      v = `v${reads.size}`;
      reads.set(fact, v);
    }
    return v;
  };
  const operand = (o: Operand): { expr: string; simple: boolean } => {
    if (o.kind === 'literal') return { expr: konst(o.value), simple: true };
    if (!o.path) return { expr: read(o.fact), simple: true };
    return { expr: `P(${read(o.fact)}, ${konst(o.path)})`, simple: false };
  };
  const leaf = (n: Extract<Node, { kind: 'leaf' }>): string => {
    const a = operand(n.left);
    const b = operand(n.right);
    if (n.op.decorators.length === 0 && a.simple && b.simple) {
      const x = a.expr;
      const y = b.expr;
      const numeric = (cmp: string) => `((typeof ${x} === "number" ? ${x} === ${x} : NV(${x})) && ${x} ${cmp} ${y})`;
      switch (n.op.base.name) {
        case 'equal':
          return `(${x} === ${y})`;
        case 'notEqual':
          return `(${x} !== ${y})`;
        case 'lessThan':
          return numeric('<');
        case 'lessThanInclusive':
          return numeric('<=');
        case 'greaterThan':
          return numeric('>');
        case 'greaterThanInclusive':
          return numeric('>=');
        case 'in':
          return `(${y}.indexOf(${x}) > -1)`;
        case 'notIn':
          return `(${y}.indexOf(${x}) === -1)`;
        case 'contains':
          return `(Array.isArray(${x}) && ${x}.indexOf(${y}) > -1)`;
        case 'doesNotContain':
          return `(Array.isArray(${x}) && ${x}.indexOf(${y}) === -1)`;
      }
    }
    return `${konst(n.op.evaluate)}(${a.expr}, ${b.expr})`;
  };
  const join = (exprs: string[], glue: '&&' | '||', eager: boolean): string => {
    if (!eager) return `(${exprs.join(` ${glue} `)})`;
    // Promise.all over a priority set: every member is evaluated (so a throw anywhere rejects), then every/some
    const ts = exprs.map(() => `t${temps++}`);
    return `(${exprs.map((e, i) => `${ts[i]} = ${e}`).join(', ')}, ${ts.join(` ${glue} `)})`;
  };
  const node = (n: Node, careful: boolean): string => {
    if (n.kind === 'leaf') {
      let expr = leaves.get(n);
      if (expr === undefined) {
        expr = leaf(n);
        leaves.set(n, expr);
      }
      return expr;
    }
    if (n.kind === 'not') return `!${node(n.child, careful)}`;
    if (n.children.length === 0) return 'true'; // prioritizeAndRun([]) resolves true, for `any` too
    if (n.children.length === 1) return node(n.children[0]!, careful);
    const glue = n.kind === 'all' ? '&&' : '||';
    const sets = prioritySets(n.children).map((set) =>
      set.length === 1
        ? node(set[0]!, careful)
        : join(
            set.map((x) => node(x, careful)),
            glue,
            careful || set.some((x) => x.mayThrow),
          ),
    );
    return sets.length === 1 ? sets[0]! : `(${sets.join(` ${glue} `)})`;
  };
  const fast = node(root, false);
  let body = fast;
  if (hasLazySet(root)) {
    // Short-circuiting a set is exact only while no member can throw: with a non-primitive fact, evaluate every member
    const careful = node(root, true);
    const plain = [...factsRead(root)].map((fact) => {
      const v = read(fact);
      return `(typeof ${v} === "number" || ${v} == null || typeof ${v} === "string" || typeof ${v} === "boolean")`;
    });
    body = `${plain.join(' && ')}\n    ? ${fast}\n    : ${careful}`;
  }
  const decls = [...reads].map(([fact, v]) => {
    const access = IDENT.test(fact) ? `f.${fact}` : `f[${JSON.stringify(fact)}]`;
    // A key inherited from Object.prototype is no fact (the Almanac's facts are a Map of the run's own keys)
    return fact in Object.prototype
      ? `const ${v} = H.call(f, ${JSON.stringify(fact)}) ? ${access} : undefined;`
      : `const ${v} = ${access};`;
  });
  const tdecl = temps > 0 ? `let ${Array.from({ length: temps }, (_, i) => `t${i}`).join(', ')};` : '';
  const source = `return function legworkRule(f) {\n  ${[...decls, tdecl].filter(Boolean).join('\n  ')}\n  return ${body};\n};`;
  return { source, constants };
}

const numberLike = (v: unknown): boolean => Number.parseFloat(v as string).toString() !== 'NaN';

// ---- Closures (kept for comparison in the benchmark, and as a second implementation under the differential test) ----

type Fn = (f: Facts) => boolean;
/** A fact as the Almanac sees it: a key inherited from Object.prototype is no fact (its facts are the run's own keys). */
const factReader = (fact: string) =>
  fact in Object.prototype ? (f: Facts) => (own(f, fact) ? f[fact] : undefined) : (f: Facts) => f[fact];

function closures(n: Node, careful: boolean): Fn {
  const get = (o: Operand): ((f: Facts) => unknown) => {
    if (o.kind === 'literal') {
      const v = o.value;
      return () => v;
    }
    const { fact, path } = o;
    const base = factReader(fact);
    return path ? (f) => applyPath(base(f), path) : base;
  };
  if (n.kind === 'leaf') {
    const a = get(n.left);
    const b = get(n.right);
    const ev = n.op.evaluate;
    return (f) => ev(a(f), b(f));
  }
  if (n.kind === 'not') {
    const c = closures(n.child, careful);
    return (f) => !c(f);
  }
  if (n.children.length === 0) return () => true;
  if (n.children.length === 1) return closures(n.children[0]!, careful);
  const isAll = n.kind === 'all';
  const sets = prioritySets(n.children).map((set) => ({
    fns: set.map((x) => closures(x, careful)),
    eager: careful || set.some((x) => x.mayThrow),
  }));
  return (f) => {
    for (const { fns, eager } of sets) {
      if (eager) {
        const rs = fns.map((fn) => fn(f));
        if (isAll ? !rs.every((r) => r === true) : rs.some((r) => r === true)) return !isAll;
      } else {
        for (const fn of fns) if (fn(f) === !isAll) return !isAll;
      }
    }
    return isAll;
  };
}

export interface CompiledRule {
  readonly conditions: TopLevelCondition;
  readonly root: Node;
  /** The predicate: true when the candidate's facts satisfy the conditions. */
  readonly test: (facts: Facts) => boolean;
  /** Generated JavaScript, for inspection. */
  readonly source: string;
}

/** Compiles once; `test` then runs millions of times per second. Throws CompileError on a malformed tree. */
export function compileConditions(
  conditions: TopLevelCondition,
  options: { mode?: 'codegen' | 'closures' } = {},
): CompiledRule {
  const root = rootNode(conditions);
  if (options.mode === 'closures') {
    const fast = closures(root, false);
    if (!hasLazySet(root)) return { conditions, root, test: fast, source: '' };
    const careful = closures(root, true);
    const readers = [...factsRead(root)].map(factReader);
    const test = (f: Facts) => (readers.every((read) => isPlainPrimitive(read(f))) ? fast(f) : careful(f));
    return { conditions, root, test, source: '' };
  }
  const { source, constants } = generate(root);
  const names = constants.map((_, i) => `k${i}`);
  // Values reach the generated code as constants (parameters k0, k1, …), never spliced into its source
  const factory = new Function('P', 'NV', 'H', ...names, source) as (...args: unknown[]) => (f: Facts) => boolean;
  const test = factory(applyPath, numberLike, Object.prototype.hasOwnProperty, ...constants);
  return { conditions, root, test, source };
}

/** Bulk filtering: the candidates whose facts pass. */
export function filterByRule<T extends { facts: object }>(compiled: CompiledRule, candidates: readonly T[]): T[] {
  const { test } = compiled;
  const out: T[] = [];
  for (const c of candidates) if (test(c.facts as Facts)) out.push(c);
  return out;
}

// The readable trace of a finalist lives in trace.ts (it re-evaluates the same intermediate form)
