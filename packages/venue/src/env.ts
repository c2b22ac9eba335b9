// Owns the venue's environment variables: VENUE_HOST, VENUE_PORT, VENUE_SEED, VENUE_CLOCK, VENUE_UNDERLYINGS,
// VENUE_STATE_FILE; the SIM_* names of earlier versions are deprecated aliases, read only when the VENUE_* name is unset
// or empty (VENUE_STATE_FILE is newer and has none).
export type VenueVariable = 'HOST' | 'PORT' | 'SEED' | 'CLOCK' | 'UNDERLYINGS' | 'STATE_FILE';

const HAS_ALIAS: ReadonlySet<VenueVariable> = new Set(['HOST', 'PORT', 'SEED', 'CLOCK', 'UNDERLYINGS']);

export interface VenueSetting {
  /** The variable the value came from (for error messages): VENUE_x, or SIM_x when only the alias is set. */
  name: string;
  value: string | undefined;
  /** True when the value came from the deprecated SIM_x alias. */
  deprecated: boolean;
}

export function venueSetting(key: VenueVariable, env: NodeJS.ProcessEnv = process.env): VenueSetting {
  const name = `VENUE_${key}`;
  const alias = `SIM_${key}`;
  if (env[name] !== undefined && env[name] !== '') return { name, value: env[name], deprecated: false };
  if (HAS_ALIAS.has(key) && env[alias] !== undefined && env[alias] !== '')
    return { name: alias, value: env[alias], deprecated: true };
  return { name, value: undefined, deprecated: false };
}
