// Inverted dropout with a counter-based hash, bit-identical to the JS backend:
//   h = seed ^ imul(i, 0x9E3779B9); h ^= h >>> 16; h = imul(h, 0x7feb352d); h ^= h >>> 15;
//   h = imul(h, 0x846ca68b); h ^= h >>> 16; u = (h >>> 8)·2^-24; keep iff u >= rate.
// `u >= rate` is tested exactly as the integer compare (h >>> 8) >= ceil(rate·2^24).

@inline function hashV(i: v128, seed: v128): v128 {
  let h = v128.xor(seed, i32x4.mul(i, i32x4.splat(0x9E3779B9)));
  h = v128.xor(h, i32x4.shr_u(h, 16));
  h = i32x4.mul(h, i32x4.splat(0x7feb352d));
  h = v128.xor(h, i32x4.shr_u(h, 15));
  h = i32x4.mul(h, i32x4.splat(0x846ca68b));
  h = v128.xor(h, i32x4.shr_u(h, 16));
  return i32x4.shr_u(h, 8);
}

/**
 * mask[i] = keep ? f32(1/(1−rate)) : 0; y[i] = x[i]·mask[i]. In-place (x = y) allowed.
 * `rate` is f64 so the threshold and scale round exactly as the JS backend's do.
 */
export function dropout(n: i32, x: usize, y: usize, mask: usize, rate: f64, seed: u32): void {
  const threshold = i32x4.splat(<i32>Math.ceil(rate * 16777216.0)); // once per call, not per element
  const keepScale = f32x4.splat(<f32>(1.0 / (1.0 - rate)));
  const seed4 = i32x4.splat(seed);
  const end = <usize>n << 2;
  let idx = i32x4(0, 1, 2, 3);
  const step = i32x4.splat(4);
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) {
    const keep = i32x4.ge_s(hashV(idx, seed4), threshold);
    const m = v128.and(keepScale, keep);
    v128.store(mask + i, m);
    v128.store(y + i, f32x4.mul(v128.load(x + i), m));
    idx = i32x4.add(idx, step);
  }
  for (; i < end; i += 4) {
    const keep = i32x4.ge_s(hashV(i32x4.splat(<i32>(i >> 2)), seed4), threshold);
    const m = f32x4.extract_lane(v128.and(keepScale, keep), 0);
    store<f32>(mask + i, m);
    store<f32>(y + i, load<f32>(x + i) * m);
  }
}

/** The same hash on one index: h >>> 8, 24 random bits. */
@inline function hashU(i: u32, seed: u32): u32 {
  let h = seed ^ (i * 0x9E3779B9);
  h ^= h >>> 16;
  h *= 0x7feb352d;
  h ^= h >>> 15;
  h *= 0x846ca68b;
  h ^= h >>> 16;
  return h >>> 8;
}

/**
 * y[i] = x[i] + f32(stddev·z_i), z_i standard normal by Box–Muller on the uniforms of elements
 * 2i and 2i + 1 (the first shifted into (0, 1]), in f64 as the JS backend. In place allowed.
 */
export function gaussianNoise(n: i32, x: usize, y: usize, stddev: f64, seed: u32): void {
  const unit: f64 = 5.9604644775390625e-8; // 2^-24
  for (let i = 0; i < n; i++) {
    const u1 = <f64>hashU(<u32>(2 * i), seed) * unit + unit;
    const u2 = <f64>hashU(<u32>(2 * i + 1), seed) * unit;
    const z = Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    const p = <usize>i << 2;
    store<f32>(y + p, load<f32>(x + p) + <f32>(stddev * z));
  }
}
