// Owns the small helpers the Tastytrade mappers share: dropping absent optionals and turning money/symbol errors
// raised while mapping into WireFormatError. Pure.
import { MoneyFormatError } from '../../domain/money.js';
import { SymbolError } from '../../domain/instrument.js';
import { WireFormatError } from './wire.js';

/** Copies `value` without its `undefined` properties, so optional domain fields are absent rather than undefined. */
export function compact<T extends object>(value: T): T {
  const out = {} as T;
  for (const [k, v] of Object.entries(value)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** Runs a mapping step; a MoneyFormatError or SymbolError becomes a WireFormatError at `path`. */
export function mapping<T>(kind: string, path: string, step: () => T): T {
  try {
    return step();
  } catch (e) {
    if (e instanceof MoneyFormatError || e instanceof SymbolError)
      throw new WireFormatError(kind, [{ path, message: e.message }]);
    throw e;
  }
}

export const wireError = (kind: string, path: string, message: string): WireFormatError =>
  new WireFormatError(kind, [{ path, message }]);
