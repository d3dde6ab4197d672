// General matrix multiply C[m×n] = op(A)·op(B) (+ C) (+ bias) for the three layouts backprop
// uses. GotoBLAS-style: B is packed, a KC×NC block at a time, into zero-padded strips of NR
// columns, and op(A) an MC×KC block at a time into tiles of MR rows, both in a scratch area the
// caller owns (`gemmScratchBytes()` bytes, 16-byte aligned). A 4×8 register-tiled micro-kernel
// (8 v128 accumulators; 8×4 for a last strip of ≤ 4 columns) then runs over the two panels
// with one pointer each. Larger tiles and k-unrolling made V8 spill accumulators (slower).
import { Layout } from './codes';
import { madd } from './math';

const MR = 4; // rows per micro-tile
const NR = 8; // columns per micro-tile (two v128)
const KC = 256; // depth of a packed block
const NC = 512; // columns of a packed block (multiple of NR)
const MC = MR * 32; // rows of A per packed block (MC×KC floats stay in L2)

/** Bytes of scratch `gemm` needs. */
export function gemmScratchBytes(): i32 {
  return (KC * NC + MC * KC) * 4;
}

// Staging for partial tiles (static data, not an allocation).
const tile: usize = memory.data(32, 16);

/**
 * Packs B[pc.., jc..] (kc×nc, logical k×n) into strips of NR columns: the strip starting at
 * column jr is at bp + jr·kc·4, one row of NR floats per k. A last strip of ≤ 4 columns is
 * packed 4 wide (for the narrow kernel). Columns past n are zero, so kernels need no tail.
 * `transposed` = B stored n×k (layout NT).
 */
function packB(transposed: bool, b: usize, n: i32, k: i32, pc: i32, jc: i32, kc: i32, nc: i32, bp: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const j0 = jc + jr;
    const nv = min(NR, nc - jr);
    const w = nv <= 4 ? 4 : NR; // strip width
    const rowBytes = <usize>w << 2;
    let dst = bp + <usize>(jr * kc) * 4;
    if (!transposed) {
      let src = b + (<usize>pc * <usize>n + <usize>j0) * 4;
      const ldb = <usize>n << 2;
      if (nv == NR) {
        for (let p = 0; p < kc; p++, src += ldb, dst += rowBytes) {
          v128.store(dst, v128.load(src));
          v128.store(dst, v128.load(src, 16), 16);
        }
      } else if (nv == 4) {
        for (let p = 0; p < kc; p++, src += ldb, dst += rowBytes) v128.store(dst, v128.load(src));
      } else {
        for (let p = 0; p < kc; p++, src += ldb, dst += rowBytes) {
          v128.store(dst, i32x4.splat(0));
          if (w == NR) v128.store(dst, i32x4.splat(0), 16);
          for (let jj = 0; jj < nv; jj++) store<f32>(dst + (<usize>jj << 2), load<f32>(src + (<usize>jj << 2)));
        }
      }
    } else {
      // B is n×k: column j of op(B) is row j of B, contiguous in p. Full groups of 4 columns
      // go through 4×4 transposes; the rest (and k % 4) element by element.
      if (nv < w) memory.fill(dst, 0, <usize>kc * rowBytes);
      const ldb = <usize>k << 2;
      const groups = nv >> 2;
      const kc4 = kc & ~3;
      for (let g = 0; g < groups; g++) {
        const s0 = b + (<usize>(j0 + 4 * g) * <usize>k + <usize>pc) * 4;
        const s1 = s0 + ldb, s2 = s1 + ldb, s3 = s2 + ldb;
        for (let p = 0; p < kc4; p += 4) {
          const o = <usize>p << 2;
          storeTransposed4(v128.load(s0 + o), v128.load(s1 + o), v128.load(s2 + o), v128.load(s3 + o), dst + <usize>p * rowBytes + (<usize>g << 4), rowBytes);
        }
      }
      for (let jj = 0; jj < nv; jj++) {
        const p0 = jj < groups * 4 ? kc4 : 0;
        let src = b + (<usize>(j0 + jj) * <usize>k + <usize>(pc + p0)) * 4;
        let d = dst + (<usize>jj << 2) + <usize>p0 * rowBytes;
        for (let p = p0; p < kc; p++, src += 4, d += rowBytes) store<f32>(d, load<f32>(src));
      }
    }
  }
}

