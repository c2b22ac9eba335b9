// Owns order request validation: body shape (400 validation_error, Grape-style reasons) and the preflight checks (422).
import type { WireError } from '../types.js';
import { parsePrice } from './money.js';

export const TIME_IN_FORCE = [
  'Day',
  'GTC',
  'GTD',
  'Ext',
  'GTC Ext',
  'Ext Overnight',
  'GTC Ext Overnight',
  'IOC',
] as const;
export const ORDER_TYPES = ['Limit', 'Market', 'Marketable Limit', 'Stop', 'Stop Limit', 'Notional Market'] as const;
export const INSTRUMENT_TYPES = ['Equity', 'Equity Option', 'Future', 'Future Option', 'Cryptocurrency'] as const;
export const ACTIONS = ['Buy to Open', 'Sell to Open', 'Buy to Close', 'Sell to Close', 'Buy', 'Sell'] as const;
export type TimeInForce = (typeof TIME_IN_FORCE)[number];
export type OrderType = (typeof ORDER_TYPES)[number];
export type InstrumentType = (typeof INSTRUMENT_TYPES)[number];
export type LegAction = (typeof ACTIONS)[number];
export type PriceEffect = 'Credit' | 'Debit';

const ORDER_KEYS = new Set([
  'time-in-force',
  'order-type',
  'price',
  'price-effect',
  'stop-trigger',
  'value',
  'value-effect',
  'gtc-date',
  'source',
  'external-identifier',
  'advanced-instructions',
  'rules',
  'preflight-id',
  'partition-key',
  'automated-source',
  'legs',
]);
const LEG_KEYS = new Set(['instrument-type', 'symbol', 'quantity', 'action']);

export interface OrderLegRequest {
  instrumentType: InstrumentType;
  symbol: string;
  /** As sent; positivity and wholeness are preflight checks. */
  quantity: number;
  action: LegAction;
}

/** A well-formed order body (every enum value Tastytrade knows; what the venue supports is checked by preflight). */
export interface OrderRequest {
  timeInForce: TimeInForce;
  orderType: OrderType;
  /** Undefined when absent; `priceError` says why a present price could not be used. */
  priceCents?: number;
  priceError?: 'negative' | 'precision';
  priceEffect?: PriceEffect;
  gtcDate?: string;
  hasStopTrigger: boolean;
  hasValue: boolean;
  source?: string;
  externalIdentifier?: string;
  preflightId?: string | number;
  legs: OrderLegRequest[];
}

/** One `{domain, reason}` item of a Tastytrade `validation_error` (what its Grape API emits). */
export interface ValidationItem {
  domain: string;
  reason: string;
}

/** 400 validation_error with Tastytrade's `{domain, reason}` items. */
export function validationError(items: ValidationItem[]): WireError {
  return { code: 'validation_error', message: 'Request validation failed', errors: items };
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: WireError };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const isCamel = (key: string) => /[A-Z]/.test(key);
/** Tastytrade's own key style: lowercase words joined by single dashes ("behavior", "remaining-quantity"). */
const isKebab = (key: string) => /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(key);

/**
 * What a body key means to the venue. Tastytrade (a Grape API) ignores parameters it does not declare, so an unknown
 * kebab-case key is `ignored` (e.g. the top-level `"behavior": "immediate"` a community client sends on every order).
 * Another spelling of a known key (`timeInForce`, `time_in_force`) is a client that forgot to convert its keys: the
 * real API would silently drop it and then miss the field, so the venue refuses it by name (`misspelled`). Any other
 * unknown key (`fooBar`, `Foo`) is refused as `unknown`: it is not Tastytrade's style, so it is most likely the same bug.
 */
export type KeyVerdict =
  | { kind: 'known' }
  | { kind: 'ignored' }
  | { kind: 'misspelled'; known: string }
  | { kind: 'unknown' };

export function classifyKey(key: string, known: ReadonlySet<string>): KeyVerdict {
  if (known.has(key)) return { kind: 'known' };
  const normalized = kebab(key).replace(/_/g, '-').replace(/^-/, '').toLowerCase();
  if (known.has(normalized)) return { kind: 'misspelled', known: normalized };
  return isKebab(key) ? { kind: 'ignored' } : { kind: 'unknown' };
}

function parseQuantity(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim())) return Number(v);
  return undefined;
}

