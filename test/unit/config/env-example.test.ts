// Proves the configuration is documented: every variable src/config/env.ts reads is in .env.example (with a comment)
// and in the configuration tables of README.md or docs/*.md, and .env.example documents nothing env.ts does not know.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/env.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (file: string) => readFileSync(`${ROOT}${file}`, 'utf8');
/** Read by the venue (SIM_*) and the logger (NODE_ENV), not by env.ts. */
const OUTSIDE_ENV_TS = (key: string) => key.startsWith('VENUE_') || key === 'NODE_ENV' || key === 'LOG_LEVEL';

/** The keys of env.ts's zod schema (`const envSchema = z.object({ KEY: ... })`), read from the source. */
function schemaKeys(): string[] {
  const source = read('src/config/env.ts');
  const body = /const envSchema = z\.object\(\{([\s\S]*?)\n\}\);/.exec(source)?.[1];
  if (!body) throw new Error('envSchema not found in src/config/env.ts');
  return [...body.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!);
}

function exampleEntries(): { key: string; value: string; comment: string }[] {
  const lines = read('.env.example').split('\n');
  const entries: { key: string; value: string; comment: string }[] = [];
  lines.forEach((line, i) => {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!m) return;
    const comment: string[] = [];
    for (let j = i - 1; j >= 0 && lines[j]!.startsWith('#'); j--) comment.unshift(lines[j]!);
    entries.push({ key: m[1]!, value: m[2]!, comment: comment.join('\n') });
  });
  return entries;
}

/** The documentation: README.md and every page in docs/ (the tables live in docs/operations.md and docs/venue.md). */
const DOC_FILES = [
  'README.md',
  ...readdirSync(`${ROOT}docs`)
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Variable names in the first cell of every Markdown table row of the documentation. */
function docTableKeys(): Set<string> {
  const keys = new Set<string>();
  for (const line of DOC_FILES.flatMap((file) => read(file).split('\n'))) {
    const first = /^\|([^|]*)\|/.exec(line)?.[1];
    if (first) for (const m of first.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) keys.add(m[1]!);
  }
  return keys;
}

describe('.env.example and the docs document the configuration', () => {
  const keys = schemaKeys();
  const entries = exampleEntries();
  const documented = new Set(entries.map((e) => e.key));

  it('reads the schema (sanity: the known variables are there)', () => {
    expect(keys).toEqual(
      expect.arrayContaining([
        'TT_ENV',
        'LEGWORK_VENUE_URL',
        'TT_CLIENT_SECRET',
        'DATABASE_URL',
        'REDIS_URL',
        'LEGWORK_QUEUE_PREFIX',
      ]),
    );
    expect(keys.length).toBeGreaterThanOrEqual(13);
  });

  it('every env.ts variable is in .env.example, each with a comment naming a default and an example', () => {
    expect(keys.filter((k) => !documented.has(k))).toEqual([]);
    for (const e of entries) {
      expect(e.comment, `${e.key} has no comment`).not.toBe('');
      expect(e.comment, `${e.key}: comment names no default`).toMatch(/Default:/);
      expect(e.comment, `${e.key}: comment gives no example`).toMatch(/Example/);
    }
  });

  it('.env.example has no variable env.ts does not know (except VENUE_*, NODE_ENV, LOG_LEVEL)', () => {
    expect([...documented].filter((k) => !keys.includes(k) && !OUTSIDE_ENV_TS(k))).toEqual([]);
    for (const k of [
      'LOG_LEVEL',
      'NODE_ENV',
      'VENUE_PORT',
      'VENUE_HOST',
      'VENUE_SEED',
      'VENUE_CLOCK',
      'VENUE_UNDERLYINGS',
    ])
      expect(documented.has(k), k).toBe(true);
  });

  it('secrets are placeholders only, and the file as written is a valid configuration', () => {
    const secret = /SECRET|TOKEN|PASSWORD/;
    for (const e of entries.filter((x) => secret.test(x.key)))
      expect(e.value, `${e.key} must be empty in .env.example`).toBe('');
    // No real-looking credentials anywhere (examples use <placeholders>)
    expect(read('.env.example')).not.toMatch(/:\/\/[^:\s/]+:(?!<)[^@\s]+@/);
    const env = Object.fromEntries(
      entries.filter((e) => !OUTSIDE_ENV_TS(e.key) || e.key === 'LOG_LEVEL').map((e) => [e.key, e.value]),
    );
    expect(() => loadConfig(env)).not.toThrow();
  });

  it('every env.ts variable is in a configuration table of README.md or docs/*.md', () => {
    const tables = docTableKeys();
    expect(keys.filter((k) => !tables.has(k))).toEqual([]);
    for (const k of ['LOG_LEVEL', 'VENUE_PORT', 'VENUE_HOST', 'VENUE_SEED', 'VENUE_CLOCK'])
      expect(tables.has(k), k).toBe(true);
  });
});
