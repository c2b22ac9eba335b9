// YAML + zod validation reports every problem at its file:line:col.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatLocated, parseYamlWith } from '../../../src/util/yaml-zod.js';

const schema = z.object({ name: z.string(), dte: z.object({ min: z.number(), max: z.number() }).strict() }).strict();

describe('parseYamlWith', () => {
  it('accepts a valid document', () => {
    const r = parseYamlWith('name: a\ndte: {min: 1, max: 2}\n', 'x.yaml', schema);
    expect(r.ok && r.value).toEqual({ name: 'a', dte: { min: 1, max: 2 } });
  });

  it('reports a wrong type at the value and an unknown key at its mapping, all at once', () => {
    const text = 'name: a\ndte:\n  min: soon\n  max: 2\n  mid: 3\n';
    const r = parseYamlWith(text, 'rules/x.yaml', schema);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const lines = r.problems.map(formatLocated);
    expect(lines).toHaveLength(2);
    expect(lines.find((l) => l.includes('dte.min'))).toMatch(/^rules\/x\.yaml:3:8: dte\.min: /);
    expect(lines.find((l) => l.includes('mid'))).toMatch(/^rules\/x\.yaml:3:3: dte: .*mid/);
  });

  it('reports YAML syntax errors with their position', () => {
    const r = parseYamlWith('name: a\ndte: {min: 1, max: 2\n', 'y.yaml', schema);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(formatLocated(r.problems[0]!)).toMatch(/^y\.yaml:\d+:\d+: /);
  });

  it('rejects duplicate keys', () => {
    const r = parseYamlWith('name: a\nname: b\ndte: {min: 1, max: 2}\n', 'd.yaml', schema);
    expect(r.ok).toBe(false);
  });
});
