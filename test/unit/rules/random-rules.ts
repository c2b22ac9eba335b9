// Owns the seeded generators of the differential test: random condition trees (every operator, decorators, fact
// comparisons, paths, params, priorities, nested all/any/not) and random facts (missing, null, edge values, non-numbers,
// objects that cannot become a number). The trees include two shapes json-rules-engine decides differently and the
// loader refuses (filters.ts): priorities that are not safe integers, and values with keys every object has.
import type { Condition, TopLevelCondition } from '../../../src/rules/compile.js';

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rand = ReturnType<typeof rng>;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const chance = (r: Rand, p: number) => r() < p;

const NUMERIC = ['dte', 'iv_rank', 'pop', 'credit_mid', 'net_delta', 'short_delta', 'max_loss', 'iv-rank'] as const;
const STRINGS = ['underlying', 'expiration_type'] as const;
const BOOLS = ['earnings_before_expiration', 'defined_risk'] as const;
/** Facts that exist on Object.prototype: json-rules-engine's Almanac does not see them unless the run provides them. */
const PROTO = ['constructor', 'toString'] as const;
const THRESHOLDS = [0, 0.16, 0.3, 1, 21, 30, 45, 50, 70, 100, -0.05] as const;
const SYMBOLS = ['SPY', 'QQQ', 'IWM', 'TSLA'] as const;
const TYPES = ['Weekly', 'Regular'] as const;
const PATHS = [
  '$.bid',
  '$.sizes[0]',
  '$.sizes[3]',
  "$['the mark']",
  '$.nested.x',
  '$.nested.missing.deep',
  '$.missing',
  '$',
  '$.name.length',
  '$.name[0]',
];
const WEIRD: unknown[] = [
  null,
  undefined,
  Number.NaN,
  Infinity,
  -Infinity,
  '30',
  ' 21 ',
  '12abc',
  'abc',
  '',
  true,
  false,
  [30],
  [],
  {},
  -0,
];

/** A JSON object whose own toString/valueOf are not functions: the numeric operators throw on it (fresh each time). */
const unconvertible = (): unknown => JSON.parse('{"toString": 1, "valueOf": 2, "bid": 30}');

function numberValue(r: Rand): unknown {
  const x = r();
  if (x < 0.4) return pick(r, THRESHOLDS); // exactly on a threshold
  if (x < 0.7) return Math.round((r() * 120 - 10) * 100) / 100;
  if (x < 0.8) return pick(r, THRESHOLDS) + pick(r, [-1e-9, 1e-9, 0.01, -0.01]);
  if (x < 0.805) return unconvertible();
  return pick(r, WEIRD);
}

function quote(r: Rand): unknown {
  if (chance(r, 0.1)) return pick(r, [null, 5, 'quote', [1, 2], undefined]);
  if (chance(r, 0.02)) return unconvertible();
  const q: Record<string, unknown> = {
    bid: numberValue(r),
    sizes: chance(r, 0.8) ? [numberValue(r), numberValue(r)] : numberValue(r),
    name: pick(r, ['SPY', '', 0]),
  };
  if (chance(r, 0.7)) q['the mark'] = numberValue(r);
  if (chance(r, 0.7)) q.nested = chance(r, 0.8) ? { x: numberValue(r) } : pick(r, [null, 0, 'x']);
  return q;
}

/** One candidate's facts; each fact may be absent, undefined, null, an edge value or the wrong type. */
export function randomFacts(r: Rand): Record<string, unknown> {
  const f: Record<string, unknown> = {};
  const put = (k: string, v: () => unknown) => {
    const x = r();
    if (x < 0.05) return; // missing key
    f[k] = x < 0.08 ? undefined : v();
  };
  for (const k of NUMERIC) put(k, () => numberValue(r));
  put('underlying', () => (chance(r, 0.9) ? pick(r, SYMBOLS) : pick(r, WEIRD)));
  put('expiration_type', () => (chance(r, 0.9) ? pick(r, TYPES) : pick(r, WEIRD)));
  for (const k of BOOLS) put(k, () => (chance(r, 0.9) ? chance(r, 0.5) : pick(r, WEIRD)));
  put('tags', () =>
    chance(r, 0.8) ? SYMBOLS.filter(() => chance(r, 0.4)).concat(chance(r, 0.3) ? [30 as never] : []) : pick(r, WEIRD),
  );
  put('quote', () => quote(r));
  const proto: string = 'constructor'; // an own fact named like an Object.prototype member
  if (chance(r, 0.1)) f[proto] = numberValue(r);
  return f;
}

