// Owns the venue's preflight checks (422 preflight_check_failure sub-errors) and resolving legs to listed instruments.
//
// Codes Tastytrade is known to use keep its code and message (cant_buy_for_credit, gtc_market_orders_not_supported,
// margin_check_failed); the others are the venue's own, named in the same snake_case style.
import type { MarketModel } from '../types.js';
import type { InstrumentInfo } from './ledger.js';
import { spreadUnits } from './fill-model.js';
import { isBuy, isClosing, type LegAction, type OrderRequest } from './validate.js';
import { parseOcc } from '../market/chain.js';

export interface PreflightIssue {
  code: string;
  message: string;
}

export interface ResolvedLeg extends InstrumentInfo {
  action: LegAction;
  quantity: number;
  ratio: number;
}

export interface PreflightContext {
  market: MarketModel;
  now: number;
  marketOpen: boolean;
  /** New York date of `now`. */
  today: string;
  /** Signed net position in a symbol (0 when none). */
  positionQuantity(symbol: string): number;
}

export interface PreflightResult {
  issues: PreflightIssue[];
  legs: ResolvedLeg[];
  size: number;
  underlying: string;
}

const SUPPORTED_TIF = new Set(['Day', 'GTC', 'GTD']);

/** The listed, unexpired instrument of a symbol (ticker or OCC); an issue when there is none. */
export function resolveInstrument(
  symbol: string,
  instrumentType: string,
  ctx: Pick<PreflightContext, 'market' | 'now' | 'today'>,
  issues: PreflightIssue[],
): InstrumentInfo | undefined {
  if (instrumentType === 'Equity') {
    if (!/^[A-Z][A-Z0-9./]{0,9}$/.test(symbol) || (!ctx.market.hasUnderlying(symbol) && !ctx.market.quote(symbol))) {
      issues.push({ code: 'instrument_not_found', message: `Equity ${symbol} is not listed.` });
      return undefined;
    }
    return { symbol, instrumentType: 'Equity', underlying: symbol, multiplier: 1 };
  }
  const occ = parseOcc(symbol);
  if (!occ) {
    issues.push({
      code: 'invalid_symbol',
      message: `"${symbol}" is not a valid OCC option symbol (root padded to 6 characters, YYMMDD, C or P, strike x 1000 in 8 digits).`,
    });
    return undefined;
  }
  const contract = ctx.market.contract(symbol);
  if (occ.expirationDate < ctx.today || (contract !== undefined && contract.expiresAt <= ctx.now)) {
    issues.push({ code: 'option_expired', message: `Option ${symbol} has expired.` });
    return undefined;
  }
  if (!contract) {
    issues.push({ code: 'instrument_not_found', message: `Option ${symbol} is not listed.` });
    return undefined;
  }
  const multiplier = ctx.market.chain(contract.underlying)?.sharesPerContract ?? 100;
  return {
    symbol,
    instrumentType: 'Equity Option',
    underlying: contract.underlying,
    multiplier,
    option: { right: contract.right, strike: contract.strike, expirationDate: contract.expirationDate },
    expiresAt: contract.expiresAt,
  };
}