function enumField<T extends string>(
  body: Record<string, unknown>,
  key: string,
  values: readonly T[],
  items: ValidationItem[],
  domain = key,
  required = true,
): T | undefined {
  const v = body[key];
  if (v === undefined || v === null) {
    if (required) items.push({ domain, reason: 'is missing' });
    return undefined;
  }
  if (typeof v !== 'string') items.push({ domain, reason: 'is invalid' });
  else if (!(values as readonly string[]).includes(v)) items.push({ domain, reason: 'does not have a valid value' });
  else return v as T;
  return undefined;
}

function optionalString(body: Record<string, unknown>, key: string, items: ValidationItem[]): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') items.push({ domain: key, reason: 'is invalid' });
  return typeof v === 'string' ? v : undefined;
}

function parseLeg(
  raw: unknown,
  i: number,
  strictLegKeys: boolean,
  items: ValidationItem[],
): OrderLegRequest | undefined {
  const at = (k: string) => `legs[${i}][${k}]`;
  if (!isObject(raw)) {
    items.push({ domain: `legs[${i}]`, reason: 'is invalid' });
    return undefined;
  }
  const leg: Record<string, unknown> = {};
  const reported = new Set<string>(); // known keys already reported under another spelling, not again as "is missing"
  const before = items.length;
  for (const [key, value] of Object.entries(raw)) {
    const verdict = classifyKey(key, LEG_KEYS);
    if (verdict.kind === 'known') leg[key] = value;
    else if (verdict.kind === 'ignored')
      continue; // like Tastytrade: e.g. "remaining-quantity" copied from a placed order
    else if (isCamel(key) && !strictLegKeys) {
      if (LEG_KEYS.has(kebab(key))) leg[kebab(key)] = value; // lax: converted; an unknown one is ignored like its kebab spelling
    } else if (isCamel(key)) {
      // Stricter than Tastytrade: the SDK sends keys inside arrays untouched, so `instrumentType` is a client bug
      items.push({
        domain: at(key),
        reason: `is not a valid leg key: leg keys must be kebab-case ("${kebab(key)}"); the SDK does not convert keys inside legs[]`,
      });
      reported.add(kebab(key));
    } else if (verdict.kind === 'misspelled') {
      items.push({ domain: at(key), reason: `is not a known leg parameter (did you mean "${verdict.known}"?)` });
      reported.add(verdict.known);
    } else {
      items.push({ domain: at(key), reason: 'is not a known leg parameter' });
    }
  }
  const present = (k: string) => leg[k] !== undefined && leg[k] !== null;
  const missing = (k: string) => {
    if (!present(k) && !reported.has(k)) items.push({ domain: at(k), reason: 'is missing' });
  };
  const instrumentType = enumField(
    leg,
    'instrument-type',
    INSTRUMENT_TYPES,
    items,
    at('instrument-type'),
    !reported.has('instrument-type'),
  );
  const action = enumField(leg, 'action', ACTIONS, items, at('action'), !reported.has('action'));
  let symbol: string | undefined;
  if (typeof leg['symbol'] === 'string' && leg['symbol'].trim() !== '') symbol = leg['symbol'];
  else if (present('symbol')) items.push({ domain: at('symbol'), reason: 'is invalid' });
  else missing('symbol');
  const quantity = parseQuantity(leg['quantity']);
  if (present('quantity') && quantity === undefined) items.push({ domain: at('quantity'), reason: 'is invalid' });
  else missing('quantity');
  if (items.length > before || !instrumentType || !action || symbol === undefined || quantity === undefined)
    return undefined;
  return { instrumentType, symbol, quantity, action };
}

/**
 * Checks the request shape. Every problem becomes a `{domain, reason}` item of one 400 validation_error, with Grape's
 * wording ("is missing", "is invalid", "does not have a valid value"). Unknown kebab-case keys are ignored, top-level and
 * per leg, as Tastytrade does (`classifyKey`). Stricter than Tastytrade: other spellings of known keys, other unknown
 * keys and (when `strictLegKeys`) camelCase keys inside legs[] are rejected here too, as 400 validation errors.
 * `replace` makes order-type/time-in-force/legs optional (they default to the original's).
 */