function scalarFor(r: Rand, fact: string): unknown {
  if ((STRINGS as readonly string[]).includes(fact))
    return chance(r, 0.9) ? pick(r, [...SYMBOLS, ...TYPES]) : pick(r, THRESHOLDS);
  if ((BOOLS as readonly string[]).includes(fact)) return chance(r, 0.9) ? chance(r, 0.5) : pick(r, [null, 0, 'true']);
  return chance(r, 0.9) ? pick(r, THRESHOLDS) : pick(r, [null, '30', true, 'SPY']);
}

function factRef(r: Rand): Record<string, unknown> {
  const ref: Record<string, unknown> = { fact: pick(r, [...NUMERIC, 'quote', 'underlying', 'nope']) };
  if (ref.fact === 'quote' || chance(r, 0.1)) ref.path = pick(r, PATHS);
  if (chance(r, 0.1)) ref.params = { ignored: 1 };
  return ref;
}

const BASE_OPS = [
  'equal',
  'notEqual',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
  'between',
  'withinPct',
] as const;
const DECORATED = [
  'not:',
  'abs:',
  'not:abs:',
  'swap:',
  'someValue:',
  'everyValue:',
  'someFact:',
  'everyFact:',
] as const;

/**
 * Values only the list and swap decorators accept (no shape check under them): plain objects, and objects with keys
 * every object has (own keys, as YAML and JSON.parse make them), which json-rules-engine's clone drops or turns into
 * the prototype (`__proto__`). The loader refuses the latter; they are generated to show that every disagreement is.
 */
const OBJECT_VALUES = [
  '{"x": 30}',
  '[{"x": 30}, 21]',
  '{"__proto__": [30, 21]}',
  '{"__proto__": null}',
  '{"__proto__": 30}',
  '{"toString": 1}',
  '{"valueOf": 30}',
  '{"constructor": 1, "x": 30}',
  '[21, {"toString": 1}]',
  '{"hasOwnProperty": 1}',
] as const;

/** Leaf priorities json-rules-engine orders by the raw number and the compiler by parseInt ("1e+21" → 1); refused. */
const UNSAFE_PRIORITIES = [1e21, 5e22, 2 ** 53 + 2] as const;
const priority = (r: Rand): number => (chance(r, 0.1) ? pick(r, UNSAFE_PRIORITIES) : 1 + Math.floor(r() * 3));

function valueFor(r: Rand, fact: string, base: string, decorators: string): unknown {
  if (chance(r, base === 'in' || base === 'notIn' ? 0.02 : 0.12)) return factRef(r);
  if (/some|every|swap/.test(decorators) && chance(r, 0.2)) return JSON.parse(pick(r, OBJECT_VALUES));
  if (decorators.includes('someValue') || decorators.includes('everyValue')) {
    return chance(r, 0.9)
      ? Array.from({ length: 1 + Math.floor(r() * 3) }, () => scalarFor(r, fact))
      : scalarFor(r, fact);
  }
  switch (base) {
    case 'between':
    case 'withinPct': {
      if (chance(r, 0.1)) return pick(r, [30, [1], [1, 'x'], null, [50, 10, 3]]);
      const a = pick(r, THRESHOLDS);
      const b = base === 'between' ? a + pick(r, [0, 1, 9, 24, 30]) : pick(r, [0, 5, 10, 50, 100]);
      return [a, b];
    }
    case 'in':
    case 'notIn':
      if (chance(r, 0.03)) return pick(r, ['SPY QQQ', 30, null, { x: 1 }]); // strings work, the others throw
      return Array.from({ length: Math.floor(r() * 4) }, () => scalarFor(r, fact));
    default:
      return scalarFor(r, fact);
  }
}

