// Owns the operators of rule conditions: json-rules-engine 7's built-ins and decorators mirrored line for line,
// Legwork's custom ones (registered identically into a json-rules-engine Engine), and operator-name resolution. Pure.

/** Operators see the fact value (left) and the condition's `value` (right), as in json-rules-engine. */
export type OperatorCallback = (factValue: unknown, jsonValue: unknown) => boolean;
export type DecoratorCallback = (factValue: unknown, jsonValue: unknown, next: OperatorCallback) => boolean;

export interface OperatorDef {
  name: string;
  cb: OperatorCallback;
  /** Checked on the fact value first; a failing validator makes the condition false (json-rules-engine `Operator`). */
  validator?: (factValue: unknown) => boolean;
  custom: boolean;
  doc: string;
}

export interface DecoratorDef {
  name: string;
  cb: DecoratorCallback;
  validator?: (factValue: unknown) => boolean;
  custom: boolean;
  doc: string;
}

/**
 * json-rules-engine's `numberValidator` (dist/engine-default-operators.js): `parseFloat(v).toString() !== 'NaN'`.
 * For a number that is exactly "not NaN" (String(n) always parses back), so numbers skip the string round trip.
 */
export const numberValidator = (factValue: unknown): boolean =>
  typeof factValue === 'number'
    ? !Number.isNaN(factValue)
    : Number.parseFloat(factValue as string).toString() !== 'NaN';

type Indexable = { indexOf(x: unknown): number };
const idx = (container: unknown, x: unknown): number => (container as Indexable).indexOf(x);

const builtin = (name: string, cb: OperatorCallback, doc: string, validator?: (v: unknown) => boolean): OperatorDef =>
  validator ? { name, cb, validator, custom: false, doc } : { name, cb, custom: false, doc };

/** The ten standard operators, with json-rules-engine's exact callbacks and validators. */
export const BUILTIN_OPERATORS: readonly OperatorDef[] = [
  builtin('equal', (a, b) => a === b, 'fact === value (strict: no type coercion)'),
  builtin('notEqual', (a, b) => a !== b, 'fact !== value'),
  builtin('in', (a, b) => idx(b, a) > -1, 'value (a list) includes the fact'),
  builtin('notIn', (a, b) => idx(b, a) === -1, 'value (a list) does not include the fact'),
  builtin(
    'contains',
    (a, b) => idx(a, b) > -1,
    'the fact (a list) includes value; false if the fact is not a list',
    Array.isArray,
  ),
  builtin(
    'doesNotContain',
    (a, b) => idx(a, b) === -1,
    'the fact (a list) does not include value; false if not a list',
    Array.isArray,
  ),
  builtin(
    'lessThan',
    (a, b) => (a as number) < (b as number),
    'fact < value; false if the fact is not numeric',
    numberValidator,
  ),
  builtin(
    'lessThanInclusive',
    (a, b) => (a as number) <= (b as number),
    'fact <= value; false if not numeric',
    numberValidator,
  ),
  builtin(
    'greaterThan',
    (a, b) => (a as number) > (b as number),
    'fact > value; false if not numeric',
    numberValidator,
  ),
  builtin(
    'greaterThanInclusive',
    (a, b) => (a as number) >= (b as number),
    'fact >= value; false if not numeric',
    numberValidator,
  ),
];

const num = (x: unknown): x is number => typeof x === 'number';

/**
 * Legwork's operators. They return strict booleans and never throw on primitive facts; like json-rules-engine's own
 * numeric operators, a fact that cannot become a number (an object whose toString/valueOf are not functions, a
 * symbol, a bigint in withinPct's subtraction) throws, and the run is rejected.
 */
export const CUSTOM_OPERATORS: readonly OperatorDef[] = [
  {
    name: 'between',
    cb: (a, b) => Array.isArray(b) && b.length === 2 && (a as number) >= b[0] && (a as number) <= b[1],
    validator: numberValidator,
    custom: true,
    doc: 'value is [min, max]: min <= fact <= max (both inclusive); false if the fact is not numeric',
  },
  {
    name: 'withinPct',
    cb: (a, b) =>
      // 1e-9 absorbs binary rounding, so 2.2 is within 10 % of 2
      Array.isArray(b) &&
      b.length === 2 &&
      num(b[0]) &&
      num(b[1]) &&
      Math.abs((a as number) - b[0]) <= (Math.abs(b[0]) * b[1]) / 100 + 1e-9,
    validator: numberValidator,
    custom: true,
    doc: 'value is [target, pct]: |fact - target| <= |target| * pct / 100 (+1e-9 for rounding); false if the fact is not numeric',
  },
];

