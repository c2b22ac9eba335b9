// Owns how chat answers look and fit: money from integer cents, aligned tables in code blocks, and cutting a long answer
// into Discord messages of at most 2000 characters (code blocks closed and reopened across a cut, a bounded number of
// pages, then a note of what was left out). Pure.

/** Discord's limit on a message's content. */
export const DISCORD_MESSAGE_LIMIT = 2000;
/** An answer longer than this many messages is cut (the rest is named, not sent). */
export const MAX_PAGES = 4;

export interface ChatButton {
  /** `approve:<trade id>` / `reject:<trade id>`. */
  customId: string;
  label: string;
  style: 'success' | 'danger' | 'secondary';
}

/** What a command answers: text (cut into pages by `paginate`) and optional buttons under it. */
export interface ChatReply {
  text: string;
  buttons?: ChatButton[];
}

/** $1,234.56 from cents; negative as -$1,234.56. */
export function usd(cents: number): string {
  const abs = Math.abs(Math.round(cents));
  const dollars = Math.floor(abs / 100).toLocaleString('en-US');
  return `${cents < 0 && abs !== 0 ? '-' : ''}$${dollars}.${String(abs % 100).padStart(2, '0')}`;
}

/** +$12.00 / -$3.50 / $0.00. */
export function signedUsd(cents: number): string {
  return cents > 0 ? `+${usd(cents)}` : usd(cents);
}

/** The first 8 characters of an id: what lists show and what `trade`, `approve`, `reject` accept. */
export const shortId = (id: string): string => id.slice(0, 8);

/** An aligned table in a code block (numbers right-aligned when every cell of the column looks numeric). */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[-+$\d.,% ]*$/.test(r[i] ?? '')));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return ['```', line(header), ...rows.map(line), '```'].join('\n');
}

const FENCE = '```';

/** Lines no longer than `limit` (a longer line is cut into pieces). */
function fitLines(text: string, limit: number): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line.length <= limit) out.push(line);
    else for (let i = 0; i < line.length; i += limit) out.push(line.slice(i, i + limit));
  }
  return out;
}

/** Whether a code block is still open after these lines. */
const fenceOpen = (lines: readonly string[]): boolean =>
  lines.filter((l) => l.trimStart().startsWith(FENCE)).length % 2 === 1;

/** A page's text: its lines, with the code block closed if one is open. */
const closed = (lines: readonly string[]): string => lines.join('\n') + (fenceOpen(lines) ? `\n${FENCE}` : '');

/**
 * Cuts `text` into messages of at most `limit` characters at line ends. A code block open at a cut is closed there and
 * reopened on the next page. After `maxPages` pages the rest is left out and the last page says how many lines.
 */
export function paginate(text: string, limit = DISCORD_MESSAGE_LIMIT, maxPages = MAX_PAGES): string[] {
  if (text.length <= limit) return [text];
  // A line always fits a page with a reopened and a closing fence around it
  const lines = fitLines(text, limit - (FENCE.length + 1) * 2);
  const pages: string[] = [];
  let current: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (current.length === 0 || closed([...current, line]).length <= limit) {
      current.push(line);
      continue;
    }
    if (pages.length === maxPages - 1) {
      // The last page: as much as fits with a note of what is left out
      let left = lines.length - i;
      const note = () => `… ${left} more line${left === 1 ? '' : 's'} left out (Discord's 2000-character messages)`;
      while (current.length > 1 && `${closed(current)}\n${note()}`.length > limit) {
        current.pop();
        left += 1;
      }
      pages.push(`${closed(current)}\n${note()}`);
      return pages;
    }
    pages.push(closed(current));
    current = fenceOpen(current) ? [FENCE, line] : [line];
  }
  if (current.length > 0) pages.push(closed(current));
  return pages;
}
