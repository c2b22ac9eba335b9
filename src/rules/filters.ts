// Owns the `filters:` block of a rule file: its structural validation (json-rules-engine conditions and Legwork's
// shorthand) and the expansion of shorthand into plain json-rules-engine conditions. Pure.
import { parsePath, type Condition, type LeafCondition, type TopLevelCondition } from './compile.js';
import { NUMERIC_OPERATORS, resolveOperator } from './operators.js';

export type PathSeg = string | number;
export type AddIssue = (path: PathSeg[], message: string, atKey?: boolean) => void;

/** Shorthand keys that are not operator names. Any operator name (`between`, `notIn`, `abs:lessThan`) works too. */
export const SHORTHAND_ALIASES: Readonly<Record<string, string>> = {
  min: 'greaterThanInclusive',
  max: 'lessThanInclusive',
  gt: 'greaterThan',
  lt: 'lessThan',
};

const BOOLEAN_KEYS = ['all', 'any', 'not'] as const;
const LEAF_KEYS = new Set(['fact', 'operator', 'value', 'path', 'params', 'name', 'priority']);
const GROUP_KEYS = new Set(['all', 'any', 'not', 'name', 'priority']);

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isScalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
const isFiniteNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isFactRef = (v: unknown): v is { fact: string; path?: string } => isObj(v) && Object.hasOwn(v, 'fact');

/**
 * Keys every JavaScript object has (`__proto__`, `constructor`, `toString`, `valueOf`, `hasOwnProperty`, …).
 * json-rules-engine evaluates a copy of the conditions made by the `clone` package, which drops such a key (and
 * turns `__proto__` into the copy's prototype), so a value carrying one decides differently from what is written.
 */
const INHERITED_KEYS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Refuses every mapping key inside a condition's `value` or `params` (at any depth) that json-rules-engine would not see. */
export function checkInheritedKeys(v: unknown, path: PathSeg[], add: AddIssue): void {
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      checkInheritedKeys(x, [...path, i], add);
    });
    return;
  }
  if (!isObj(v)) return;
  for (const [k, x] of Object.entries(v)) {
    if (INHERITED_KEYS.has(k)) {
      add(
        [...path, k],
        `key "${k}" is refused: every JavaScript object has it, and json-rules-engine evaluates a copy of the conditions without it, so the rule would not decide as written`,
        true,
      );
    } else checkInheritedKeys(x, [...path, k], add);
  }
}

function checkParams(params: unknown, path: PathSeg[], add: AddIssue): void {
  if (params === undefined) return;
  if (!isObj(params)) add(path, 'params must be a mapping');
  else checkInheritedKeys(params, path, add);
}

function checkFactRef(v: Record<string, unknown>, path: PathSeg[], add: AddIssue): void {
  for (const k of Object.keys(v))
    if (!['fact', 'path', 'params'].includes(k)) add([...path, k], `unknown key "${k}" in a fact reference`, true);
  if (typeof v.fact !== 'string' || v.fact === '') add([...path, 'fact'], 'fact must be a fact name');
  if (v.path !== undefined && (typeof v.path !== 'string' || !parsePath(v.path)))
    add([...path, 'path'], "path must look like $.a.b, $.a[0] or $['a b']");
  checkParams(v.params, [...path, 'params'], add);
}

/**
 * Checks `value` against what the operator expects. Only `not:` and `abs:` decorators keep the shape checks; under
 * the others (`someFact:`, `someValue:`, `everyFact:`, `everyValue:`, `swap:`) any value is accepted except one
 * carrying a key every object has (see INHERITED_KEYS), which is refused under every operator.
 */
export function checkOperatorValue(operator: string, value: unknown, path: PathSeg[], add: AddIssue): void {
  if (isFactRef(value)) return checkFactRef(value, path, add);
  checkInheritedKeys(value, path, add);
  let base = operator;
  while (base.startsWith('not:') || base.startsWith('abs:')) base = base.slice(4);
  if (base.includes(':')) return;
  if (NUMERIC_OPERATORS.has(base) && base !== 'between' && base !== 'withinPct') {
    if (!isFiniteNum(value)) add(path, `${operator} needs a number (or {fact: name})`);
  } else if (base === 'between') {
    if (!Array.isArray(value) || value.length !== 2 || !value.every(isFiniteNum))
      add(path, 'between needs [min, max], two numbers');
    else if (value[0]! > value[1]!) add(path, `between: min ${value[0]} is greater than max ${value[1]}`);
  } else if (base === 'withinPct') {
    if (!Array.isArray(value) || value.length !== 2 || !value.every(isFiniteNum))
      add(path, 'withinPct needs [target, percent], two numbers');
    else if (value[1]! < 0) add(path, 'withinPct: percent must be >= 0');
  } else if (base === 'in' || base === 'notIn') {
    if (!Array.isArray(value) || value.length === 0 || !value.every(isScalar))
      add(path, `${operator} needs a non-empty list of values`);
  } else if (!isScalar(value)) {
    add(path, `${operator} needs a single value (string, number, boolean or null) or {fact: name}`);
  }
}

function checkOperator(op: unknown, path: PathSeg[], add: AddIssue): op is string {
  if (typeof op === 'string' && resolveOperator(op)) return true;
  add(path, typeof op === 'string' ? `unknown operator "${op}"` : 'operator must be a string');
  return false;
}

