// Owns the venue package's public API (package.json "exports" "."): starting the venue in-process, its clock, market
// model and random numbers for harnesses, and the types tests and harnesses use. Everything else is the venue's own.
export { startVenue, type StartVenueOptions, type VenueHandle } from './server.js';
export type { VenueControl } from './control.js';
export { createMarketClock, parseClockSpec } from './clock.js';
export { VenueStateError } from './state-file.js';
export { venueSetting, type VenueSetting, type VenueVariable } from './env.js';
export { createMarketModel, RISK_FREE_RATE, type VenueMarketModel } from './market/market.js';
export { defaultUnderlyings } from './market/underlyings.js';
export { createRng, type Rng } from './rng.js';
export type * from './types.js';
