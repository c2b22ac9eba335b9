// Owns daily return statistics of the risk analytics: log returns of a close series, and the sample covariance and
// correlation matrices of several return series over the same dates (symbols in alphabetical order). Pure.

/** ln(close_t / close_(t−1)) for t = 1 … n−1, closes oldest first. */
export function logReturns(closes: readonly number[]): number[] {
  const out: number[] = [];
  for (let t = 1; t < closes.length; t++) {
    const [before, after] = [closes[t - 1]!, closes[t]!];
    if (!(before > 0 && after > 0)) throw new RangeError(`closes must be positive, got ${before} then ${after}`);
    out.push(Math.log(after / before));
  }
  return out;
}

export interface SymbolMatrix {
  /** The order of the matrix's rows and columns: alphabetical. */
  symbols: string[];
  matrix: number[][];
}

/** Throws unless every series has the same length, at least `min`. */
export function sameLength(series: Record<string, readonly number[]>, min: number, what: string): number {
  const lengths = new Set(Object.values(series).map((s) => s.length));
  if (lengths.size > 1) throw new RangeError(`${what} must cover the same dates: lengths ${[...lengths].join(', ')}`);
  const n = lengths.size === 0 ? 0 : [...lengths][0]!;
  if (lengths.size === 1 && n < min) throw new RangeError(`${what} need at least ${min} values, got ${n}`);
  return n;
}

/** Sample covariance (divisor n − 1, means removed) of returns over the same dates. */
export function covariance(returns: Record<string, readonly number[]>): SymbolMatrix {
  const n = sameLength(returns, 2, 'return series');
  const symbols = Object.keys(returns).sort();
  const centred = symbols.map((s) => {
    const r = returns[s]!;
    const mean = r.reduce((a, b) => a + b, 0) / n;
    return r.map((x) => x - mean);
  });
  const matrix = centred.map((a) => centred.map((b) => a.reduce((sum, x, t) => sum + x * b[t]!, 0) / (n - 1)));
  return { symbols, matrix };
}

/** Pearson correlation of returns over the same dates; a constant series correlates 0 with the others (1 with itself). */
export function correlation(returns: Record<string, readonly number[]>): SymbolMatrix {
  const { symbols, matrix: cov } = covariance(returns);
  const sd = cov.map((row, i) => Math.sqrt(row[i]!));
  const matrix = cov.map((row, i) =>
    row.map((c, j) => (i === j ? 1 : sd[i]! > 0 && sd[j]! > 0 ? Math.max(-1, Math.min(1, c / (sd[i]! * sd[j]!))) : 0)),
  );
  return { symbols, matrix };
}
