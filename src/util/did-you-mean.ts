// Owns "did you mean …?" for a misspelt name: the closest known name by edit distance, when it is close enough. Pure.

/** Levenshtein distance: the fewest single-character insertions, deletions and substitutions from a to b. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length]!;
}

/**
 * The known name closest to `name`, if it is at most a third of `name`'s length (at least 1) edits away; failing that,
 * the one known name that starts with `name` (4 characters or more, any case), e.g. a unit suffix left off.
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const best = known.map((k) => [k, editDistance(name, k)] as const).sort((x, y) => x[1] - y[1])[0];
  if (best && best[1] <= Math.max(1, Math.floor(name.length / 3))) return best[0];
  const longer = name.length >= 4 ? known.filter((k) => k.toLowerCase().startsWith(name.toLowerCase())) : [];
  return longer.length === 1 ? longer[0] : undefined;
}

/** `; did you mean x?` for the closest known name, or '' when none is close. */
export function didYouMean(name: string, known: readonly string[]): string {
  const best = closestName(name, known);
  return best === undefined ? '' : `; did you mean ${best}?`;
}
