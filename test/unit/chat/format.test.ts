// Chat answers fit Discord: money from cents, aligned tables, and long answers cut into messages of at most 2000
// characters at line ends, code blocks closed and reopened across a cut, a bounded number of pages with a note.
import { describe, expect, it } from 'vitest';
import { paginate, signedUsd, table, usd } from '../../../src/chat/format.js';

const fences = (page: string) => page.split('\n').filter((l) => l.startsWith('```')).length;

describe('money and tables', () => {
  it('formats integer cents as dollars', () => {
    expect(usd(123_456)).toBe('$1,234.56');
    expect(usd(-5)).toBe('-$0.05');
    expect(usd(0)).toBe('$0.00');
    expect(signedUsd(1200)).toBe('+$12.00');
    expect(signedUsd(-350)).toBe('-$3.50');
  });

  it('aligns columns in a code block, numbers to the right', () => {
    expect(
      table(
        ['und', 'P&L'],
        [
          ['SPY', '+$12.00'],
          ['QQQ', '-$3.50'],
        ],
      ),
    ).toBe(['```', 'und      P&L', 'SPY  +$12.00', 'QQQ   -$3.50', '```'].join('\n'));
  });
});

describe('paginate', () => {
  it('leaves an answer that fits alone', () => {
    expect(paginate('short')).toEqual(['short']);
  });

  it('cuts at line ends into pages of at most 2000 characters, nothing lost', () => {
    const lines = Array.from({ length: 120 }, (_, i) => `line ${i} ${'x'.repeat(30)}`);
    const pages = paginate(lines.join('\n'));
    expect(pages.length).toBe(3);
    for (const p of pages) expect(p.length).toBeLessThanOrEqual(2000);
    expect(pages.join('\n').split('\n')).toEqual(lines);
  });

  it('closes a code block at a cut and reopens it on the next page', () => {
    const rows = Array.from({ length: 140 }, (_, i) => `row ${String(i).padStart(3)} ${'y'.repeat(30)}`);
    const pages = paginate(['**Trades**', '```', ...rows, '```', 'after'].join('\n'));
    expect(pages.length).toBe(3);
    for (const p of pages) {
      expect(p.length).toBeLessThanOrEqual(2000);
      expect(fences(p) % 2, p.slice(0, 40)).toBe(0);
    }
    expect(pages[1]!.startsWith('```\nrow')).toBe(true);
    expect(
      pages
        .join('\n')
        .split('\n')
        .filter((l) => l.startsWith('row')),
    ).toEqual(rows);
    expect(pages[2]!.endsWith('```\nafter')).toBe(true);
  });

  it('stops after the last page and says how many lines were left out', () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i} ${'z'.repeat(40)}`);
    const pages = paginate(lines.join('\n'), 2000, 3);
    expect(pages.length).toBe(3);
    for (const p of pages) expect(p.length).toBeLessThanOrEqual(2000);
    const shown = pages
      .join('\n')
      .split('\n')
      .filter((l) => l.startsWith('line ')).length;
    expect(pages[2]).toMatch(new RegExp(`… ${1000 - shown} more lines left out`));
  });

  it('cuts a single line longer than a message', () => {
    const pages = paginate('a'.repeat(4500));
    expect(pages.map((p) => p.length).every((n) => n <= 2000)).toBe(true);
    expect(pages.join('')).toBe('a'.repeat(4500));
  });
});