function leaf(r: Rand): Condition {
  const x = r();
  const fact =
    x < 0.55
      ? pick(r, NUMERIC)
      : x < 0.7
        ? pick(r, STRINGS)
        : x < 0.8
          ? pick(r, BOOLS)
          : x < 0.9
            ? 'quote'
            : x < 0.96
              ? 'tags'
              : pick(r, [...PROTO, 'missing']);
  const base = pick(r, BASE_OPS);
  const decorators = chance(r, 0.2)
    ? chance(r, 0.6)
      ? pick(r, ['not:', 'abs:', 'not:abs:'])
      : pick(r, DECORATED)
    : '';
  const c: Record<string, unknown> = {
    fact,
    operator: `${decorators}${base}`,
    value: valueFor(r, fact, base, decorators),
  };
  if (fact === 'quote' ? chance(r, 0.85) : chance(r, 0.05)) c.path = pick(r, PATHS);
  if (chance(r, 0.1)) c.params = { p: 1 };
  if (chance(r, 0.15)) c.priority = priority(r);
  if (chance(r, 0.1)) c.name = 'n';
  return c as unknown as Condition;
}

function node(r: Rand, depth: number): Condition {
  if (depth >= 3 || chance(r, 0.45 + depth * 0.15)) return leaf(r);
  const k = r();
  const extra: Record<string, unknown> = chance(r, 0.15) ? { priority: priority(r) } : {};
  if (k < 0.2) return { not: node(r, depth + 1), ...extra } as Condition;
  const n = chance(r, 0.04) ? 0 : 1 + Math.floor(r() * 4);
  const children = Array.from({ length: n }, () => node(r, depth + 1));
  return (k < 0.6 ? { all: children, ...extra } : { any: children, ...extra }) as Condition;
}

export function randomRule(r: Rand): TopLevelCondition {
  const k = r();
  const n = 1 + Math.floor(r() * 5);
  if (k < 0.15) return { not: node(r, 1) };
  const children = Array.from({ length: n }, () => node(r, 1));
  return k < 0.6 ? { all: children } : { any: children };
}

/** Facts with every catalogue name, typed like real candidates but often sitting exactly on the rule's own thresholds. */
export function factsForRule(
  r: Rand,
  conditions: unknown,
  catalogue: Readonly<Record<string, { type: string; nullable: boolean }>>,
): Record<string, unknown> {
  const edges = new Map<string, unknown[]>(); // fact -> the literals its conditions compare with
  const walk = (c: unknown): void => {
    if (c === null || typeof c !== 'object') return;
    const o = c as Record<string, unknown>;
    for (const k of ['all', 'any']) if (Array.isArray(o[k])) (o[k] as unknown[]).forEach(walk);
    if (o.not) walk(o.not);
    if (typeof o.fact === 'string') edges.set(o.fact, [...(edges.get(o.fact) ?? []), ...[o.value].flat()]);
  };
  walk(conditions);
  const f: Record<string, unknown> = {};
  for (const [name, info] of Object.entries(catalogue)) {
    const own = edges.get(name) ?? [];
    const x = r();
    if (info.nullable && x < 0.05) f[name] = null;
    else if (own.length > 0 && x < 0.75) f[name] = pick(r, own);
    else if (info.type === 'boolean') f[name] = chance(r, 0.5);
    else if (info.type === 'string') f[name] = pick(r, [...SYMBOLS, ...TYPES]);
    else {
      const base = own.find((v): v is number => typeof v === 'number') ?? 1;
      f[name] = x < 0.95 ? base * (0.9 + r() * 0.2) : pick(r, [-0.2, 0, 150]);
    }
  }
  return f;
}