/** A json-rules-engine condition: exactly one of all / any / not, or a fact/operator/value leaf. */
export function checkCondition(c: unknown, path: PathSeg[], add: AddIssue): void {
  if (!isObj(c)) return add(path, 'a condition must be a mapping (all / any / not, or fact / operator / value)');
  const bools = BOOLEAN_KEYS.filter((k) => Object.hasOwn(c, k));
  if (c.name !== undefined && typeof c.name !== 'string') add([...path, 'name'], 'name must be a string');
  // A safe integer: json-rules-engine orders a leaf by its raw priority, the compiler by parseInt of its decimal
  // string, which reads 1e21 ("1e+21") as 1; and above 2^53 an integer is not the number written (YAML rounds it)
  if (c.priority !== undefined && !(Number.isSafeInteger(c.priority) && (c.priority as number) >= 1)) {
    add([...path, 'priority'], `priority must be an integer from 1 to ${Number.MAX_SAFE_INTEGER}`);
  }
  if (bools.length > 1) return add(path, `a condition has one of all / any / not, not ${bools.join(' and ')}`);
  const allowed = bools.length === 1 ? GROUP_KEYS : LEAF_KEYS;
  for (const k of Object.keys(c)) {
    if (!allowed.has(k))
      add(
        [...path, k],
        bools.length === 1 ? `unknown key "${k}" next to ${bools[0]}` : `unknown key "${k}" in a condition`,
        true,
      );
  }
  const bool = bools[0];
  if (bool === 'not') {
    if (Array.isArray(c.not)) return add([...path, 'not'], 'not takes one condition, not a list');
    return checkCondition(c.not, [...path, 'not'], add);
  }
  if (bool) {
    const list = c[bool];
    if (!Array.isArray(list)) return add([...path, bool], `${bool} takes a list of conditions`);
    if (list.length === 0)
      return add([...path, bool], `an empty ${bool} is always true in json-rules-engine; remove it`);
    list.forEach((x, i) => {
      checkCondition(x, [...path, bool, i], add);
    });
    return;
  }
  for (const k of ['fact', 'operator', 'value']) if (!Object.hasOwn(c, k)) add(path, `a condition needs ${k}`);
  if (c.fact !== undefined && (typeof c.fact !== 'string' || c.fact === ''))
    add([...path, 'fact'], 'fact must be a fact name');
  if (c.path !== undefined && (typeof c.path !== 'string' || !parsePath(c.path)))
    add([...path, 'path'], "path must look like $.a.b, $.a[0] or $['a b']");
  checkParams(c.params, [...path, 'params'], add);
  if (
    Object.hasOwn(c, 'operator') &&
    checkOperator(c.operator, [...path, 'operator'], add) &&
    Object.hasOwn(c, 'value')
  ) {
    checkOperatorValue(c.operator, c.value, [...path, 'value'], add);
  }
}

/** A shorthand entry `fact: spec`: a scalar (equal), a list (in), or a mapping of operators/aliases to values. */
function checkShorthand(spec: unknown, path: PathSeg[], add: AddIssue): void {
  if (isScalar(spec)) return;
  if (Array.isArray(spec)) return checkOperatorValue('in', spec, path, add);
  if (!isObj(spec)) return add(path, 'expected a value, a list, or {min, max, gt, lt, <operator>: value}');
  if (Object.keys(spec).length === 0) return add(path, 'an empty shorthand has no conditions');
  for (const [k, v] of Object.entries(spec)) {
    const op = SHORTHAND_ALIASES[k] ?? k;
    if (!resolveOperator(op))
      add([...path, k], `unknown shorthand key "${k}" (min, max, gt, lt or an operator name)`, true);
    else checkOperatorValue(op, v, [...path, k], add);
  }
}

/** Structural checks of `filters:`; fact names and types are checked by consistency.ts. */
export function checkFilters(filters: unknown, path: PathSeg[], add: AddIssue): void {
  if (!isObj(filters)) return add(path, 'filters must be a mapping of facts (shorthand) and/or all / any / not');
  for (const [k, v] of Object.entries(filters)) {
    if (k === 'not') checkCondition({ not: v }, path, add);
    else if (k === 'all' || k === 'any') checkCondition({ [k]: v }, path, add);
    else checkShorthand(v, [...path, k], add);
  }
}

/** The leaves a shorthand entry stands for, in the order written. */
export function expandShorthand(fact: string, spec: unknown): LeafCondition[] {
  if (Array.isArray(spec)) return [{ fact, operator: 'in', value: spec }];
  if (!isObj(spec)) return [{ fact, operator: 'equal', value: spec }];
  return Object.entries(spec).map(([k, value]) => ({ fact, operator: SHORTHAND_ALIASES[k] ?? k, value }));
}

/**
 * The json-rules-engine conditions of a (validated) `filters:` block: `{all: [...]}` holding the shorthand leaves
 * and the children of `all` in the order written, then the `any` and `not` groups. `filters: {all: X}` gives `{all: X}`.
 */
export function expandFilters(filters: Readonly<Record<string, unknown>>): TopLevelCondition {
  const all: Condition[] = [];
  for (const [k, v] of Object.entries(filters)) {
    if (k === 'all') all.push(...(v as Condition[]));
    else if (k === 'any') all.push({ any: v as Condition[] });
    else if (k === 'not') all.push({ not: v as Condition });
    else all.push(...expandShorthand(k, v));
  }
  return { all };
}