/** Every preflight rule; all failures are collected (margin is checked separately, once these pass). */
export function preflight(req: OrderRequest, ctx: PreflightContext): PreflightResult {
  const issues: PreflightIssue[] = [];
  const add = (code: string, message: string) => issues.push({ code, message });

  if (req.orderType !== 'Limit' && req.orderType !== 'Market') {
    add(
      'order_type_not_supported',
      `Order type ${req.orderType} is not supported by this venue (Limit and Market are).`,
    );
  }
  if (!SUPPORTED_TIF.has(req.timeInForce)) {
    add(
      'time_in_force_not_supported',
      `Time in force ${req.timeInForce} is not supported by this venue (Day, GTC and GTD are).`,
    );
  }
  if (req.timeInForce === 'GTD') {
    if (req.gtcDate === undefined) add('gtc_date_required', 'GTD orders require a gtc-date.');
    else if (req.gtcDate < ctx.today) add('invalid_gtc_date', 'gtc-date must not be in the past.');
  }
  if (req.hasStopTrigger || req.hasValue)
    add('invalid_order_parameter', 'stop-trigger and value apply only to Stop and Notional orders.');

  // Legs
  const legs = req.legs;
  const optionLegs = legs.filter((l) => l.instrumentType === 'Equity Option').length;
  const equityLegs = legs.filter((l) => l.instrumentType === 'Equity').length;
  if (optionLegs + equityLegs < legs.length)
    add('instrument_type_not_supported', 'Only Equity and Equity Option legs are supported by this venue.');
  if (legs.length > 4) add('too_many_legs', 'An order can have at most 4 legs.');
  if (equityLegs > 0 && legs.length > 1) add('invalid_leg_count', 'Equity orders are limited to 1 leg.');
  if (new Set(legs.map((l) => l.symbol)).size < legs.length)
    add('duplicate_legs', 'Each leg must have a distinct symbol.');
  if (legs.some((l) => l.action === 'Buy' || l.action === 'Sell')) {
    add('invalid_action', 'Buy and Sell are for outright futures; equity and option legs need Buy/Sell to Open/Close.');
  }
  if (legs.some((l) => !Number.isInteger(l.quantity) || l.quantity <= 0))
    add('invalid_quantity', 'Leg quantities must be positive whole numbers.');

  const resolved: ResolvedLeg[] = [];
  for (const leg of legs) {
    const instrument = resolveInstrument(leg.symbol, leg.instrumentType, ctx, issues);
    if (instrument) resolved.push({ ...instrument, action: leg.action, quantity: leg.quantity, ratio: 1 });
  }
  const underlyings = new Set(resolved.map((l) => l.underlying));
  if (underlyings.size > 1) add('multiple_underlyings', 'All legs of an order must have the same underlying.');

  // Price rules
  if (req.orderType === 'Limit') {
    if (req.priceCents === undefined && req.priceError === undefined)
      add('price_required', 'Limit orders require a price.');
    if (req.priceEffect === undefined)
      add('price_effect_required', 'Limit orders require a price-effect (Credit or Debit).');
  }
  if (req.orderType === 'Market') {
    if (req.priceCents !== undefined || req.priceError !== undefined)
      add('price_not_allowed', 'Market orders must not have a price.');
    if (legs.length > 1) add('market_order_single_leg', 'Market orders can have only 1 leg.');
    if (req.timeInForce === 'GTC' || req.timeInForce === 'GTD')
      add('gtc_market_orders_not_supported', 'GTC/GTD Market orders are not supported.');
    if (!ctx.marketOpen && legs.some((l) => !isClosing(l.action))) {
      add('market_closed', 'Opening market orders cannot be placed while the market is closed.');
    }
  }
  if (req.priceError === 'negative' || (req.priceCents !== undefined && req.priceCents <= 0))
    add('invalid_price', 'Price must be greater than 0.');
  if (req.priceError === 'precision') add('invalid_price', 'Price must be a multiple of 0.01.');
  if (req.priceEffect === 'Credit' && legs.every((l) => isBuy(l.action)))
    add('cant_buy_for_credit', 'You cannot buy for a credit.');
  if (req.priceEffect === 'Debit' && legs.every((l) => !isBuy(l.action)))
    add('cant_sell_for_debit', 'You cannot sell for a debit.');

  // Position effects (positions are netted per symbol)
  for (const leg of legs) {
    if (!Number.isInteger(leg.quantity) || leg.quantity <= 0) continue;
    const held = ctx.positionQuantity(leg.symbol);
    switch (leg.action) {
      case 'Buy to Close':
      case 'Sell to Close': {
        const needShort = leg.action === 'Buy to Close';
        const available = needShort ? Math.max(0, -held) : Math.max(0, held);
        if (available === 0) {
          add(
            'no_position_to_close',
            `${leg.action}: there is no ${needShort ? 'short' : 'long'} position in ${leg.symbol} to close.`,
          );
        } else if (leg.quantity > available) {
          add(
            'closing_quantity_exceeds_position',
            `${leg.action} ${leg.quantity} ${leg.symbol} exceeds the ${needShort ? 'short' : 'long'} position of ${available}.`,
          );
        }
        break;
      }
      case 'Sell to Open':
        if (held > 0)
          add(
            'sell_to_open_while_long',
            `Cannot Sell to Open ${leg.symbol} while long it; use Sell to Close (positions are netted).`,
          );
        break;
      case 'Buy to Open':
        if (held < 0)
          add(
            'buy_to_open_while_short',
            `Cannot Buy to Open ${leg.symbol} while short it; use Buy to Close (positions are netted).`,
          );
        break;
      default:
        break;
    }
  }

  const size = spreadUnits(legs.map((l) => (Number.isInteger(l.quantity) && l.quantity > 0 ? l.quantity : 1)));
  for (const leg of resolved) leg.ratio = leg.quantity / size;
  return { issues, legs: resolved, size, underlying: resolved[0]?.underlying ?? legs[0]?.symbol ?? '' };
}
