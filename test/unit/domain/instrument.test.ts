// Option symbology both ways: OCC ⇄ streamer ⇄ contract, and clear errors on malformed input.
import { describe, expect, it } from 'vitest';
import {
  formatOcc,
  formatStreamerSymbol,
  isOccSymbol,
  occToStreamer,
  parseOcc,
  parseStreamerSymbol,
  streamerToOcc,
  SymbolError,
} from '../../../src/domain/instrument.js';

describe('OCC symbols', () => {
  it.each([
    ['SPY   261218C00600000', { root: 'SPY', expiration: '2026-12-18', right: 'C', strike: 600 }, '.SPY261218C600'],
    ['SPY   240324P00480500', { root: 'SPY', expiration: '2024-03-24', right: 'P', strike: 480.5 }, '.SPY240324P480.5'],
    ['AAPL  230616C00060000', { root: 'AAPL', expiration: '2023-06-16', right: 'C', strike: 60 }, '.AAPL230616C60'],
    ['SPXW  220520C04025000', { root: 'SPXW', expiration: '2022-05-20', right: 'C', strike: 4025 }, '.SPXW220520C4025'],
    ['F     270115P00012125', { root: 'F', expiration: '2027-01-15', right: 'P', strike: 12.125 }, '.F270115P12.125'],
  ] as const)('%s round-trips', (occ, contract, streamer) => {
    expect(parseOcc(occ)).toEqual(contract);
    expect(formatOcc(contract)).toBe(occ);
    expect(formatStreamerSymbol(contract)).toBe(streamer);
    expect(parseStreamerSymbol(streamer)).toEqual(contract);
    expect(occToStreamer(occ)).toBe(streamer);
    expect(streamerToOcc(streamer)).toBe(occ);
    expect(isOccSymbol(occ)).toBe(true);
  });

  it.each([
    ['SPY 261218C00600000', /21 characters/],
    ['SPY   261318C00600000', /no such date/],
    ['spy   261218C00600000', /ROOT padded/],
    ['SPY   261218X00600000', /C or P/],
    ['SPY   261218C00000000', /positive/],
  ])('refuses %j', (input, reason) => {
    expect(() => parseOcc(input)).toThrow(SymbolError);
    expect(() => parseOcc(input)).toThrow(reason);
  });

  it('refuses malformed streamer symbols and contracts that cannot be written', () => {
    expect(() => parseStreamerSymbol('SPY261218C600')).toThrow(/expected \.ROOT/);
    expect(() => parseStreamerSymbol('.SPY261218C')).toThrow(SymbolError);
    expect(() => formatOcc({ root: 'SPY', expiration: '2026-12-18', right: 'C', strike: 600.0001 })).toThrow(
      /3 decimals/,
    );
    expect(isOccSymbol('SPY')).toBe(false);
  });
});