export const BUILTIN_DECORATORS: readonly DecoratorDef[] = [
  {
    name: 'someFact',
    cb: (a, b, next) => (a as unknown[]).some((fv) => next(fv, b)),
    validator: Array.isArray,
    custom: false,
    doc: 'some element of the fact (a list) passes',
  },
  {
    name: 'someValue',
    cb: (a, b, next) => (b as unknown[]).some((jv) => next(a, jv)),
    custom: false,
    doc: 'the fact passes against some element of value (a list)',
  },
  {
    name: 'everyFact',
    cb: (a, b, next) => (a as unknown[]).every((fv) => next(fv, b)),
    validator: Array.isArray,
    custom: false,
    doc: 'every element of the fact (a list) passes',
  },
  {
    name: 'everyValue',
    cb: (a, b, next) => (b as unknown[]).every((jv) => next(a, jv)),
    custom: false,
    doc: 'the fact passes against every element of value (a list)',
  },
  { name: 'swap', cb: (a, b, next) => next(b, a), custom: false, doc: 'swaps fact and value' },
  { name: 'not', cb: (a, b, next) => !next(a, b), custom: false, doc: 'negates the operator' },
];

export const CUSTOM_DECORATORS: readonly DecoratorDef[] = [
  {
    name: 'abs',
    cb: (a, b, next) => next(Math.abs(a as number), b),
    validator: numberValidator,
    custom: true,
    doc: 'compares the absolute value of a numeric fact (abs:lessThanInclusive with net_delta); false if not numeric',
  },
];

/** What json-rules-engine's `Operator#evaluate` does: validator first, then the callback. */
const evaluatorOf = (op: { cb: OperatorCallback; validator?: (v: unknown) => boolean }): OperatorCallback => {
  const { cb, validator } = op;
  return validator ? (a, b) => validator(a) && cb(a, b) : cb;
};

const OPERATORS = new Map<string, OperatorDef>([...BUILTIN_OPERATORS, ...CUSTOM_OPERATORS].map((o) => [o.name, o]));
const DECORATORS = new Map<string, DecoratorDef>([...BUILTIN_DECORATORS, ...CUSTOM_DECORATORS].map((d) => [d.name, d]));
/** One evaluator per custom operator and decorator, shared by the compiler and the engine registration. */
const CUSTOM_EVALUATORS = new Map<string, OperatorCallback>(CUSTOM_OPERATORS.map((o) => [o.name, evaluatorOf(o)]));
const CUSTOM_DECORATOR_EVALUATORS = new Map<string, DecoratorCallback>(
  CUSTOM_DECORATORS.map((d) => {
    const { cb, validator } = d;
    return [d.name, validator ? (a, b, next) => validator(a) && cb(a, b, next) : cb];
  }),
);

export interface ResolvedOperator {
  /** As written, e.g. `not:between`. */
  name: string;
  base: OperatorDef;
  /** Outermost first (`not:abs:lessThan` → [not, abs]). */
  decorators: DecoratorDef[];
  evaluate: OperatorCallback;
}

/**
 * Resolves an operator name the way json-rules-engine's `OperatorMap#get` does: peel `decorator:` prefixes from
 * the left until the rest is a known operator. Null for an unknown operator or decorator.
 */
export function resolveOperator(name: string): ResolvedOperator | null {
  const decorators: DecoratorDef[] = [];
  let opName = name;
  while (!OPERATORS.has(opName)) {
    const i = opName.indexOf(':');
    if (i <= 0) return null;
    const decorator = DECORATORS.get(opName.slice(0, i));
    if (!decorator) return null;
    decorators.push(decorator);
    opName = opName.slice(i + 1);
  }
  const base = OPERATORS.get(opName)!;
  let evaluate = CUSTOM_EVALUATORS.get(base.name) ?? evaluatorOf(base);
  // Apply the innermost decorator first, as OperatorDecorator#decorate does
  for (let k = decorators.length - 1; k >= 0; k--) {
    const d = decorators[k]!;
    const next = evaluate;
    const cb = CUSTOM_DECORATOR_EVALUATORS.get(d.name) ?? d.cb;
    const validator = d.custom ? undefined : d.validator;
    evaluate = validator ? (a, b) => validator(a) && cb(a, b, next) : (a, b) => cb(a, b, next);
  }
  return { name, base, decorators, evaluate };
}

/** Operator names (without decorators) that compare numbers, for fact-type checks. */
export const NUMERIC_OPERATORS = new Set([
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
  'between',
  'withinPct',
]);

/** The subset of json-rules-engine's Engine this module needs (keeps the engine out of the production import graph). */
export interface OperatorRegistry {
  addOperator(name: string, cb: OperatorCallback): void;
  addOperatorDecorator(name: string, cb: DecoratorCallback): void;
}

/** Adds Legwork's custom operators and decorators to a json-rules-engine Engine, the same functions the compiler uses. */
export function registerLegworkOperators(engine: OperatorRegistry): void {
  for (const [name, cb] of CUSTOM_EVALUATORS) engine.addOperator(name, cb);
  for (const [name, cb] of CUSTOM_DECORATOR_EVALUATORS) engine.addOperatorDecorator(name, cb);
}
