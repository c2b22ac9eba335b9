// node:util parseArgs behind every command line: strict, `--name value` and `--name=value`, and errors that name the
// option or argument in one sentence.
import { describe, expect, it } from 'vitest';
import { readArgs } from '../../../src/util/cli-args.js';

const OPTIONS = { dte: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

describe('readArgs', () => {
  it('reads both value forms, booleans, short aliases and operands', () => {
    expect(readArgs(['SPY', '--dte', '20-50', '--json'], OPTIONS, { positionals: true })).toEqual({
      values: { dte: '20-50', json: true },
      positionals: ['SPY'],
    });
    expect(readArgs(['--dte=20-50', 'SPY'], OPTIONS, { positionals: true })).toEqual({
      values: { dte: '20-50' },
      positionals: ['SPY'],
    });
    expect(readArgs(['-h'], OPTIONS)).toEqual({ values: { help: true }, positionals: [] });
    expect(readArgs(['--', '--json'], OPTIONS, { positionals: true })).toEqual({ values: {}, positionals: ['--json'] });
  });

  it.each([
    [['--wide'], 'unknown option --wide'],
    [['-x'], 'unknown option -x'],
    [['--no-json'], 'unknown option --no-json'],
    [['--dte'], '--dte needs a value'],
    [['--dte', '--json'], '--dte needs a value (a value starting with a dash is written --dte=VALUE)'],
    [['--json=yes'], '--json takes no value'],
    [['SPY'], 'unexpected argument "SPY"'],
  ])('refuses %j: %s', (argv, problem) => {
    expect(readArgs(argv, OPTIONS)).toBe(problem);
  });
});
