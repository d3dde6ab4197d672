// Small elementwise kernels and reductions: multiply, copy, fill, scale, sumSquares, regularize,
// columnSums, gatherRows, anyNonFinite.
import { madd } from './math';

/** out = a ⊙ b over n floats. In-place allowed. */
export function multiply(n: i32, a: usize, b: usize, out: usize): void {
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) v128.store(out + i, f32x4.mul(v128.load(a + i), v128.load(b + i)));
  for (; i < end; i += 4) store<f32>(out + i, load<f32>(a + i) * load<f32>(b + i));
}

/** dst = src over n floats (overlap allowed, as memmove). */
export function copy(n: i32, src: usize, dst: usize): void {
  if (src != dst) memory.copy(dst, src, <usize>n << 2);
}

/** x = value over n floats. */
export function fill(n: i32, x: usize, value: f32): void {
  const end = <usize>n << 2;
  const v = f32x4.splat(value);
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) v128.store(x + i, v);
  for (; i < end; i += 4) store<f32>(x + i, value);
}

/** x *= alpha over n floats. */
export function scale(n: i32, x: usize, alpha: f32): void {
  const end = <usize>n << 2;
  const a = f32x4.splat(alpha);
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) v128.store(x + i, f32x4.mul(v128.load(x + i), a));
  for (; i < end; i += 4) store<f32>(x + i, load<f32>(x + i) * alpha);
}

/** x² of the 4 floats at p, added to two f64x2 accumulators (lanes 0-1 and 2-3). */
@inline function squares(p: usize, acc: v128): v128 {
  const v = v128.load(p);
  const lo = f64x2.promote_low_f32x4(v), hi = f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
  return f64x2.add(acc, f64x2.add(f64x2.mul(lo, lo), f64x2.mul(hi, hi)));
}

/** Σ x² accumulated in f64; four independent chains, so it runs at memory speed, not add latency. */
export function sumSquares(n: i32, x: usize): f64 {
  const end = <usize>n << 2;
  let acc0 = f64x2.splat(0), acc1 = f64x2.splat(0), acc2 = f64x2.splat(0), acc3 = f64x2.splat(0);
  let i: usize = 0;
  for (; i + 64 <= end; i += 64) {
    acc0 = squares(x + i, acc0);
    acc1 = squares(x + i + 16, acc1);
    acc2 = squares(x + i + 32, acc2);
    acc3 = squares(x + i + 48, acc3);
  }
  for (; i + 16 <= end; i += 16) acc0 = squares(x + i, acc0);
  const s = f64x2.add(f64x2.add(acc0, acc1), f64x2.add(acc2, acc3));
  let sum = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < end; i += 4) { const v = <f64>load<f32>(x + i); sum += v * v; }
  return sum;
}

/** g += l1·sign(w) + 2·l2·w (sign(0) = 0); returns l1·Σ|w| + l2·Σw² accumulated in f64. */
export function regularize(n: i32, w: usize, g: usize, l1: f32, l2: f32): f64 {
  const end = <usize>n << 2;
  const l14 = f32x4.splat(l1), l24 = f32x4.splat(l2 + l2);
  const zero = f32x4.splat(0), one = f32x4.splat(1);
  let abs0 = f64x2.splat(0), sq0 = f64x2.splat(0);
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) {
    const v = v128.load(w + i);
    const sign = f32x4.sub(v128.and(f32x4.gt(v, zero), one), v128.and(f32x4.lt(v, zero), one));
    v128.store(g + i, madd(l24, v, madd(l14, sign, v128.load(g + i))));
    const lo = f64x2.promote_low_f32x4(v), hi = f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
    abs0 = f64x2.add(abs0, f64x2.add(f64x2.abs(lo), f64x2.abs(hi)));
    sq0 = f64x2.add(sq0, f64x2.add(f64x2.mul(lo, lo), f64x2.mul(hi, hi)));
  }
  let sumAbs = f64x2.extract_lane(abs0, 0) + f64x2.extract_lane(abs0, 1);
  let sumSq = f64x2.extract_lane(sq0, 0) + f64x2.extract_lane(sq0, 1);
  for (; i < end; i += 4) {
    const v = load<f32>(w + i);
    const sign: f32 = v > 0 ? 1 : v < 0 ? -1 : 0;
    store<f32>(g + i, load<f32>(g + i) + l1 * sign + (l2 + l2) * v);
    sumAbs += <f64>abs(v);
    sumSq += <f64>v * <f64>v;
  }
  return <f64>l1 * sumAbs + <f64>l2 * sumSq;
}

/** out[j] (+)= Σ_i x[i, j] over `rows` rows (the bias gradient). */
export function columnSums(rows: i32, cols: i32, x: usize, out: usize, accumulate: bool): void {
  const rowBytes = <usize>cols << 2;
  if (!accumulate) memory.fill(out, 0, rowBytes);
  // Four rows at a time so each pass over `out` does four rows of adds.
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const x0 = x + <usize>r * rowBytes, x1 = x0 + rowBytes, x2 = x1 + rowBytes, x3 = x2 + rowBytes;
    let j: usize = 0;
    for (; j + 16 <= rowBytes; j += 16) {
      const s = f32x4.add(f32x4.add(v128.load(x0 + j), v128.load(x1 + j)), f32x4.add(v128.load(x2 + j), v128.load(x3 + j)));
      v128.store(out + j, f32x4.add(v128.load(out + j), s));
    }
    for (; j < rowBytes; j += 4) {
      store<f32>(out + j, load<f32>(out + j) + ((load<f32>(x0 + j) + load<f32>(x1 + j)) + (load<f32>(x2 + j) + load<f32>(x3 + j))));
    }
  }
  for (; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    let j: usize = 0;
    for (; j + 16 <= rowBytes; j += 16) v128.store(out + j, f32x4.add(v128.load(out + j), v128.load(xr + j)));
    for (; j < rowBytes; j += 4) store<f32>(out + j, load<f32>(out + j) + load<f32>(xr + j));
  }
}

/** dst[r] = src[idx[r]] for r < rows, each row `cols` floats; idx is i32. */
export function gatherRows(rows: i32, cols: i32, src: usize, idx: usize, dst: usize): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const from = src + <usize>load<i32>(idx + (<usize>r << 2)) * rowBytes;
    memory.copy(dst + <usize>r * rowBytes, from, rowBytes);
  }
}

/** 1 when any of the n floats at x is NaN or ±Infinity (x − x is then NaN, else 0), else 0. */
export function anyNonFinite(n: i32, x: usize): i32 {
  const end = <usize>n << 2, zero = f32x4.splat(0);
  let bad = zero;
  let i: usize = 0;
  for (; i + 64 <= end; i += 64) {
    const a = v128.load(x + i), b = v128.load(x + i + 16), c = v128.load(x + i + 32), d = v128.load(x + i + 48);
    bad = v128.or(bad, v128.or(v128.or(f32x4.sub(a, a), f32x4.sub(b, b)), v128.or(f32x4.sub(c, c), f32x4.sub(d, d))));
  }
  for (; i + 16 <= end; i += 16) { const a = v128.load(x + i); bad = v128.or(bad, f32x4.sub(a, a)); }
  // Finite lanes hold ±0 bits or'ed together (0 or the sign bit); a NaN sets exponent bits.
  if (v128.any_true(v128.and(bad, i32x4.splat(0x7fffffff)))) return 1;
  for (; i < end; i += 4) { const v = load<f32>(x + i); if (v - v != 0) return 1; }
  return 0;
}
