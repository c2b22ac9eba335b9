// The one-clock lint: decision code reads time only from the app's clock (ctx.now(), the scan context's clock, the
// store's bound clock), never Date.now(), new Date(), performance.now() or SQL now()/current_timestamp, except for the
// allowlisted wall-time uses in test/support/clock-lint.ts (each with its reason).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLOCK_ALLOWLIST, clockReadsIn, findClockReads, isAllowed } from '../../support/clock-lint.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('one clock in decision code', () => {
  const findings = findClockReads(ROOT);

  it('finds no wall-clock or database-clock read outside the allowlist', () => {
    const offending = findings.filter((f) => !isAllowed(f)).map((f) => `${f.file}:${f.line} ${f.pattern}: ${f.text}`);
    expect(offending).toEqual([]);
  });

  it('keeps the allowlist honest: every entry is still used', () => {
    const used = new Set(findings.filter(isAllowed).map((f) => `${f.file} ${f.pattern}`));
    const stale = Object.entries(CLOCK_ALLOWLIST)
      .flatMap(([file, patterns]) => Object.keys(patterns).map((p) => `${file} ${p}`))
      .filter((k) => !used.has(k));
    expect(stale).toEqual([]);
  });

  it('recognises each forbidden form, and not the one clock (a pass means absence, not a blind pattern)', () => {
    expect(
      ['Date.now()', 'new Date()', 'performance.now()', 'updated_at = now()', 'select current_timestamp'].map(
        clockReadsIn,
      ),
    ).toEqual([['Date.now()'], ['new Date()'], ['performance.now()'], ['SQL now()'], ['SQL current_timestamp']]);
    expect(['ctx.now()', 'clock.now()', 'new Date(ms)', 'this.now()', 'now(): number;'].flatMap(clockReadsIn)).toEqual(
      [],
    );
  });
});
