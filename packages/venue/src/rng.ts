// Owns the venue's seeded randomness: a mulberry32 PRNG, keyed sub-streams, stateless hashed draws and a Brownian path.

/** murmur3 finaliser: a good 32-bit avalanche. */
export function mix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a of a string, then mixed. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** Hashes a seed with any number of keys (strings or integers, including negatives and values beyond 2^32). */
export function hashKeys(seed: number, ...keys: (string | number)[]): number {
  let h = mix32((seed | 0) ^ 0x9e3779b9);
  for (const k of keys) {
    if (typeof k === 'string') {
      h = mix32(Math.imul(h ^ hashString(k), 0x9e3779b1) + 0x7f4a7c15);
    } else {
      const lo = k >>> 0;
      const hi = Math.floor(k / 4294967296) | 0;
      h = mix32(Math.imul(h ^ mix32(lo), 0x9e3779b1) + 0x7f4a7c15);
      h = mix32(Math.imul(h ^ mix32(hi ^ 0x5bd1e995), 0x85ebca6b) + 0x165667b1);
    }
  }
  return h;
}

/** Derives an independent seed for a sub-stream, e.g. deriveSeed(seed, 'SPY'). */
export function deriveSeed(seed: number, ...keys: (string | number)[]): number {
  return hashKeys(seed, 'derive', ...keys);
}

/** Stateless uniform in (0, 1) for (seed, keys). */
export function hashUniform(seed: number, ...keys: (string | number)[]): number {
  return (hashKeys(seed, ...keys) + 0.5) / 4294967296;
}

/** Stateless standard normal for (seed, keys) (Box-Muller on two hashed uniforms). */
export function hashNormal(seed: number, ...keys: (string | number)[]): number {
  const h = hashKeys(seed, ...keys);
  const u1 = (mix32(h ^ 0x2545f491) + 0.5) / 4294967296;
  const u2 = (mix32(h ^ 0x68e31da4) + 0.5) / 4294967296;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

export interface Rng {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal. */
  normal(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** An independent stream keyed by a string (does not consume from this stream). */
  fork(key: string): Rng;
}

/** mulberry32: small, fast, good enough for simulation; 32-bit state. */
export function createRng(seed: number): Rng {
  let a = seed | 0;
  let spare: number | undefined;
  const next = (): number => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed: seed | 0,
    next,
    normal() {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      const u1 = 1 - next(); // (0, 1]
      const u2 = next();
      const r = Math.sqrt(-2 * Math.log(u1));
      spare = r * Math.sin(2 * Math.PI * u2);
      return r * Math.cos(2 * Math.PI * u2);
    },
    int(n: number) {
      return Math.floor(next() * n);
    },
    fork(key: string) {
      return createRng(deriveSeed(seed, key));
    },
  };
}

/**
 * A standard Brownian motion W on the integer grid (W(0) = 0, Var[W(n) - W(m)] = |n - m|), defined for negative n too.
 * W is a pure function of (seed, n): block endpoints every 2^blockBits steps are cumulative sums of hashed normals,
 * and points inside a block come from a dyadic Brownian bridge. So any W(n) costs O(blockBits) after the block sums
 * are cached, whatever the order or size of the jumps between reads.
 */
export class BrownianPath {
  private readonly size: number;
  private readonly pos: number[] = [0]; // W(b * size), b >= 0
  private readonly neg: number[] = [0]; // W(-j * size), j >= 0

  constructor(
    private readonly seed: number,
    blockBits = 18,
  ) {
    this.size = 2 ** blockBits;
  }

  private blockEnd(b: number): number {
    const root = Math.sqrt(this.size);
    if (b >= 0) {
      while (this.pos.length <= b) {
        const i = this.pos.length - 1;
        this.pos.push((this.pos[i] ?? 0) + root * hashNormal(this.seed, 'blk', i));
      }
      return this.pos[b] ?? 0;
    }
    const j = -b;
    while (this.neg.length <= j) {
      const k = this.neg.length; // W(-k*size) = W(-(k-1)*size) - increment of block -k
      this.neg.push((this.neg[k - 1] ?? 0) - root * hashNormal(this.seed, 'blk', -k));
    }
    return this.neg[j] ?? 0;
  }

  at(nRaw: number): number {
    const n = Math.floor(nRaw);
    const b = Math.floor(n / this.size);
    const o = n - b * this.size;
    let lo = 0;
    let hi = this.size;
    let wlo = this.blockEnd(b);
    let whi = this.blockEnd(b + 1);
    if (o === 0) return wlo;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      const wm = (wlo + whi) / 2 + Math.sqrt((hi - lo) / 4) * hashNormal(this.seed, 'br', b, mid);
      if (o === mid) return wm;
      if (o < mid) {
        hi = mid;
        whi = wm;
      } else {
        lo = mid;
        wlo = wm;
      }
    }
    return wlo;
  }
}
