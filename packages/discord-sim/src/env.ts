// Owns the server's environment variables: DISCORD_SIM_PORT, DISCORD_SIM_HOST, DISCORD_SIM_TOKEN,
// DISCORD_SIM_HEARTBEAT_MS, DISCORD_SIM_CHANNELS (read by main.ts; an empty value counts as unset).
export type DiscordSimVariable = 'PORT' | 'HOST' | 'TOKEN' | 'HEARTBEAT_MS' | 'CHANNELS';

export function discordSimSetting(key: DiscordSimVariable, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[`DISCORD_SIM_${key}`];
  return value === undefined || value === '' ? undefined : value;
}

/** A whole number from `min` to `max`, or the fallback when unset; throws naming the variable otherwise. */
export function readWholeNumber(
  key: DiscordSimVariable,
  fallback: number,
  min: number,
  max: number,
  env = process.env,
): number {
  const raw = discordSimSetting(key, env);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max)
    throw new Error(`DISCORD_SIM_${key} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return Number(raw);
}

/** DISCORD_SIM_CHANNELS: comma-separated channel names (lowercase letters, digits, - and _). */
export function readChannelNames(env = process.env): string[] | undefined {
  const raw = discordSimSetting('CHANNELS', env);
  if (raw === undefined) return undefined;
  const names = raw
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  const bad = names.find((n) => !/^[-_a-z0-9]{1,100}$/.test(n));
  if (names.length === 0 || bad !== undefined)
    throw new Error(`DISCORD_SIM_CHANNELS must list channel names (a-z, 0-9, - and _), got "${raw}"`);
  return names;
}
