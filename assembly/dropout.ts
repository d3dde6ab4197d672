import { lane0, logV } from './math';

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
 * `rate` is f64 so the threshold and scale round exactly as the JS backend's do. The n elements
 * are numbers first .. first + n − 1 of the hash's counter (threads run ranges of one call).
 */
export function dropout(n: i32, x: usize, y: usize, mask: usize, rate: f64, seed: u32, first: i32): void {
  const threshold = i32x4.splat(<i32>Math.ceil(rate * 16777216.0)); // once per call, not per element
  const keepScale = f32x4.splat(<f32>(1.0 / (1.0 - rate)));
  const seed4 = i32x4.splat(seed);
  const end = <usize>n << 2;
  let idx = i32x4.add(i32x4(0, 1, 2, 3), i32x4.splat(first));
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
    const keep = i32x4.ge_s(hashV(i32x4.splat(first + <i32>(i >> 2)), seed4), threshold);
    const m = f32x4.extract_lane(v128.and(keepScale, keep), 0);
    store<f32>(mask + i, m);
    store<f32>(y + i, load<f32>(x + i) * m);
  }
}

/** cos(2π·u) for u in [0, 1): cos(2πu) = sin(2π(¼ − |u − round(u)|)), a degree-11 odd polynomial on [−π/2, π/2] (error < 6e-8). */
@inline function cos2piV(u: v128): v128 {
  const b = f32x4.sub(f32x4.splat(0.25), f32x4.abs(f32x4.sub(u, f32x4.nearest(u))));
  const x = f32x4.mul(b, f32x4.splat(6.283185307179586));
  const x2 = f32x4.mul(x, x);
  let p = f32x4.splat(-2.505210838544172e-8);
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(2.755731922398589e-6));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(-1.984126984126984e-4));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(8.333333333333333e-3));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(-0.16666666666666666));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(1));
  return f32x4.mul(p, x);
}

/** stddev·z for the 4 elements with indices i: Box–Muller on the hashes of 2i and 2i + 1 (u1 shifted into (0, 1]). */
@inline function noiseV(i: v128, seed: v128, stddev: v128): v128 {
  const unit = f32x4.splat(5.9604644775390625e-8); // 2^-24
  const two = i32x4.add(i, i);
  const u1 = f32x4.mul(f32x4.convert_i32x4_u(i32x4.add(hashV(two, seed), i32x4.splat(1))), unit);
  const u2 = f32x4.mul(f32x4.convert_i32x4_u(hashV(i32x4.add(two, i32x4.splat(1)), seed)), unit);
  const r = f32x4.sqrt(f32x4.mul(f32x4.splat(-2), logV(u1)));
  return f32x4.mul(stddev, f32x4.mul(r, cos2piV(u2)));
}

/**
 * y[i] = x[i] + stddev·z_i, z_i standard normal by Box–Muller on the counter hash of elements 2i
 * and 2i + 1 (the JS backend computes the same in f64 with Math.log/Math.cos: agreement to float
 * rounding). In place allowed.
 */
export function gaussianNoise(n: i32, x: usize, y: usize, stddev: f32, seed: u32): void {
  const seed4 = i32x4.splat(seed), s4 = f32x4.splat(stddev);
  const end = <usize>n << 2;
  let idx = i32x4(0, 1, 2, 3);
  const step = i32x4.splat(4);
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) {
    v128.store(y + i, f32x4.add(v128.load(x + i), noiseV(idx, seed4, s4)));
    idx = i32x4.add(idx, step);
  }
  for (; i < end; i += 4) store<f32>(y + i, load<f32>(x + i) + lane0(noiseV(i32x4.splat(<i32>(i >> 2)), seed4, s4)));
}
