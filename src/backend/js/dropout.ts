/**
 * Inverted dropout with a counter-based hash, so the mask depends only on (seed, element index):
 * no PRNG state, any element computable independently, bit-identical in the wasm backend.
 */

/** Uniform u ∈ [0, 1) with 24 random bits for element `i` under `seed` (a u32). */
export function dropoutUniform(seed: number, i: number): number {
  let h = (seed ^ Math.imul(i, 0x9e3779b9)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 8) * 2 ** -24;
}

/**
 * mask[i] = u(seed, i) ≥ rate ? f32(1/(1 − rate)) : 0; y[i] = x[i]·mask[i] (x = y allowed).
 * Scaling the kept units at training time makes dropout the identity at inference.
 */
export function dropout(f: Float32Array, n: number, x: number, y: number, mask: number, rate: number, seed: number): void {
  const keepScale = Math.fround(1 / (1 - rate));
  const s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    const m = dropoutUniform(s, i) >= rate ? keepScale : 0;
    f[mask + i] = m;
    f[y + i] = f[x + i]! * m;
  }
}

/**
 * y[i] = x[i] + stddev·z_i with z_i a standard normal from the same counter hash (Box–Muller on
 * the uniforms of elements 2i and 2i + 1, the first shifted into (0, 1] so its log is finite).
 * In place (x = y) allowed.
 */
export function gaussianNoise(f: Float32Array, n: number, x: number, y: number, stddev: number, seed: number): void {
  const s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    const u1 = dropoutUniform(s, 2 * i) + 2 ** -24;
    const u2 = dropoutUniform(s, 2 * i + 1);
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    f[y + i] = f[x + i]! + Math.fround(stddev * z);
  }
}
