// Owns identifiers: Discord snowflakes (ms since the Discord epoch << 22 | worker | process | increment, as strings) and
// the random tokens of sessions and interactions.
import { randomBytes } from 'node:crypto';

/** The first second of 2015, UTC: snowflake timestamps count from here. */
export const DISCORD_EPOCH = 1_420_070_400_000;

/** The snowflake for `ms` (Unix ms) with the given 12-bit increment (worker and process ids 0). */
export function snowflakeAt(ms: number, increment = 0): string {
  return ((BigInt(ms - DISCORD_EPOCH) << 22n) | BigInt(increment & 0xfff)).toString();
}

/** The Unix ms a snowflake was made at. */
export function snowflakeTime(id: string): number {
  return Number(BigInt(id) >> 22n) + DISCORD_EPOCH;
}

export function isSnowflake(value: string): boolean {
  return /^\d{1,20}$/.test(value);
}

/** Increasing snowflakes for new objects (messages, interactions, commands): unique even within one millisecond. */
export class SnowflakeSource {
  private lastMs = 0;
  private increment = 0;

  constructor(private readonly now: () => number = Date.now) {}

  next(): string {
    let ms = this.now();
    if (ms <= this.lastMs) {
      ms = this.lastMs;
      this.increment += 1;
      if (this.increment > 0xfff) {
        ms += 1;
        this.increment = 0;
      }
    } else {
      this.increment = 0;
    }
    this.lastMs = ms;
    return snowflakeAt(ms, this.increment);
  }
}

/** An opaque random token (session ids, interaction tokens). */
export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}
