// Every transaction is bounded (issue 11, defect 13): src/ may open one only through withTx (src/store/tx.ts).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url).pathname;
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('bounded transactions', () => {
  it('no sql.begin outside src/store/tx.ts', () => {
    const raw = ['src', 'workers', 'chaos']
      .flatMap((d) => files(join(root, d)))
      .filter((f) => !f.endsWith(join('src', 'store', 'tx.ts')))
      .filter((f) => /\.begin\(/.test(readFileSync(f, 'utf8')))
      .map((f) => f.slice(root.length));
    expect(raw).toEqual([]);
  });
});
