// Owns the tests of the venue's underlyings file: the shipped example reads, a bad value is named at file:line:col.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readUnderlyingsFile } from '../../src/underlyings-file.js';
import { YamlValidationError } from '../../src/yaml-zod.js';

describe('VENUE_UNDERLYINGS file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-underlyings-'));

  it('reads the shipped example with defaults filled in', () => {
    const file = readUnderlyingsFile(fileURLToPath(new URL('../../config/underlyings.example.yaml', import.meta.url)));
    expect(file.includeDefaults).toBe(true);
    const xle = file.underlyings.find((u) => u.symbol === 'XLE')!;
    expect(xle).toMatchObject({ spot: 92.5, vol: 0.24, pennyProgram: true, dividendYield: 0 });
  });

  it('names the file, line and field of a bad value', () => {
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, 'underlyings:\n  - symbol: XLE\n    description: x\n    spot: -3\n    vol: 0.2\n');
    let error: unknown;
    try {
      readUnderlyingsFile(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(YamlValidationError);
    expect((error as Error).message).toMatch(new RegExp(`^${path}:4:11: underlyings\\.0\\.spot: `));
  });
});
