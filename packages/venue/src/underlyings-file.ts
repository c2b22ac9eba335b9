// Owns reading user-defined underlyings for the venue from a YAML file (VENUE_UNDERLYINGS) with located errors.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseYamlWith, YamlValidationError } from './yaml-zod.js';
import type { UnderlyingSpec } from './types.js';

export const underlyingSpecSchema = z
  .object({
    symbol: z.string().regex(/^[A-Z][A-Z0-9.]{0,5}$/, 'a ticker of 1-6 capital letters/digits'),
    description: z.string().min(1),
    spot: z.number().positive(),
    vol: z.number().min(0.01).max(3),
    dividendYield: z.number().min(0).max(0.2).default(0),
    liquidityRating: z.number().int().min(1).max(5).default(3),
    pennyProgram: z.boolean().default(true),
    strikeStep: z.number().positive().default(1),
    beta: z.number().default(1),
    sector: z.string().default('Unknown'),
    industry: z.string().default('Unknown'),
    earningsInDays: z.number().int().nonnegative().nullable().default(null),
    earningsTimeOfDay: z.enum(['BTO', 'AMC']).optional(),
  })
  .strict();

const fileSchema = z
  .object({
    /** When true (default) the file's underlyings come on top of the eight defaults; false replaces them. */
    includeDefaults: z.boolean().default(true),
    underlyings: z.array(underlyingSpecSchema).min(1),
  })
  .strict();

export interface UnderlyingsFile {
  includeDefaults: boolean;
  underlyings: UnderlyingSpec[];
}

/** Throws YamlValidationError listing every problem as file:line:col. */
export function readUnderlyingsFile(path: string): UnderlyingsFile {
  const result = parseYamlWith(readFileSync(path, 'utf8'), path, fileSchema);
  if (!result.ok) throw new YamlValidationError(result.problems);
  return result.value as UnderlyingsFile;
}
