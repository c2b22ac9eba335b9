// Owns the zod schemas of the Tastytrade JSON the adapter reads (loose: unknown keys allowed) and sends (strict), and
// WireFormatError. Kebab-case keys; tolerant number/decimal/time coercion where the recordings disagree. Pure.
import { z } from 'zod';

export interface WireProblem {
  /** JSON path of the offending value, e.g. `$.legs[0].fills[0].fill-price`. */
  path: string;
  message: string;
}

/** A Tastytrade body (or an outgoing body we built) that cannot be used. Names the payload kind and every bad path. */
export class WireFormatError extends Error {
  constructor(
    readonly kind: string,
    readonly problems: WireProblem[],
  ) {
    super(`unusable Tastytrade ${kind}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    this.name = 'WireFormatError';
  }
}

export const jsonPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : `${acc}.${String(p)}`), '$');

/** Validates `json` against `schema` or throws WireFormatError listing every problem with its JSON path. */
export function parseWire<S extends z.ZodType>(kind: string, schema: S, json: unknown): z.output<S> {
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  throw new WireFormatError(
    kind,
    result.error.issues.map((i) => ({ path: jsonPath(i.path), message: i.message })),
  );
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const ENVELOPE_KEYS = new Set(['data', 'context', 'pagination', 'api-version']);

/**
 * What the SDK's `extractResponseData` hands us, also when given a full HTTP body: `{data:{items}}` → items,
 * `{data}` → data. A body with an `error` next to `data` is NOT unwrapped, so it never passes for a success.
 */
export function unwrapEnvelope(json: unknown): unknown {
  let value = json;
  if (isObject(value) && 'data' in value && Object.keys(value).every((k) => ENVELOPE_KEYS.has(k)))
    value = value['data'];
  if (isObject(value) && Array.isArray(value['items']) && Object.keys(value).length === 1) value = value['items'];
  return value;
}

// ---- tolerant primitives ------------------------------------------------------------------------------------------

const got = (v: unknown): string => (v === undefined ? 'it is missing' : `got ${JSON.stringify(v)}`);
const DECIMAL = /^[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const scalar = (what: string) =>
  z.custom<string | number>((v) => typeof v === 'string' || typeof v === 'number', {
    error: (iss) => `expected ${what}, ${got(iss.input)}`,
  });

/** A decimal amount as text ("1.27", "0.010145", "4.3020691E7"); numbers are accepted and kept as their shortest text. */
export const ttDecimal = scalar('a decimal').transform((v, ctx) => {
  const text = typeof v === 'number' ? String(v) : v.trim();
  if (DECIMAL.test(text)) return text;
  ctx.issues.push({ code: 'custom', message: `expected a decimal, ${got(v)}`, input: v });
  return z.NEVER;
});

/** A count or ratio that Tastytrade sends as 1, "1.0" or "40.0" depending on the endpoint and the year. */
export const ttNumber = ttDecimal.transform(Number);

/** An integer id that may arrive as a number or digits. */
export const ttInt = ttNumber.refine((n) => Number.isSafeInteger(n), { error: 'expected an integer' });

/** A 19-digit fill id stays a string (a JSON number would lose digits). */
export const ttIdText = scalar('an id').transform(String);

const ISO = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** An instant as epoch ms: orders send epoch-ms numbers, balances/positions ISO text (with "+00:00", "Z" or "+00"). */
export const ttInstant = scalar('a time').transform((v, ctx) => {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  const m = typeof v === 'string' ? ISO.exec(v.trim()) : null;
  if (m) {
    const zone =
      m[3] === undefined
        ? 'Z'
        : m[3] === 'Z'
          ? 'Z'
          : m[3].length === 3
            ? `${m[3]}:00`
            : m[3].replace(/(\d{2})(\d{2})$/, '$1:$2');
    const ms = Date.parse(`${m[1]}T${m[2]}${zone}`);
    if (Number.isFinite(ms)) return ms;
  }
  ctx.issues.push({ code: 'custom', message: `expected an ISO-8601 time or epoch ms, ${got(v)}`, input: v });
  return z.NEVER;
});

export const ttDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: (iss) => `expected YYYY-MM-DD, ${got(iss.input)}` });

/** `-effect` siblings. An empty string (seen as `value-effect: ""`) means None. */
export const ttEffect = z.preprocess((v) => (v === '' ? 'None' : v), z.enum(['Credit', 'Debit', 'None']));

/** A float that may be a number, a numeric string, null, "" or "NaN" (metrics, DXLink). Non-finite → null. */
export const ttFloat = z
  .custom<string | number | null>((v) => v === null || typeof v === 'string' || typeof v === 'number', {
    error: (iss) => `expected a number, ${got(iss.input)}`,
  })
  .transform((v, ctx) => {
    if (v === null || v === '' || v === 'NaN' || v === 'Infinity' || v === '-Infinity') return null;
    if (typeof v === 'number') return Number.isFinite(v) ? v : null;
    if (DECIMAL.test(v.trim())) return Number(v);
    ctx.issues.push({ code: 'custom', message: `expected a number, ${got(v)}`, input: v });
    return z.NEVER;
  });

// ---- enums --------------------------------------------------------------------------------------------------------

export const TT_ORDER_STATUSES = [
  'Received',
  'Routed',
  'In Flight',
  'Live',
  'Cancel Requested',
  'Replace Requested',
  'Contingent',
  'Filled',
  'Cancelled',
  'Expired',
  'Rejected',
  'Removed',
  'Partially Removed',
] as const;
export type TtOrderStatus = (typeof TT_ORDER_STATUSES)[number];
export const TtOrderStatus = z.enum(TT_ORDER_STATUSES, {
  error: (iss) => `unknown order status ${JSON.stringify(iss.input)}`,
});

const oneOf = <const T extends readonly [string, ...string[]]>(what: string, values: T) =>
  z.enum(values, { error: (iss) => `unknown ${what} ${JSON.stringify(iss.input)}` });
export const TtInstrumentType = oneOf('instrument-type', [
  'Equity',
  'Equity Option',
  'Future',
  'Future Option',
  'Cryptocurrency',
]);
export const TtAction = oneOf('action', [
  'Buy to Open',
  'Sell to Open',
  'Buy to Close',
  'Sell to Close',
  'Buy',
  'Sell',
]);
export const TtOrderType = oneOf('order-type', [
  'Limit',
  'Market',
  'Marketable Limit',
  'Stop',
  'Stop Limit',
  'Notional Market',
]);
export const TtTimeInForce = oneOf('time-in-force', [
  'Day',
  'GTC',
  'GTD',
  'Ext',
  'GTC Ext',
  'Ext Overnight',
  'GTC Ext Overnight',
  'IOC',
]);

// ---- orders (read) ------------------------------------------------------------------------------------------------

const name = z.string().min(1);

export const TtFill = z.object({
  'fill-id': ttIdText,
  quantity: ttNumber,
  'fill-price': ttDecimal,
  'filled-at': ttInstant,
  'destination-venue': z.string().optional(),
});
export type TtFill = z.output<typeof TtFill>;

export const TtLeg = z.object({
  'instrument-type': TtInstrumentType,
  symbol: name,
  quantity: ttNumber,
  'remaining-quantity': ttNumber,
  action: TtAction,
  fills: z.array(TtFill).optional(),
});
export type TtLeg = z.output<typeof TtLeg>;

/** The order object of GET/PUT/PATCH/DELETE, list items and streamer `Order` data. `id` is absent on dry-runs. */
export const TtOrder = z.object({
  id: ttInt.optional(),
  'account-number': name,
  'time-in-force': TtTimeInForce,
  'order-type': TtOrderType,
  size: ttNumber,
  'underlying-symbol': name,
  price: ttDecimal.optional(),
  'price-effect': ttEffect.optional(),
  status: TtOrderStatus,
  cancellable: z.boolean().optional(),
  editable: z.boolean().optional(),
  'external-identifier': z.string().optional(),
  'reject-reason': z.string().optional(),
  'replaces-order-id': ttInt.optional(),
  'replacing-order-id': ttInt.optional(),
  'received-at': ttInstant.optional(),
  'updated-at': ttInstant,
  'terminal-at': ttInstant.optional(),
  source: z.string().optional(),
  legs: z.array(TtLeg).min(1),
});
export type TtOrder = z.output<typeof TtOrder>;

const effect = ttEffect; // required next to every amount we sign: without it the sign is unknown
export const TtBuyingPowerEffect = z.object({
  'change-in-margin-requirement': ttDecimal,
  'change-in-margin-requirement-effect': effect,
  'change-in-buying-power': ttDecimal,
  'change-in-buying-power-effect': effect,
  'new-buying-power': ttDecimal,
  'new-buying-power-effect': effect,
});
export type TtBuyingPowerEffect = z.output<typeof TtBuyingPowerEffect>;

export const TtFeeCalculation = z.object({ 'total-fees': ttDecimal, 'total-fees-effect': effect });
export const TtWarning = z.object({ code: z.string(), message: z.string() });

/** POST orders/dry-run (also complex-order and replace dry-runs): only the effect blocks are read. */
export const TtDryRunResponse = z.object({
  'buying-power-effect': TtBuyingPowerEffect,
  'fee-calculation': TtFeeCalculation,
  warnings: z.array(TtWarning).optional(),
});
export type TtDryRunResponse = z.output<typeof TtDryRunResponse>;

/** POST orders: the placed order (with an id) plus the same effect blocks as a dry-run. */
export const TtOrderWithId = TtOrder.extend({ id: ttInt });
export type TtOrderWithId = z.output<typeof TtOrderWithId>;
export const TtPlacedOrderResponse = TtDryRunResponse.extend({ order: TtOrderWithId });
export type TtPlacedOrderResponse = z.output<typeof TtPlacedOrderResponse>;

// ---- orders (sent, strict) ----------------------------------------------------------------------------------------

export const TtOrderLegRequest = z.strictObject({
  'instrument-type': TtInstrumentType,
  symbol: name,
  quantity: z.number().int().positive(),
  action: TtAction,
});

const sentPrice = z
  .string()
  .regex(/^\d+\.\d{2}$/)
  .refine((p) => p !== '0.00', { error: 'a limit price must not be zero' });

export const TtOrderRequestBody = z
  .strictObject({
    'time-in-force': z.enum(['Day', 'GTC']),
    'order-type': z.enum(['Limit', 'Market']),
    price: sentPrice.optional(),
    'price-effect': z.enum(['Credit', 'Debit']).optional(),
    legs: z.array(TtOrderLegRequest).min(1).max(4),
    'external-identifier': z.string().min(1).optional(),
  })
  .refine((b) => (b['order-type'] === 'Limit') === (b.price !== undefined && b['price-effect'] !== undefined), {
    error: 'a Limit order needs price and price-effect; a Market order has neither',
    path: ['price'],
  });

/** PUT /accounts/{n}/orders/{id}: Swagger's replace body has no legs; tastyware sends none either. */
export const TtReplaceBody = z.strictObject({
  'time-in-force': z.enum(['Day', 'GTC']),
  'order-type': z.literal('Limit'),
  price: sentPrice,
  'price-effect': z.enum(['Credit', 'Debit']),
  'external-identifier': z.string().min(1).optional(),
});

// ---- account ------------------------------------------------------------------------------------------------------

export const TtPosition = z.object({
  'account-number': name,
  symbol: name,
  'instrument-type': TtInstrumentType,
  'underlying-symbol': name,
  quantity: ttNumber,
  'quantity-direction': z.enum(['Long', 'Short', 'Zero']),
  multiplier: ttNumber,
  'average-open-price': ttDecimal,
  'close-price': ttDecimal.nullish(),
  'mark-price': ttDecimal.nullish(),
  'expires-at': ttInstant.nullish(),
  'updated-at': ttInstant.nullish(),
});
export type TtPosition = z.output<typeof TtPosition>;

export const TtBalances = z.object({
  'account-number': name,
  'cash-balance': ttDecimal,
  'net-liquidating-value': ttDecimal,
  'derivative-buying-power': ttDecimal,
  'equity-buying-power': ttDecimal,
  'maintenance-requirement': ttDecimal,
  'updated-at': ttInstant.nullish(),
});
export type TtBalances = z.output<typeof TtBalances>;

/**
 * An item of GET /accounts/{n}/transactions: Trade items (leg fills, with an order id) and Receive Deliver items
 * (expirations, assignments, exercises and the share deliveries they cause; no order id). Other types are skipped.
 */
export const TtTransaction = z.object({
  id: ttNumber,
  'transaction-type': name,
  'transaction-sub-type': z.string().nullish(),
  'order-id': ttNumber.nullish(),
  symbol: z.string().nullish(),
  'instrument-type': z.string().nullish(),
  'underlying-symbol': z.string().nullish(),
  action: z.string().nullish(),
  quantity: ttNumber.nullish(),
  price: ttDecimal.nullish(),
  'executed-at': z.string(),
  commission: ttDecimal.nullish(),
  'commission-effect': z.string().nullish(),
  'clearing-fees': ttDecimal.nullish(),
  'clearing-fees-effect': z.string().nullish(),
  'regulatory-fees': ttDecimal.nullish(),
  'regulatory-fees-effect': z.string().nullish(),
  'proprietary-index-option-fees': ttDecimal.nullish(),
  'proprietary-index-option-fees-effect': z.string().nullish(),
});
export type TtTransaction = z.output<typeof TtTransaction>;

export const TtAccountItem = z.object({
  account: z.object({
    'account-number': name,
    nickname: z.string().nullish(),
    'margin-or-cash': z.string().nullish(),
    'is-closed': z.boolean().nullish(),
  }),
});

// ---- market -------------------------------------------------------------------------------------------------------

export const TtTickSize = z.object({ threshold: ttDecimal.nullish(), value: ttDecimal });

/** `*-streamer-symbol` is absent on some strikes (seen in a 2026 futures chain); the mapper computes it. */
export const TtNestedStrike = z.object({
  'strike-price': ttDecimal,
  call: name,
  'call-streamer-symbol': name.nullish(),
  put: name,
  'put-streamer-symbol': name.nullish(),
});

export const TtNestedChain = z.object({
  'underlying-symbol': name,
  'root-symbol': name,
  'option-chain-type': z.string().nullish(),
  'shares-per-contract': ttNumber,
  'tick-sizes': z.array(TtTickSize).nullish(),
  expirations: z.array(
    z.object({
      'expiration-type': z.string(),
      'expiration-date': ttDate,
      'days-to-expiration': ttInt,
      'settlement-type': z.string(),
      strikes: z.array(TtNestedStrike),
    }),
  ),
});
export type TtNestedChain = z.output<typeof TtNestedChain>;

export const TtMarketMetrics = z.object({
  symbol: name,
  'implied-volatility-index': ttFloat.optional(),
  'implied-volatility-index-rank': ttFloat.optional(),
  'tos-implied-volatility-index-rank': ttFloat.optional(),
  'implied-volatility-rank': ttFloat.optional(),
  'implied-volatility-percentile': ttFloat.optional(),
  'implied-volatility-30-day': ttFloat.optional(),
  'historical-volatility-30-day': ttFloat.optional(),
  'liquidity-rating': ttFloat.optional(),
  beta: ttFloat.optional(),
  earnings: z.object({ 'expected-report-date': ttDate.nullish() }).nullish(),
  'option-expiration-implied-volatilities': z
    .array(z.object({ 'expiration-date': ttDate, 'implied-volatility': ttFloat.optional() }))
    .nullish(),
  'updated-at': ttInstant.nullish(),
});
export type TtMarketMetrics = z.output<typeof TtMarketMetrics>;

export const TtQuoteToken = z.object({ token: name, 'dxlink-url': name, level: z.string().nullish() });

const sessionTimes = { 'open-at': ttInstant.nullish(), 'close-at': ttInstant.nullish() };
export const TtMarketSession = z.object({
  ...sessionTimes,
  state: z.string(),
  'instrument-collection': z.string().nullish(),
  'next-session': z.object(sessionTimes).nullish(),
});

// ---- errors and streamers -----------------------------------------------------------------------------------------

const text = z.union([z.string(), z.number()]).transform(String);
/** `{code, message}` items (preflight) and `{domain, reason}` items (request validation) alike. */
export const TtErrorItem = z.object({
  code: text.optional(),
  message: text.optional(),
  domain: text.optional(),
  reason: text.optional(),
});
export const TtError = z.object({
  code: text.optional(),
  message: text.optional(),
  errors: z.array(TtErrorItem).nullish(),
});

export const TtStreamerAck = z.object({
  action: z.string(),
  status: z.enum(['ok', 'error']),
  'request-id': ttInt.optional(),
  'web-socket-session-id': z.string().optional(),
  value: z.unknown().optional(),
  message: z.string().optional(),
});

export const TtStreamerNotification = z.object({
  type: name,
  data: z.unknown(),
  timestamp: ttInstant.optional(),
  'ws-sequence': ttInt.optional(),
});

/** DXLink events as the SDK's listeners receive them (COMPACT data already zipped with the event fields). */
const dx = ttFloat.optional();
export const TtQuoteEvent = z.object({
  eventType: z.literal('Quote'),
  eventSymbol: name,
  bidPrice: dx,
  askPrice: dx,
  bidSize: dx,
  askSize: dx,
});
/** A Candle event (a daily candle of `SPY{=d}`): snapshot flags, the period's start and its close. */
export const TtCandleEvent = z.object({
  eventType: z.literal('Candle'),
  eventSymbol: name,
  eventFlags: dx,
  time: dx,
  close: dx,
});
export const TtGreeksEvent = z.object({
  eventType: z.literal('Greeks'),
  eventSymbol: name,
  price: dx,
  volatility: dx,
  delta: dx,
  gamma: dx,
  theta: dx,
  vega: dx,
  rho: dx,
});
