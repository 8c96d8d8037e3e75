// A small seeded PRNG (sfc32 seeded through splitmix32) so pipelines and loaders are reproducible.

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * Seeded random numbers (sfc32). The same seed gives the same sequence on every platform.
 *
 * @example
 * const rng = new Rng(0);
 * rng.uniform(0.08, 1); rng.randint(0, 10); // [low, high) like torch.randint
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** Without a seed, a fresh unpredictable stream (two unseeded Rngs never share one). */
  constructor(seed: number = Math.floor(Math.random() * 2 ** 32) + Math.floor(Math.random() * 2 ** 20) * 2 ** 32) {
    const sm = splitmix32(Math.floor(seed) >>> 0 ^ Math.floor(seed / 2 ** 32));
    this.a = sm();
    this.b = sm();
    this.c = sm();
    this.d = sm();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** A uniform float in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniform float in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.random();
  }

  /** A uniform integer in [low, high) (high exclusive, like torch.randint). */
  randint(low: number, high: number): number {
    return low + Math.floor(this.random() * (high - low));
  }
}

/** Mixes integers into one 32-bit seed (for per-epoch and per-sample streams). */
export function deriveSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    const sm = splitmix32((h ^ (Math.floor(p) >>> 0)) >>> 0);
    h = (sm() ^ Math.imul(h, 0x01000193)) >>> 0;
    h = (h ^ Math.floor(p / 2 ** 32)) >>> 0;
  }
  return h >>> 0;
}

/** In-place Fisher–Yates shuffle driven by `rng`. */
export function shuffleInPlace<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.randint(0, i + 1);
    const t = items[i];
    items[i] = items[j];
    items[j] = t;
  }
  return items;
}
