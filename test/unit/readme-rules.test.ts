// The README's full example per strategy is the shipped rule file, verbatim: the documentation cannot drift from rules/.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STRATEGY_NAMES } from '../../src/strategies/types.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README rule-file examples', () => {
  it.each(STRATEGY_NAMES)('embeds rules/%s.yaml exactly', (name) => {
    const file = readFileSync(new URL(`../../rules/${name}.yaml`, import.meta.url), 'utf8').trimEnd();
    const marker = `<summary><code>rules/${name}.yaml</code></summary>\n\n\`\`\`yaml\n`;
    const start = readme.indexOf(marker);
    expect(start, `README has no example block for ${name}`).toBeGreaterThan(0);
    const body = readme.slice(start + marker.length, readme.indexOf('\n```', start + marker.length));
    expect(body).toBe(file);
  });
});
