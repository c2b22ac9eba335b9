// The rules reference's full example per strategy (docs/rules.md) is the shipped rule file, verbatim: the documentation
// cannot drift from rules/.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STRATEGY_NAMES } from '../../src/strategies/types.js';

const reference = readFileSync(new URL('../../docs/rules.md', import.meta.url), 'utf8');

describe('docs/rules.md rule-file examples', () => {
  it.each(STRATEGY_NAMES)('embeds rules/%s.yaml exactly', (name) => {
    const file = readFileSync(new URL(`../../rules/${name}.yaml`, import.meta.url), 'utf8').trimEnd();
    const marker = `<summary><code>rules/${name}.yaml</code></summary>\n\n\`\`\`yaml\n`;
    const start = reference.indexOf(marker);
    expect(start, `docs/rules.md has no example block for ${name}`).toBeGreaterThan(0);
    const body = reference.slice(start + marker.length, reference.indexOf('\n```', start + marker.length));
    expect(body).toBe(file);
  });
});