/** Writes one row of a micro-tile: C = acc (+ C when loadC) (+ bias), only `nr` columns. */
@inline function storeRow(cr: usize, v0: v128, v1: v128, nr: i32, loadC: bool, bias: usize): void {
  if (nr == NR) {
    if (loadC) { v0 = f32x4.add(v0, v128.load(cr)); v1 = f32x4.add(v1, v128.load(cr, 16)); }
    if (bias) { v0 = f32x4.add(v0, v128.load(bias)); v1 = f32x4.add(v1, v128.load(bias, 16)); }
    v128.store(cr, v0);
    v128.store(cr, v1, 16);
  } else {
    v128.store(tile, v0);
    v128.store(tile, v1, 16);
    for (let l = 0; l < nr; l++) {
      const o = <usize>l << 2;
      let v = load<f32>(tile + o);
      if (loadC) v += load<f32>(cr + o);
      if (bias) v += load<f32>(bias + o);
      store<f32>(cr + o, v);
    }
  }
}

/** Stores the 4×4 transpose of rows r0..r3 as four vectors at dst, dst+stride, … */
@inline function storeTransposed4(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize, stride: usize): void {
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(dst + stride, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * stride, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * stride, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

/**
 * Packs op(A)[ic.., pc..] (mc×kc) into tiles of MR rows: tile t, step p holds op(A)[ic+t·MR+r, pc+p]
 * for r < MR at ap + (t·kc + p)·MR·4. Rows past m are zero. rs/ps: byte strides of op(A) per row / per k.
 */
function packA(a: usize, rs: usize, ps: usize, ic: i32, pc: i32, mc: i32, kc: i32, ap: usize): void {
  for (let t = 0; t * MR < mc; t++) {
    const rows = min(MR, mc - t * MR);
    let dst = ap + <usize>(t * kc) * (MR << 2);
    const src = a + <usize>(ic + t * MR) * rs + <usize>pc * ps;
    if (rows == MR && rs == 4) {
      // TN: the tile's 4 rows are contiguous at each k.
      let s = src;
      for (let p = 0; p < kc; p++, s += ps, dst += MR << 2) v128.store(dst, v128.load(s));
      continue;
    }
    let p = 0;
    if (rows == MR && ps == 4) {
      // NN: rows are contiguous in k; transpose 4×4 blocks.
      const s1 = src + rs, s2 = s1 + rs, s3 = s2 + rs;
      for (; p + 4 <= kc; p += 4) {
        const o = <usize>p << 2;
        storeTransposed4(v128.load(src + o), v128.load(s1 + o), v128.load(s2 + o), v128.load(s3 + o), dst + (o << 2), 16);
      }
    } else if (rows < MR) {
      memory.fill(dst, 0, <usize>kc * (MR << 2));
    }
    for (let r = 0; r < rows; r++) {
      let s = src + <usize>r * rs + <usize>p * ps;
      let d = dst + (<usize>r << 2) + (<usize>p << 4);
      for (let q = p; q < kc; q++, s += ps, d += MR << 2) store<f32>(d, load<f32>(s));
    }
  }
}

/**
 * 4×NR micro-kernel over packed panels: ap holds 4 floats of op(A) per k, bp holds NR
 * floats of op(B) per k. Stores the first mr rows / nr columns of the tile at c.
 */
function kernel4x8(kc: i32, ap: usize, bp: usize, c: usize, ldc: usize, mr: i32, nr: i32, loadC: bool, bias: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const bEnd = bp + (<usize>kc << 5);
  while (bp < bEnd) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    let av: v128;
    av = v128.load32_splat(ap, 0);
    c00 = madd(av, b0, c00); c01 = madd(av, b1, c01);
    av = v128.load32_splat(ap, 4);
    c10 = madd(av, b0, c10); c11 = madd(av, b1, c11);
    av = v128.load32_splat(ap, 8);
    c20 = madd(av, b0, c20); c21 = madd(av, b1, c21);
    av = v128.load32_splat(ap, 12);
    c30 = madd(av, b0, c30); c31 = madd(av, b1, c31);
    ap += 16;
    bp += 32;
  }
  storeRow(c, c00, c01, nr, loadC, bias);
  if (mr > 1) storeRow(c + 1 * ldc, c10, c11, nr, loadC, bias);
  if (mr > 2) storeRow(c + 2 * ldc, c20, c21, nr, loadC, bias);
  if (mr > 3) storeRow(c + 3 * ldc, c30, c31, nr, loadC, bias);
}

/** Writes one 4-wide row: C = acc (+ C when loadC) (+ bias), only `nr` ≤ 4 columns. */
@inline function storeRow4(cr: usize, v: v128, nr: i32, loadC: bool, bias: usize): void {
  if (nr == 4) {
    if (loadC) v = f32x4.add(v, v128.load(cr));
    if (bias) v = f32x4.add(v, v128.load(bias));
    v128.store(cr, v);
  } else {
    v128.store(tile, v);
    for (let l = 0; l < nr; l++) {
      const o = <usize>l << 2;
      let x = load<f32>(tile + o);
      if (loadC) x += load<f32>(cr + o);
      if (bias) x += load<f32>(bias + o);
      store<f32>(cr + o, x);
    }
  }
}

/**
 * 8×4 micro-kernel for a last strip of ≤ 4 columns (e.g. a 10-unit output layer): eight rows
 * from two packed A tiles (ap0, ap1) against one 4-wide packed strip, eight accumulators.
 */
function kernel8x4(kc: i32, ap0: usize, ap1: usize, bp: usize, c: usize, ldc: usize, mr: i32, nr: i32, loadC: bool, bias: usize): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let c4 = f32x4.splat(0), c5 = f32x4.splat(0), c6 = f32x4.splat(0), c7 = f32x4.splat(0);
  const bEnd = bp + (<usize>kc << 4);
  while (bp < bEnd) {
    const b = v128.load(bp);
    c0 = madd(v128.load32_splat(ap0, 0), b, c0);
    c1 = madd(v128.load32_splat(ap0, 4), b, c1);
    c2 = madd(v128.load32_splat(ap0, 8), b, c2);
    c3 = madd(v128.load32_splat(ap0, 12), b, c3);
    c4 = madd(v128.load32_splat(ap1, 0), b, c4);
    c5 = madd(v128.load32_splat(ap1, 4), b, c5);
    c6 = madd(v128.load32_splat(ap1, 8), b, c6);
    c7 = madd(v128.load32_splat(ap1, 12), b, c7);
    ap0 += 16;
    ap1 += 16;
    bp += 16;
  }
  storeRow4(c, c0, nr, loadC, bias);
  if (mr > 1) storeRow4(c + ldc, c1, nr, loadC, bias);
  if (mr > 2) storeRow4(c + 2 * ldc, c2, nr, loadC, bias);
  if (mr > 3) storeRow4(c + 3 * ldc, c3, nr, loadC, bias);
  if (mr > 4) storeRow4(c + 4 * ldc, c4, nr, loadC, bias);
  if (mr > 5) storeRow4(c + 5 * ldc, c5, nr, loadC, bias);
  if (mr > 6) storeRow4(c + 6 * ldc, c6, nr, loadC, bias);
  if (mr > 7) storeRow4(c + 7 * ldc, c7, nr, loadC, bias);
}

