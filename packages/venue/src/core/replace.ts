// Owns what a cancel/replace (PUT) may change: merges the body into the original order, legs must stay the same.
import { remainingUnits, type OrderRecord } from './orders.js';
import type { PreflightIssue } from './preflight.js';
import type { OrderLegRequest, OrderRequest } from './validate.js';

/**
 * The replacement's full request. Price, price-effect, order-type, time-in-force and gtc-date may change; legs may be
 * omitted (Tastytrade's schema has none) or repeated unchanged. The replacement works what is left of the original
 * (its remaining units). `external-identifier` is taken from the body only, like any new order; `source` defaults to
 * the original's.
 */
export function replacementRequest(
  original: OrderRecord,
  body: Partial<OrderRequest> & { hasStopTrigger: boolean; hasValue: boolean },
): { ok: true; request: OrderRequest } | { ok: false; issues: PreflightIssue[] } {
  if (body.legs) {
    const same =
      body.legs.length === original.legs.length &&
      body.legs.every((leg) =>
        original.legs.some(
          (o) =>
            o.symbol === leg.symbol &&
            o.action === leg.action &&
            o.instrumentType === leg.instrumentType &&
            o.quantity === leg.quantity,
        ),
      );
    if (!same) {
      return {
        ok: false,
        issues: [
          {
            code: 'legs_cannot_change',
            message:
              "A replacement must keep the original order's legs; only price, price-effect, order-type and time-in-force may change.",
          },
        ],
      };
    }
  }
  const units = remainingUnits(original);
  const legs: OrderLegRequest[] = original.legs.map((leg) => ({
    instrumentType: leg.instrumentType,
    symbol: leg.symbol,
    quantity: leg.ratio * units,
    action: leg.action,
  }));
  const orderType = body.orderType ?? original.orderType;
  const request: OrderRequest = {
    timeInForce: body.timeInForce ?? original.timeInForce,
    orderType,
    hasStopTrigger: body.hasStopTrigger,
    hasValue: body.hasValue,
    legs,
  };
  const bodyHasPrice = body.priceCents !== undefined || body.priceError !== undefined;
  if (bodyHasPrice) {
    if (body.priceCents !== undefined) request.priceCents = body.priceCents;
    if (body.priceError !== undefined) request.priceError = body.priceError;
  } else if (orderType !== 'Market' && original.priceCents !== undefined) {
    request.priceCents = original.priceCents;
  }
  const effect = body.priceEffect ?? (orderType === 'Market' ? undefined : original.priceEffect);
  if (effect !== undefined) request.priceEffect = effect;
  const gtcDate = body.gtcDate ?? original.gtcDate;
  if (gtcDate !== undefined) request.gtcDate = gtcDate;
  const source = body.source ?? original.source;
  if (source !== undefined) request.source = source;
  if (body.externalIdentifier !== undefined) request.externalIdentifier = body.externalIdentifier;
  return { ok: true, request };
}