export function parseOrderBody(
  body: unknown,
  opts: { strictLegKeys: boolean; replace?: boolean },
): Parsed<Partial<OrderRequest> & { hasStopTrigger: boolean; hasValue: boolean }> {
  if (!isObject(body)) return { ok: false, error: validationError([{ domain: 'body', reason: 'is invalid' }]) };
  const items: ValidationItem[] = [];
  const reported = new Set<string>(); // known keys already reported under another spelling, not again as "is missing"
  for (const key of Object.keys(body)) {
    const verdict = classifyKey(key, ORDER_KEYS);
    if (verdict.kind === 'misspelled') {
      items.push({ domain: key, reason: `is not a known order parameter (did you mean "${verdict.known}"?)` });
      reported.add(verdict.known);
    } else if (verdict.kind === 'unknown') items.push({ domain: key, reason: 'is not a known order parameter' });
  }
  const required = !opts.replace;
  const timeInForce = enumField(
    body,
    'time-in-force',
    TIME_IN_FORCE,
    items,
    'time-in-force',
    required && !reported.has('time-in-force'),
  );
  const orderType = enumField(
    body,
    'order-type',
    ORDER_TYPES,
    items,
    'order-type',
    required && !reported.has('order-type'),
  );
  const priceEffect = enumField(body, 'price-effect', ['Credit', 'Debit'] as const, items, 'price-effect', false);
  enumField(body, 'value-effect', ['Credit', 'Debit', 'None'] as const, items, 'value-effect', false);
  const gtcDate = optionalString(body, 'gtc-date', items);
  if (gtcDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(gtcDate))
    items.push({ domain: 'gtc-date', reason: 'is invalid' });
  const source = optionalString(body, 'source', items);
  const externalIdentifier = optionalString(body, 'external-identifier', items);
  optionalString(body, 'partition-key', items);
  optionalString(body, 'automated-source', items);
  for (const key of ['advanced-instructions', 'rules']) {
    if (body[key] !== undefined && body[key] !== null && !isObject(body[key]))
      items.push({ domain: key, reason: 'is invalid' });
  }
  const preflightId = body['preflight-id'];
  if (
    preflightId !== undefined &&
    preflightId !== null &&
    typeof preflightId !== 'string' &&
    typeof preflightId !== 'number'
  ) {
    items.push({ domain: 'preflight-id', reason: 'is invalid' });
  }
  let priceCents: number | undefined;
  let priceError: 'negative' | 'precision' | undefined;
  if (body['price'] !== undefined && body['price'] !== null) {
    if (typeof body['price'] !== 'string' && typeof body['price'] !== 'number')
      items.push({ domain: 'price', reason: 'is invalid' });
    else {
      const raw = body['price'];
      const negative = typeof raw === 'number' ? raw < 0 : /^-\d+(\.\d+)?$/.test(raw.trim());
      const parsed = parsePrice(raw);
      if (negative) priceError = 'negative';
      else if (parsed.ok) priceCents = parsed.cents;
      else if (parsed.reason === 'precision') priceError = 'precision';
      else items.push({ domain: 'price', reason: 'is invalid' });
    }
  }
  let legs: OrderLegRequest[] | undefined;
  const rawLegs = body['legs'];
  if (rawLegs === undefined || rawLegs === null) {
    if (required && !reported.has('legs')) items.push({ domain: 'legs', reason: 'is missing' });
  } else if (!Array.isArray(rawLegs)) {
    items.push({ domain: 'legs', reason: 'is invalid' });
  } else if (rawLegs.length === 0) {
    items.push({ domain: 'legs', reason: 'is empty' });
  } else {
    const parsed = rawLegs.map((leg, i) => parseLeg(leg, i, opts.strictLegKeys, items));
    if (parsed.every((l): l is OrderLegRequest => l !== undefined)) legs = parsed;
    else if (items.length === 0) items.push({ domain: 'legs', reason: 'is invalid' }); // never pass on a half-parsed order
  }
  if (items.length > 0) return { ok: false, error: validationError(items) };
  const value: Partial<OrderRequest> & { hasStopTrigger: boolean; hasValue: boolean } = {
    hasStopTrigger: body['stop-trigger'] !== undefined && body['stop-trigger'] !== null,
    hasValue: body['value'] !== undefined && body['value'] !== null,
  };
  if (timeInForce) value.timeInForce = timeInForce;
  if (orderType) value.orderType = orderType;
  if (priceCents !== undefined) value.priceCents = priceCents;
  if (priceError) value.priceError = priceError;
  if (priceEffect) value.priceEffect = priceEffect;
  if (gtcDate !== undefined) value.gtcDate = gtcDate;
  if (source !== undefined) value.source = source;
  if (externalIdentifier !== undefined) value.externalIdentifier = externalIdentifier;
  if (typeof preflightId === 'string' || typeof preflightId === 'number') value.preflightId = preflightId;
  if (legs) value.legs = legs;
  return { ok: true, value };
}

// ---------------------------------------------------------------------------------------------------------------
export const isBuy = (action: LegAction) => action.startsWith('Buy');
export const isClosing = (action: LegAction) => action.endsWith('to Close');