/**
 * C = op(A)·op(B) (+ C when accumulate) (+ bias[j] on every row when bias ≠ 0).
 * NN: A m×k, B k×n. TN: A stored k×m. NT: B stored n×k. `scratch` holds gemmScratchBytes().
 */
export function gemm(layout: i32, m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, accumulate: bool, bias: usize, scratch: usize): void {
  if (m <= 0 || n <= 0) return;
  const ldc = <usize>n << 2;
  if (k <= 0) {
    for (let i = 0; i < m; i++) {
      const cr = c + <usize>i * ldc;
      for (let j = 0; j < n; j++) {
        const o = <usize>j << 2;
        let v: f32 = accumulate ? load<f32>(cr + o) : 0;
        if (bias) v += load<f32>(bias + o);
        store<f32>(cr + o, v);
      }
    }
    return;
  }
  const aTransposed = layout == Layout.TN;
  // Byte strides of op(A): next row (rs) and next k (ps).
  const rs: usize = aTransposed ? 4 : <usize>k << 2;
  const ps: usize = aTransposed ? <usize>m << 2 : 4;
  const bPanel = scratch;
  const aPanel = scratch + <usize>(KC * NC) * 4;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packB(layout == Layout.NT, b, n, k, pc, jc, kc, nc, bPanel);
      const loadC = accumulate || pc > 0;
      const biasHere: usize = pc == 0 ? bias : 0;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA(a, rs, ps, ic, pc, mc, kc, aPanel);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const bp = bPanel + <usize>(jr * kc) * 4;
          const j = jc + jr;
          const biasJ: usize = biasHere ? biasHere + (<usize>j << 2) : 0;
          if (nr <= 4) {
            for (let ir = 0; ir < mc; ir += 2 * MR) {
              const ap = aPanel + <usize>(ir * kc) * 4;
              const ap1 = ir + MR < mc ? ap + <usize>(MR * kc) * 4 : ap;
              kernel8x4(kc, ap, ap1, bp, c + <usize>(ic + ir) * ldc + (<usize>j << 2), ldc, min(2 * MR, mc - ir), nr, loadC, biasJ);
            }
          } else {
            for (let ir = 0; ir < mc; ir += MR) {
              const ap = aPanel + <usize>(ir * kc) * 4;
              kernel4x8(kc, ap, bp, c + <usize>(ic + ir) * ldc + (<usize>j << 2), ldc, min(MR, mc - ir), nr, loadC, biasJ);
            }
          }
        }
      }
    }
  }
}

