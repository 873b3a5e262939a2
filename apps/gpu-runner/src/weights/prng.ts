// Seeded deterministic random numbers for generated test weights and for tests elsewhere.
// mulberry32 is tiny, fast and identical on every platform (pure 32-bit integer math);
// normals come from Box–Muller on top of it.

/** mulberry32: a 32-bit state PRNG returning uniforms in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a of a string: derives independent per-name streams from one seed. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export interface Rng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number;
  /** Standard normal N(0, 1). */
  normal(): number;
  /** Fill `out` with N(mean, std²) and return it. */
  fillNormal(out: Float32Array, std: number, mean?: number): Float32Array;
}

export function createRng(seed: number): Rng {
  const next = mulberry32(seed);
  // Box–Muller yields normals in pairs; keep the spare so no draw is wasted.
  let spare = Number.NaN;
  const normal = (): number => {
    if (!Number.isNaN(spare)) {
      const s = spare;
      spare = Number.NaN;
      return s;
    }
    const u1 = 1 - next(); // (0, 1]: log never sees 0
    const u2 = next();
    const radius = Math.sqrt(-2 * Math.log(u1));
    spare = radius * Math.sin(2 * Math.PI * u2);
    return radius * Math.cos(2 * Math.PI * u2);
  };
  return {
    uniform: next,
    range: (lo, hi) => lo + (hi - lo) * next(),
    normal,
    fillNormal(out, std, mean = 0) {
      for (let i = 0; i < out.length; i++) out[i] = mean + std * normal();
      return out;
    },
  };
}