/**
 * Benchmark probe, not a kernel: a register-only loop at the engine's best SIMD rate, 96 flops
 * per iteration, so bench/gemm.mjs can report gemm as a percentage of it. Relaxed build: 12
 * independent f32x4 FMA chains. Plain build: 6 mul chains and 6 add chains (mul and add run on
 * separate pipes; a chained mul-then-add would measure latency, not throughput), twice.
 * V8 schedules this plain loop worse than the gemm kernel itself (≈37 vs ≈40 GFLOPS on Zen 4),
 * so the plain build's "% of peak" reads above 100: treat it as a lower bound of the peak.
 */
export function gemmPeak(iterations: i32, x: f32): f32 {
  const c = f32x4.splat(x), d = f32x4.splat(1 - x);
  let a0 = f32x4.splat(0.1), a1 = f32x4.splat(0.2), a2 = f32x4.splat(0.3), a3 = f32x4.splat(0.4);
  let a4 = f32x4.splat(0.5), a5 = f32x4.splat(0.6), a6 = f32x4.splat(0.7), a7 = f32x4.splat(0.8);
  let a8 = f32x4.splat(0.9), a9 = f32x4.splat(1.1), a10 = f32x4.splat(1.2), a11 = f32x4.splat(1.3);
  for (let i = 0; i < iterations; i++) {
    if (ASC_FEATURE_RELAXED_SIMD) {
      a0 = madd(a0, c, d); a1 = madd(a1, c, d); a2 = madd(a2, c, d); a3 = madd(a3, c, d);
      a4 = madd(a4, c, d); a5 = madd(a5, c, d); a6 = madd(a6, c, d); a7 = madd(a7, c, d);
      a8 = madd(a8, c, d); a9 = madd(a9, c, d); a10 = madd(a10, c, d); a11 = madd(a11, c, d);
    } else {
      for (let u = 0; u < 2; u++) {
        a0 = f32x4.mul(a0, c); a1 = f32x4.mul(a1, c); a2 = f32x4.mul(a2, c);
        a3 = f32x4.mul(a3, c); a4 = f32x4.mul(a4, c); a5 = f32x4.mul(a5, c);
        a6 = f32x4.add(a6, d); a7 = f32x4.add(a7, d); a8 = f32x4.add(a8, d);
        a9 = f32x4.add(a9, d); a10 = f32x4.add(a10, d); a11 = f32x4.add(a11, d);
      }
    }
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  return f32x4.extract_lane(f32x4.add(s, f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11))), 0);
}
