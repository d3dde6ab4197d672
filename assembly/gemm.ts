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
export const KC = 256; // depth of a packed block (sparse.ts keeps the same k blocks)
const NC = 512; // columns of a packed block (multiple of NR)
const MC = MR * 32; // rows of A per packed block (MC×KC floats stay in L2)

/** Bytes of scratch `gemm` needs. */
export function gemmScratchBytes(): i32 {
  return (KC * NC + MC * KC) * 4;
}

/**
 * Stores the first nr (≤ 4) lanes of v at cr: C = v (+ C when loadC) (+ bias). Lane by lane with
 * constant lane indices, so no staging memory: kernels run on several threads over one shared
 * memory and must not share static scratch.
 */
@inline function storeLanes(cr: usize, v: v128, nr: i32, loadC: bool, bias: usize): void {
  storeLane(cr, f32x4.extract_lane(v, 0), loadC, bias);
  if (nr > 1) storeLane(cr + 4, f32x4.extract_lane(v, 1), loadC, bias ? bias + 4 : 0);
  if (nr > 2) storeLane(cr + 8, f32x4.extract_lane(v, 2), loadC, bias ? bias + 8 : 0);
  if (nr > 3) storeLane(cr + 12, f32x4.extract_lane(v, 3), loadC, bias ? bias + 12 : 0);
}

@inline function storeLane(cp: usize, x: f32, loadC: bool, bias: usize): void {
  if (loadC) x += load<f32>(cp);
  if (bias) x += load<f32>(bias);
  store<f32>(cp, x);
}

/**
 * Packs B[pc.., jc..] (kc×nc, logical k×n) into strips of NR columns: the strip starting at
 * column jr is at bp + jr·kc·4, one row of NR floats per k. A last strip of ≤ 4 columns is
 * packed 4 wide (for the narrow kernel). Columns past n are zero, so kernels need no tail.
 * `transposed` = B stored n×k (layout NT). ldbB = byte stride of B's stored rows.
 */
function packB(transposed: bool, b: usize, ldbB: usize, pc: i32, jc: i32, kc: i32, nc: i32, bp: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const j0 = jc + jr;
    const nv = min(NR, nc - jr);
    const w = nv <= 4 ? 4 : NR; // strip width
    const rowBytes = <usize>w << 2;
    let dst = bp + <usize>(jr * kc) * 4;
    if (!transposed) {
      let src = b + <usize>pc * ldbB + (<usize>j0 << 2);
      const ldb = ldbB;
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
      const ldb = ldbB;
      const groups = nv >> 2;
      const kc4 = kc & ~3;
      for (let g = 0; g < groups; g++) {
        const s0 = b + <usize>(j0 + 4 * g) * ldb + (<usize>pc << 2);
        const s1 = s0 + ldb, s2 = s1 + ldb, s3 = s2 + ldb;
        for (let p = 0; p < kc4; p += 4) {
          const o = <usize>p << 2;
          storeTransposed4(v128.load(s0 + o), v128.load(s1 + o), v128.load(s2 + o), v128.load(s3 + o), dst + <usize>p * rowBytes + (<usize>g << 4), rowBytes);
        }
      }
      for (let jj = 0; jj < nv; jj++) {
        const p0 = jj < groups * 4 ? kc4 : 0;
        let src = b + <usize>(j0 + jj) * ldb + (<usize>(pc + p0) << 2);
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
    storeLanes(cr, v0, min(nr, 4), loadC, bias);
    if (nr > 4) storeLanes(cr + 16, v1, nr - 4, loadC, bias ? bias + 16 : 0);
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
@inline function kernel4x8(kc: i32, ap: usize, bp: usize, c: usize, ldc: usize, mr: i32, nr: i32, loadC: bool, bias: usize): void {
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
    storeLanes(cr, v, nr, loadC, bias);
  }
}

/**
 * 8×4 micro-kernel for a last strip of ≤ 4 columns (e.g. a 10-unit output layer): eight rows
 * from two packed A tiles (ap0, ap1) against one 4-wide packed strip, eight accumulators.
 */
@inline function kernel8x4(kc: i32, ap0: usize, ap1: usize, bp: usize, c: usize, ldc: usize, mr: i32, nr: i32, loadC: bool, bias: usize): void {
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

// ---- small shapes: no packing ------------------------------------------------------------------
// Every path below computes each element of C with the same operation sequence as the packed
// kernels where it can (a madd chain from 0 over each KC block of k, then + C, then + bias), so
// splitting C into blocks (threads) or rows into batches never changes a result. The dot path
// (NT with m ≤ 3; NN with n ≤ 12 for every m) sums 4 lanes of k instead; the thread splitter
// keeps its choice (rows in chunks of ≥ 4, columns only when m ≤ 3, n never split below 32).

/** C = acc (+ C when loadC) (+ bias), one v128 of 4 columns at cp. */
@inline function storeV(cp: usize, acc: v128, loadC: bool, bias: usize): void {
  if (loadC) acc = f32x4.add(acc, v128.load(cp));
  if (bias) acc = f32x4.add(acc, v128.load(bias));
  v128.store(cp, acc);
}

/** Same as storeV for one column held in lane 0. */
@inline function storeS(cp: usize, acc: v128, loadC: bool, bias: usize): void {
  let x = f32x4.extract_lane(acc, 0);
  if (loadC) x += load<f32>(cp);
  if (bias) x += load<f32>(bias);
  store<f32>(cp, x);
}

/**
 * One row of C from a streamed B (NN/TN, B row p at b + p·ldb). B is read row by row, contiguous
 * (prefetch-friendly), and the running sums live in `acc` (n floats of scratch, L1-resident):
 * element j still gets the chain acc = madd(a_p, b_pj, acc) over each KC block from 0, as the
 * packed kernels compute it. ar = op(A) row start, ps = its byte step per k.
 */
function streamRow1(n: i32, k: i32, ar: usize, ps: usize, b: usize, ldb: usize, cr: usize, accumulate: bool, bias: usize, acc: usize): void {
  const vEnd = <usize>(n & ~3) << 2, end = <usize>n << 2;
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    memory.fill(acc, 0, end);
    let ap = ar + <usize>pc * ps, bp = b + <usize>pc * ldb;
    let p = 0;
    // Two rows of B per pass: the sums stay in registers between them (same chain order).
    for (; p + 2 <= kc; p += 2, ap += 2 * ps, bp += 2 * ldb) {
      const av = v128.load32_splat(ap), aw = v128.load32_splat(ap + ps);
      const bq = bp + ldb;
      let o: usize = 0;
      for (; o + 32 <= vEnd; o += 32) {
        v128.store(acc + o, madd(aw, v128.load(bq + o), madd(av, v128.load(bp + o), v128.load(acc + o))));
        v128.store(acc + o, madd(aw, v128.load(bq + o, 16), madd(av, v128.load(bp + o, 16), v128.load(acc + o, 16))), 16);
      }
      for (; o < vEnd; o += 16) v128.store(acc + o, madd(aw, v128.load(bq + o), madd(av, v128.load(bp + o), v128.load(acc + o))));
      for (; o < end; o += 4) {
        const x = madd(aw, v128.load32_splat(bq + o), madd(av, v128.load32_splat(bp + o), v128.load32_splat(acc + o)));
        store<f32>(acc + o, f32x4.extract_lane(x, 0));
      }
    }
    for (; p < kc; p++, ap += ps, bp += ldb) {
      const av = v128.load32_splat(ap);
      let o: usize = 0;
      for (; o + 64 <= vEnd; o += 64) {
        v128.store(acc + o, madd(av, v128.load(bp + o), v128.load(acc + o)));
        v128.store(acc + o, madd(av, v128.load(bp + o, 16), v128.load(acc + o, 16)), 16);
        v128.store(acc + o, madd(av, v128.load(bp + o, 32), v128.load(acc + o, 32)), 32);
        v128.store(acc + o, madd(av, v128.load(bp + o, 48), v128.load(acc + o, 48)), 48);
      }
      for (; o < vEnd; o += 16) v128.store(acc + o, madd(av, v128.load(bp + o), v128.load(acc + o)));
      for (; o < end; o += 4) store<f32>(acc + o, f32x4.extract_lane(madd(av, v128.load32_splat(bp + o), v128.load32_splat(acc + o)), 0));
    }
    const loadC = accumulate || pc > 0;
    const bs = pc == 0 ? bias : 0;
    let o: usize = 0;
    for (; o < vEnd; o += 16) storeV(cr + o, v128.load(acc + o), loadC, bs ? bs + o : 0);
    for (; o < end; o += 4) storeS(cr + o, v128.load32_splat(acc + o), loadC, bs ? bs + o : 0);
  }
}

/**
 * TN with k ≤ 4 (the weight gradient at batch ≤ 4, an outer product at batch 1): each row of C
 * is Σ_p a_p·B[p, :], a chain of k madds from 0 as in the packed kernels, written straight out.
 * The plain store (no C, no bias: every weight gradient) is its own loop without branches.
 */
function outerTN(m: i32, n: i32, k: i32, a: usize, ps: usize, b: usize, ldb: usize, c: usize, ldc: usize, accumulate: bool, bias: usize): void {
  const vEnd = <usize>(n & ~3) << 2, end = <usize>n << 2;
  const zero = f32x4.splat(0);
  const b1 = b + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
  for (let i = 0; i < m; i++) {
    const ar = a + (<usize>i << 2), cr = c + <usize>i * ldc;
    const a0 = v128.load32_splat(ar);
    const a1 = k > 1 ? v128.load32_splat(ar + ps) : zero;
    const a2 = k > 2 ? v128.load32_splat(ar + 2 * ps) : zero;
    const a3 = k > 3 ? v128.load32_splat(ar + 3 * ps) : zero;
    let o: usize = 0;
    if (k == 1 && !accumulate && !bias) {
      for (; o + 32 <= vEnd; o += 32) {
        v128.store(cr + o, madd(a0, v128.load(b + o), zero));
        v128.store(cr + o, madd(a0, v128.load(b + o, 16), zero), 16);
      }
      for (; o < vEnd; o += 16) v128.store(cr + o, madd(a0, v128.load(b + o), zero));
    } else if (!accumulate && !bias) {
      for (; o < vEnd; o += 16) {
        let x = madd(a0, v128.load(b + o), zero);
        if (k > 1) x = madd(a1, v128.load(b1 + o), x);
        if (k > 2) x = madd(a2, v128.load(b2 + o), x);
        if (k > 3) x = madd(a3, v128.load(b3 + o), x);
        v128.store(cr + o, x);
      }
    } else {
      for (; o < vEnd; o += 16) {
        let x = madd(a0, v128.load(b + o), zero);
        if (k > 1) x = madd(a1, v128.load(b1 + o), x);
        if (k > 2) x = madd(a2, v128.load(b2 + o), x);
        if (k > 3) x = madd(a3, v128.load(b3 + o), x);
        storeV(cr + o, x, accumulate, bias ? bias + o : 0);
      }
    }
    for (; o < end; o += 4) {
      let x = madd(a0, v128.load32_splat(b + o), zero);
      if (k > 1) x = madd(a1, v128.load32_splat(b1 + o), x);
      if (k > 2) x = madd(a2, v128.load32_splat(b2 + o), x);
      if (k > 3) x = madd(a3, v128.load32_splat(b3 + o), x);
      storeS(cr + o, x, accumulate, bias ? bias + o : 0);
    }
  }
}

/** Two rows of C (op(A) rows at ar and ar + rs) from a streamed B: 16 columns per pass, then 4, then 1. */
function streamRow2(n: i32, k: i32, ar: usize, rs: usize, ps: usize, b: usize, ldb: usize, cr: usize, ldc: usize, accumulate: bool, bias: usize): void {
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    const loadC = accumulate || pc > 0;
    const bs = pc == 0 ? bias : 0;
    const a0 = ar + <usize>pc * ps, b0 = b + <usize>pc * ldb;
    let j = 0;
    for (; j + 16 <= n; j += 16) {
      const o = <usize>j << 2;
      let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
      let d0 = f32x4.splat(0), d1 = f32x4.splat(0), d2 = f32x4.splat(0), d3 = f32x4.splat(0);
      let ap = a0, bp = b0 + o;
      for (let p = 0; p < kc; p++, ap += ps, bp += ldb) {
        const av = v128.load32_splat(ap), aw = v128.load32_splat(ap + rs);
        const b0v = v128.load(bp), b1v = v128.load(bp, 16), b2v = v128.load(bp, 32), b3v = v128.load(bp, 48);
        c0 = madd(av, b0v, c0); c1 = madd(av, b1v, c1); c2 = madd(av, b2v, c2); c3 = madd(av, b3v, c3);
        d0 = madd(aw, b0v, d0); d1 = madd(aw, b1v, d1); d2 = madd(aw, b2v, d2); d3 = madd(aw, b3v, d3);
      }
      const cp = cr + o, dp = cp + ldc, bj: usize = bs ? bs + o : 0;
      storeV(cp, c0, loadC, bj); storeV(cp + 16, c1, loadC, bj ? bj + 16 : 0);
      storeV(cp + 32, c2, loadC, bj ? bj + 32 : 0); storeV(cp + 48, c3, loadC, bj ? bj + 48 : 0);
      storeV(dp, d0, loadC, bj); storeV(dp + 16, d1, loadC, bj ? bj + 16 : 0);
      storeV(dp + 32, d2, loadC, bj ? bj + 32 : 0); storeV(dp + 48, d3, loadC, bj ? bj + 48 : 0);
    }
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      let c0 = f32x4.splat(0), d0 = f32x4.splat(0);
      let ap = a0, bp = b0 + o;
      for (let p = 0; p < kc; p++, ap += ps, bp += ldb) {
        const bv = v128.load(bp);
        c0 = madd(v128.load32_splat(ap), bv, c0);
        d0 = madd(v128.load32_splat(ap + rs), bv, d0);
      }
      storeV(cr + o, c0, loadC, bs ? bs + o : 0);
      storeV(cr + ldc + o, d0, loadC, bs ? bs + o : 0);
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      let c0 = f32x4.splat(0), d0 = f32x4.splat(0);
      let ap = a0, bp = b0 + o;
      for (let p = 0; p < kc; p++, ap += ps, bp += ldb) {
        const bv = v128.load32_splat(bp);
        c0 = madd(v128.load32_splat(ap), bv, c0);
        d0 = madd(v128.load32_splat(ap + rs), bv, d0);
      }
      storeS(cr + o, c0, loadC, bs ? bs + o : 0);
      storeS(cr + ldc + o, d0, loadC, bs ? bs + o : 0);
    }
  }
}

/** Lane sums of four accumulators as one vector: lane j = (x0 + x2) + (x1 + x3) of accumulator j. */
@inline function reduce4(x: v128, y: v128, z: v128, w: v128): v128 {
  const s01 = f32x4.add(i32x4.shuffle(x, y, 0, 4, 1, 5), i32x4.shuffle(x, y, 2, 6, 3, 7));
  const s23 = f32x4.add(i32x4.shuffle(z, w, 0, 4, 1, 5), i32x4.shuffle(z, w, 2, 6, 3, 7));
  return f32x4.add(i32x4.shuffle(s01, s23, 0, 1, 4, 5), i32x4.shuffle(s01, s23, 2, 3, 6, 7));
}

/** The same sum for one accumulator, in lane 0. */
@inline function reduce1(x: v128): v128 {
  const s = f32x4.add(x, i32x4.shuffle(x, x, 2, 3, 0, 1));
  return f32x4.add(s, i32x4.shuffle(s, s, 1, 0, 3, 2));
}

/** Four B rows' values at byte offset o as one vector (the k tail of the dot path). */
@inline function gather4(bt: usize, ldb: usize, o: usize): v128 {
  let v = v128.load32_splat(bt + o);
  v = f32x4.replace_lane(v, 1, load<f32>(bt + ldb + o));
  v = f32x4.replace_lane(v, 2, load<f32>(bt + 2 * ldb + o));
  return f32x4.replace_lane(v, 3, load<f32>(bt + 3 * ldb + o));
}

/**
 * Dot path: C[m×n] = A·Btᵀ where rows of A (stride lda) and of Bt (stride ldb) are contiguous
 * in k. Each element sums 4 lanes of k, reduces them as (x0 + x2) + (x1 + x3), adds the k % 4
 * tail in order, then C and bias. Rows in pairs × 4 columns, a last row × 4 columns.
 */
function dotPath(m: i32, n: i32, k: i32, a: usize, lda: usize, bt: usize, ldb: usize, c: usize, ldc: usize, accumulate: bool, bias: usize): void {
  const kEnd = <usize>(k & ~3) << 2;
  const kAll = <usize>k << 2;
  for (let i = 0; i < m; i += 2) {
    const two = i + 1 < m;
    const ar = a + <usize>i * lda, as = two ? ar + lda : ar;
    const cr = c + <usize>i * ldc;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = bt + <usize>j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
      let x0 = f32x4.splat(0), x1 = f32x4.splat(0), x2 = f32x4.splat(0), x3 = f32x4.splat(0);
      let y0 = f32x4.splat(0), y1 = f32x4.splat(0), y2 = f32x4.splat(0), y3 = f32x4.splat(0);
      for (let o: usize = 0; o < kEnd; o += 16) {
        const av = v128.load(ar + o), aw = v128.load(as + o);
        let bv = v128.load(b0 + o); x0 = madd(av, bv, x0); y0 = madd(aw, bv, y0);
        bv = v128.load(b1 + o); x1 = madd(av, bv, x1); y1 = madd(aw, bv, y1);
        bv = v128.load(b2 + o); x2 = madd(av, bv, x2); y2 = madd(aw, bv, y2);
        bv = v128.load(b3 + o); x3 = madd(av, bv, x3); y3 = madd(aw, bv, y3);
      }
      let x = reduce4(x0, x1, x2, x3), y = reduce4(y0, y1, y2, y3);
      for (let o = kEnd; o < kAll; o += 4) {
        const bv = gather4(b0, ldb, o);
        x = madd(v128.load32_splat(ar + o), bv, x);
        y = madd(v128.load32_splat(as + o), bv, y);
      }
      const bj: usize = bias ? bias + (<usize>j << 2) : 0;
      storeV(cr + (<usize>j << 2), x, accumulate, bj);
      if (two) storeV(cr + ldc + (<usize>j << 2), y, accumulate, bj);
    }
    if (j < n) {
      // The last 1..3 columns as a group of 4 with the last B row repeated (same per-element
      // sums as a full group), storing only the real columns.
      const nr = n - j;
      const b0 = bt + <usize>j * ldb, b1 = nr > 1 ? b0 + ldb : b0, b2 = nr > 2 ? b1 + ldb : b1, b3 = b2;
      let x0 = f32x4.splat(0), x1 = f32x4.splat(0), x2 = f32x4.splat(0), x3 = f32x4.splat(0);
      let y0 = f32x4.splat(0), y1 = f32x4.splat(0), y2 = f32x4.splat(0), y3 = f32x4.splat(0);
      for (let o: usize = 0; o < kEnd; o += 16) {
        const av = v128.load(ar + o), aw = v128.load(as + o);
        let bv = v128.load(b0 + o); x0 = madd(av, bv, x0); y0 = madd(aw, bv, y0);
        bv = v128.load(b1 + o); x1 = madd(av, bv, x1); y1 = madd(aw, bv, y1);
        bv = v128.load(b2 + o); x2 = madd(av, bv, x2); y2 = madd(aw, bv, y2);
        bv = v128.load(b3 + o); x3 = madd(av, bv, x3); y3 = madd(aw, bv, y3);
      }
      let x = reduce4(x0, x1, x2, x3), y = reduce4(y0, y1, y2, y3);
      for (let o = kEnd; o < kAll; o += 4) {
        let bv = v128.load32_splat(b0 + o);
        bv = f32x4.replace_lane(bv, 1, load<f32>(b1 + o));
        bv = f32x4.replace_lane(bv, 2, load<f32>(b2 + o));
        bv = f32x4.replace_lane(bv, 3, load<f32>(b3 + o));
        x = madd(v128.load32_splat(ar + o), bv, x);
        y = madd(v128.load32_splat(as + o), bv, y);
      }
      const bj: usize = bias ? bias + (<usize>j << 2) : 0;
      storeLanes(cr + (<usize>j << 2), x, nr, accumulate, bj);
      if (two) storeLanes(cr + ldc + (<usize>j << 2), y, nr, accumulate, bj);
    }
  }
}

/** Four consecutive floats of one op(A) column at ap, only the first `rows` (the rest 0). */
@inline function loadRows(ap: usize, rows: i32): v128 {
  if (rows == 4) return v128.load(ap);
  if (rows <= 0) return f32x4.splat(0);
  let v = f32x4.replace_lane(f32x4.splat(0), 0, load<f32>(ap));
  if (rows > 1) v = f32x4.replace_lane(v, 1, load<f32>(ap, 4));
  if (rows > 2) v = f32x4.replace_lane(v, 2, load<f32>(ap, 8));
  return v;
}

/** Stores nr (≤ 4) columns of up to 4 rows from four column accumulators (lane r = row r). */
@inline function storeColumns(x0: v128, x1: v128, x2: v128, x3: v128, c: usize, ldc: usize, rows: i32, nr: i32, loadC: bool, bias: usize): void {
  const t0 = i32x4.shuffle(x0, x1, 0, 4, 1, 5), t1 = i32x4.shuffle(x0, x1, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(x2, x3, 0, 4, 1, 5), t3 = i32x4.shuffle(x2, x3, 2, 6, 3, 7);
  storeRow4(c, i32x4.shuffle(t0, t2, 0, 1, 4, 5), nr, loadC, bias);
  if (rows > 1) storeRow4(c + ldc, i32x4.shuffle(t0, t2, 2, 3, 6, 7), nr, loadC, bias);
  if (rows > 2) storeRow4(c + 2 * ldc, i32x4.shuffle(t1, t3, 0, 1, 4, 5), nr, loadC, bias);
  if (rows > 3) storeRow4(c + 3 * ldc, i32x4.shuffle(t1, t3, 2, 3, 6, 7), nr, loadC, bias);
}

/**
 * TN with a narrow B (n ≤ 12, the 10-unit layer's weight gradient): B is copied into rows of 12
 * (zero-padded) in scratch, then 4 rows of C at a time keep one accumulator per column, with
 * lane r = row r. op(A)'s 4 rows are contiguous at each k, so nothing else is packed. Same
 * per-element operation sequence as the packed kernels.
 */
function narrowTN(m: i32, n: i32, k: i32, a: usize, ldaB: usize, b: usize, ldbB: usize, c: usize, ldcB: usize, accumulate: bool, bias: usize, scratch: usize): void {
  for (let p = 0; p < k; p++) {
    const src = b + <usize>p * ldbB, dst = scratch + <usize>p * 48;
    v128.store(dst, i32x4.splat(0), 32);
    if (n >= 4) v128.store(dst, v128.load(src)); else v128.store(dst, i32x4.splat(0));
    if (n >= 8) v128.store(dst, v128.load(src, 16), 16); else v128.store(dst, i32x4.splat(0), 16);
    for (let j = min(n & ~3, 8); j < n; j++) store<f32>(dst + (<usize>j << 2), load<f32>(src + (<usize>j << 2)));
  }
  // Groups of 4 columns as 8 rows × 4 column accumulators (lane r = row r); with n = 9..10,
  // columns 8, 9 as 16 rows × 2 below (no padded columns).
  const nGroups = n <= 8 || n > 10 ? n : 8;
  for (let j0 = 0; j0 < nGroups; j0 += 4) {
    const nr = min(4, n - j0);
    for (let i = 0; i < m; i += 8) {
      const rows = min(4, m - i), rows2 = max(0, min(4, m - i - 4));
      const cr = c + <usize>i * ldcB + (<usize>j0 << 2);
      for (let pc = 0; pc < k; pc += KC) {
        const kc = min(KC, k - pc);
        const loadC = accumulate || pc > 0;
        const bs: usize = pc == 0 && bias ? bias + (<usize>j0 << 2) : 0;
        let x0 = f32x4.splat(0), x1 = f32x4.splat(0), x2 = f32x4.splat(0), x3 = f32x4.splat(0);
        let y0 = f32x4.splat(0), y1 = f32x4.splat(0), y2 = f32x4.splat(0), y3 = f32x4.splat(0);
        let ap = a + <usize>pc * ldaB + (<usize>i << 2), bp = scratch + <usize>pc * 48 + (<usize>j0 << 2);
        const bEnd = bp + <usize>kc * 48;
        if (rows2 == 4) {
          for (; bp < bEnd; bp += 48, ap += ldaB) {
            const av = v128.load(ap), aw = v128.load(ap, 16);
            let bv = v128.load32_splat(bp, 0); x0 = madd(av, bv, x0); y0 = madd(aw, bv, y0);
            bv = v128.load32_splat(bp, 4); x1 = madd(av, bv, x1); y1 = madd(aw, bv, y1);
            bv = v128.load32_splat(bp, 8); x2 = madd(av, bv, x2); y2 = madd(aw, bv, y2);
            bv = v128.load32_splat(bp, 12); x3 = madd(av, bv, x3); y3 = madd(aw, bv, y3);
          }
        } else {
          for (; bp < bEnd; bp += 48, ap += ldaB) {
            const av = loadRows(ap, rows), aw = loadRows(ap + 16, rows2);
            let bv = v128.load32_splat(bp, 0); x0 = madd(av, bv, x0); y0 = madd(aw, bv, y0);
            bv = v128.load32_splat(bp, 4); x1 = madd(av, bv, x1); y1 = madd(aw, bv, y1);
            bv = v128.load32_splat(bp, 8); x2 = madd(av, bv, x2); y2 = madd(aw, bv, y2);
            bv = v128.load32_splat(bp, 12); x3 = madd(av, bv, x3); y3 = madd(aw, bv, y3);
          }
        }
        storeColumns(x0, x1, x2, x3, cr, ldcB, rows, nr, loadC, bs);
        if (rows2 > 0) storeColumns(y0, y1, y2, y3, cr + 4 * ldcB, ldcB, rows2, nr, loadC, bs);
      }
    }
  }
  if (n <= 8 || n > 10) return;
  {
    // Columns 8, 9: 16 rows × 2 columns (lane r = row r), eight accumulators, no padded columns.
    for (let i = 0; i < m; i += 16) {
      const r0 = min(4, m - i), r1 = max(0, min(4, m - i - 4)), r2 = max(0, min(4, m - i - 8)), r3 = max(0, min(4, m - i - 12));
      const cr = c + <usize>i * ldcB + 32;
      for (let pc = 0; pc < k; pc += KC) {
        const kc = min(KC, k - pc);
        const loadC = accumulate || pc > 0;
        const bs: usize = pc == 0 && bias ? bias + 32 : 0;
        let x0 = f32x4.splat(0), x1 = f32x4.splat(0), y0 = f32x4.splat(0), y1 = f32x4.splat(0);
        let z0 = f32x4.splat(0), z1 = f32x4.splat(0), w0 = f32x4.splat(0), w1 = f32x4.splat(0);
        let ap = a + <usize>pc * ldaB + (<usize>i << 2), bp = scratch + <usize>pc * 48 + 32;
        const bEnd = bp + <usize>kc * 48;
        if (r3 == 4) {
          for (; bp < bEnd; bp += 48, ap += ldaB) {
            const u = v128.load32_splat(bp, 0), v = v128.load32_splat(bp, 4);
            let av = v128.load(ap); x0 = madd(av, u, x0); x1 = madd(av, v, x1);
            av = v128.load(ap, 16); y0 = madd(av, u, y0); y1 = madd(av, v, y1);
            av = v128.load(ap, 32); z0 = madd(av, u, z0); z1 = madd(av, v, z1);
            av = v128.load(ap, 48); w0 = madd(av, u, w0); w1 = madd(av, v, w1);
          }
        } else {
          for (; bp < bEnd; bp += 48, ap += ldaB) {
            const u = v128.load32_splat(bp, 0), v = v128.load32_splat(bp, 4);
            let av = loadRows(ap, r0); x0 = madd(av, u, x0); x1 = madd(av, v, x1);
            av = loadRows(ap + 16, r1); y0 = madd(av, u, y0); y1 = madd(av, v, y1);
            av = loadRows(ap + 32, r2); z0 = madd(av, u, z0); z1 = madd(av, v, z1);
            av = loadRows(ap + 48, r3); w0 = madd(av, u, w0); w1 = madd(av, v, w1);
          }
        }
        const zero = f32x4.splat(0);
        storeColumns(x0, x1, zero, zero, cr, ldcB, r0, n - 8, loadC, bs);
        if (r1 > 0) storeColumns(y0, y1, zero, zero, cr + 4 * ldcB, ldcB, r1, n - 8, loadC, bs);
        if (r2 > 0) storeColumns(z0, z1, zero, zero, cr + 8 * ldcB, ldcB, r2, n - 8, loadC, bs);
        if (r3 > 0) storeColumns(w0, w1, zero, zero, cr + 12 * ldcB, ldcB, r3, n - 8, loadC, bs);
      }
    }
  }
}

/**
 * NN with a narrow B (n ≤ 12, the 10-unit output layer): the dot path's per-element sums, with
 * Bᵀ packed in scratch as groups of 4 columns interleaved per 4 k (64 bytes per step, then one
 * 4-column vector per k of the k % 4 tail) so the loop addresses B with one pointer and
 * constant offsets. Unused columns of the last group are 0 and never stored.
 */
function narrowNN(m: i32, n: i32, k: i32, a: usize, lda: usize, b: usize, ldb: usize, c: usize, ldc: usize, accumulate: bool, bias: usize, scratch: usize): void {
  const k4 = k & ~3;
  const groupBytes = <usize>k << 4;
  const groups = (n + 3) >> 2;
  const full = n >> 2;
  // Full groups: 4×4 transposes of B rows (the k % 4 tail rows are already 4-column vectors).
  for (let g = 0; g < full; g++) {
    const src = b + (<usize>g << 4), dst = scratch + <usize>g * groupBytes;
    let p = 0;
    for (; p < k4; p += 4) {
      const s0 = src + <usize>p * ldb;
      storeTransposed4(v128.load(s0), v128.load(s0 + ldb), v128.load(s0 + 2 * ldb), v128.load(s0 + 3 * ldb), dst + (<usize>p << 4), 16);
    }
    for (; p < k; p++) v128.store(dst + (<usize>p << 4), v128.load(src + <usize>p * ldb));
  }
  if (full < groups) memory.fill(scratch + <usize>full * groupBytes, 0, groupBytes);
  for (let j = full << 2; j < n; j++) {
    let src = b + (<usize>j << 2);
    const g = scratch + <usize>(j >> 2) * groupBytes + (<usize>(j & 3) << 4);
    let p = 0;
    for (; p < k4; p++, src += ldb) store<f32>(g + (<usize>(p >> 2) << 6) + (<usize>(p & 3) << 2), load<f32>(src));
    for (; p < k; p++, src += ldb) store<f32>(g - (<usize>(j & 3) << 4) + (<usize>k4 << 4) + (<usize>(p - k4) << 4) + (<usize>(j & 3) << 2), load<f32>(src));
  }
  const kEnd = <usize>k4 << 2;
  // A last group of 1 or 2 columns runs as 4 rows × 2 columns below (no padded work).
  const nMain = (n & 3) == 1 || (n & 3) == 2 ? n & ~3 : n;
  for (let i = 0; i < m; i += 2) {
    const two = i + 1 < m;
    const ar = a + <usize>i * lda, as = two ? ar + lda : ar;
    const cr = c + <usize>i * ldc;
    for (let j = 0; j < nMain; j += 4) {
      const nr = min(4, n - j);
      let bp = scratch + <usize>(j >> 2) * groupBytes;
      const bEnd = bp + (kEnd << 2);
      let x0 = f32x4.splat(0), x1 = f32x4.splat(0), x2 = f32x4.splat(0), x3 = f32x4.splat(0);
      let y0 = f32x4.splat(0), y1 = f32x4.splat(0), y2 = f32x4.splat(0), y3 = f32x4.splat(0);
      let pa = ar, pb = as;
      for (; bp < bEnd; bp += 64, pa += 16, pb += 16) {
        const av = v128.load(pa), aw = v128.load(pb);
        let bv = v128.load(bp); x0 = madd(av, bv, x0); y0 = madd(aw, bv, y0);
        bv = v128.load(bp, 16); x1 = madd(av, bv, x1); y1 = madd(aw, bv, y1);
        bv = v128.load(bp, 32); x2 = madd(av, bv, x2); y2 = madd(aw, bv, y2);
        bv = v128.load(bp, 48); x3 = madd(av, bv, x3); y3 = madd(aw, bv, y3);
      }
      let x = reduce4(x0, x1, x2, x3), y = reduce4(y0, y1, y2, y3);
      for (let o = kEnd; o < <usize>k << 2; o += 4, bp += 16) {
        const bv = v128.load(bp);
        x = madd(v128.load32_splat(ar + o), bv, x);
        y = madd(v128.load32_splat(as + o), bv, y);
      }
      const bj: usize = bias ? bias + (<usize>j << 2) : 0;
      if (nr == 4) {
        storeV(cr + (<usize>j << 2), x, accumulate, bj);
        if (two) storeV(cr + ldc + (<usize>j << 2), y, accumulate, bj);
      } else {
        storeLanes(cr + (<usize>j << 2), x, nr, accumulate, bj);
        if (two) storeLanes(cr + ldc + (<usize>j << 2), y, nr, accumulate, bj);
      }
    }
  }
  if (nMain == n) return;
  const nr = n - nMain;
  const bg = scratch + <usize>(nMain >> 2) * groupBytes;
  const bj: usize = bias ? bias + (<usize>nMain << 2) : 0;
  for (let i = 0; i < m; i += 4) {
    const rows = min(4, m - i);
    const a0 = a + <usize>i * lda, a1 = rows > 1 ? a0 + lda : a0, a2 = rows > 2 ? a1 + lda : a1, a3 = rows > 3 ? a2 + lda : a2;
    const cr = c + <usize>i * ldc + (<usize>nMain << 2);
    let p00 = f32x4.splat(0), p01 = f32x4.splat(0), p10 = f32x4.splat(0), p11 = f32x4.splat(0);
    let p20 = f32x4.splat(0), p21 = f32x4.splat(0), p30 = f32x4.splat(0), p31 = f32x4.splat(0);
    let bp = bg;
    for (let o: usize = 0; o < kEnd; o += 16, bp += 64) {
      const u = v128.load(bp), v = v128.load(bp, 16);
      let av = v128.load(a0 + o); p00 = madd(av, u, p00); p01 = madd(av, v, p01);
      av = v128.load(a1 + o); p10 = madd(av, u, p10); p11 = madd(av, v, p11);
      av = v128.load(a2 + o); p20 = madd(av, u, p20); p21 = madd(av, v, p21);
      av = v128.load(a3 + o); p30 = madd(av, u, p30); p31 = madd(av, v, p31);
    }
    // Lanes: (row 0, col 0), (row 0, col 1), (row 1, col 0), (row 1, col 1); same for rows 2, 3.
    let x = reduce4(p00, p01, p10, p11), y = reduce4(p20, p21, p30, p31);
    for (let o = kEnd; o < <usize>k << 2; o += 4, bp += 16) {
      const bv = v128.load(bp);
      const bb = i32x4.shuffle(bv, bv, 0, 1, 0, 1);
      x = madd(i32x4.shuffle(v128.load32_splat(a0 + o), v128.load32_splat(a1 + o), 0, 1, 4, 5), bb, x);
      y = madd(i32x4.shuffle(v128.load32_splat(a2 + o), v128.load32_splat(a3 + o), 0, 1, 4, 5), bb, y);
    }
    storeLanes(cr, x, nr, accumulate, bj);
    if (rows > 1) storeLanes(cr + ldc, i32x4.shuffle(x, x, 2, 3, 0, 1), nr, accumulate, bj);
    if (rows > 2) storeLanes(cr + 2 * ldc, y, nr, accumulate, bj);
    if (rows > 3) storeLanes(cr + 3 * ldc, i32x4.shuffle(y, y, 2, 3, 0, 1), nr, accumulate, bj);
  }
}

/** Largest n for which NN transposes B into scratch and takes the dot path (the 10-unit output layer). */
const DOT_NN_MAX_N = 12;

/**
 * Whether gemmSparse (sparse.ts) gives exactly gemm's result for this product: every path but
 * the dot path sums each element as one madd chain per KC block of k, which is the order the
 * sparse kernels keep. NT never takes a sparse operand; NN with n ≤ DOT_NN_MAX_N sums 4 lanes of k.
 */
export function gemmSparseExact(layout: i32, m: i32, n: i32, k: i32): bool {
  if (m <= 0 || n <= 0 || k <= 0) return false;
  if (layout == Layout.TN) return true;
  return layout == Layout.NN && (n > DOT_NN_MAX_N || 12 * k > KC * NC);
}

// ---- splitting one gemm across threads ------------------------------------------------------
// The rule lives here, beside the shape-based choices it must respect; the TypeScript pool
// (src/backend/wasm/index.ts) only asks it. A split must not change any result, so every block
// has to take the same path, with the same summation order per element, as the whole product:
// - m ≥ 8: blocks of rows in multiples of MR (every block keeps ≥ MR rows, so none falls into
//   the m ≤ 3 paths, and row tiles line up with the unsplit ones);
// - m ≤ 3: blocks of columns in multiples of SPLIT_COLUMNS (every block stays wider than
//   DOT_NN_MAX_N, so none becomes the narrow-n path, and column strips line up);
// - 4 ≤ m ≤ 7: not split (too few rows for two row blocks, too many for the column paths).
const SPLIT_MIN_ROWS = 2 * MR;
const SPLIT_COLUMNS = 4 * NR;

/**
 * Into how many blocks gemm of C[m×n] may be split for `threads` threads: a positive count =
 * blocks of rows, negative = blocks of columns, 1 = do not split. Block t starts at
 * gemmSplitStart(m or n, |parts|, t, parts > 0).
 */
export function gemmSplitParts(m: i32, n: i32, threads: i32): i32 {
  if (m >= SPLIT_MIN_ROWS) return max(1, min(threads, m / MR));
  if (m < MR) {
    const parts = min(threads, n / SPLIT_COLUMNS);
    return parts >= 2 ? -parts : 1;
  }
  return 1;
}

/** First row (byRows) or column of block t of `parts` over `total`; t = parts gives total. */
export function gemmSplitStart(total: i32, parts: i32, t: i32, byRows: bool): i32 {
  if (t >= parts) return total;
  const unit = byRows ? MR : SPLIT_COLUMNS;
  return <i32>Math.floor(<f64>total * <f64>t / <f64>parts / <f64>unit) * unit;
}

/**
 * C = op(A)·op(B) (+ C when accumulate) (+ bias[j] on every row when bias ≠ 0).
 * NN: A m×k, B k×n. TN: A stored k×m. NT: B stored n×k. lda, ldb, ldc are the row strides (in
 * floats) of A, B and C as stored, so a block of a larger product can be computed in place.
 * `scratch` holds gemmScratchBytes().
 */
export function gemm(
  layout: i32, m: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32,
  accumulate: bool, bias: usize, scratch: usize,
): void {
  if (m <= 0 || n <= 0) return;
  const ldcB = <usize>ldc << 2, ldaB = <usize>lda << 2, ldbB = <usize>ldb << 2;
  if (k <= 0) {
    for (let i = 0; i < m; i++) {
      const cr = c + <usize>i * ldcB;
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
  const rs: usize = aTransposed ? 4 : ldaB;
  const ps: usize = aTransposed ? ldaB : 4;
  if (layout == Layout.NT) {
    if (m <= 3) { dotPath(m, n, k, a, ldaB, b, ldbB, c, ldcB, accumulate, bias); return; }
  } else if (!aTransposed && n <= DOT_NN_MAX_N && 12 * k <= KC * NC) {
    // Narrow B (the 10-unit output layer): Bᵀ is tiny, and A need not be packed at all. Chosen
    // by n alone, for every m, so a row's result does not depend on the batch it came in.
    narrowNN(m, n, k, a, ldaB, b, ldbB, c, ldcB, accumulate, bias, scratch);
    return;
  } else if (aTransposed && k <= 4) {
    outerTN(m, n, k, a, ps, b, ldbB, c, ldcB, accumulate, bias);
    return;
  } else if (m <= 3) {
    // Vector·matrix (batch 1..3): packing costs more than it saves.
    let i = 0;
    for (; i + 2 <= m; i += 2) streamRow2(n, k, a + <usize>i * rs, rs, ps, b, ldbB, c + <usize>i * ldcB, ldcB, accumulate, bias);
    if (i < m) streamRow1(n, k, a + <usize>i * rs, ps, b, ldbB, c + <usize>i * ldcB, accumulate, bias, scratch);
    return;
  } else if (aTransposed && n <= 12 && k * 12 <= KC * NC) {
    narrowTN(m, n, k, a, ldaB, b, ldbB, c, ldcB, accumulate, bias, scratch);
    return;
  }
  const bPanel = scratch;
  const aPanel = scratch + <usize>(KC * NC) * 4;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packB(layout == Layout.NT, b, ldbB, pc, jc, kc, nc, bPanel);
      const loadC = accumulate || pc > 0;
      const biasHere: usize = pc == 0 ? bias : 0;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA(a, rs, ps, ic, pc, mc, kc, aPanel);
        if (kc <= 16) {
          // Shallow k (e.g. the input gradient of the 10-unit layer): C traffic dominates, so
          // walk C row band by row band (whole lines) instead of strip by strip.
          const nFull = nc & ~(NR - 1);
          for (let ir = 0; ir < mc; ir += MR) {
            const ap = aPanel + <usize>(ir * kc) * 4;
            const cr = c + <usize>(ic + ir) * ldcB;
            const mr = min(MR, mc - ir);
            for (let jr = 0; jr < nFull; jr += NR) {
              const j = jc + jr;
              kernel4x8(kc, ap, bPanel + <usize>(jr * kc) * 4, cr + (<usize>j << 2), ldcB, mr, NR, loadC, biasHere ? biasHere + (<usize>j << 2) : 0);
            }
            if (nFull < nc && nc - nFull > 4) {
              const j = jc + nFull;
              kernel4x8(kc, ap, bPanel + <usize>(nFull * kc) * 4, cr + (<usize>j << 2), ldcB, mr, nc - nFull, loadC, biasHere ? biasHere + (<usize>j << 2) : 0);
            }
          }
          if (nFull < nc && nc - nFull <= 4) {
            const nr = nc - nFull, j = jc + nFull;
            const bp = bPanel + <usize>(nFull * kc) * 4;
            for (let ir = 0; ir < mc; ir += 2 * MR) {
              const ap = aPanel + <usize>(ir * kc) * 4;
              const ap1 = ir + MR < mc ? ap + <usize>(MR * kc) * 4 : ap;
              kernel8x4(kc, ap, ap1, bp, c + <usize>(ic + ir) * ldcB + (<usize>j << 2), ldcB, min(2 * MR, mc - ir), nr, loadC, biasHere ? biasHere + (<usize>j << 2) : 0);
            }
          }
          continue;
        }
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const bp = bPanel + <usize>(jr * kc) * 4;
          const j = jc + jr;
          const biasJ: usize = biasHere ? biasHere + (<usize>j << 2) : 0;
          if (nr <= 4) {
            for (let ir = 0; ir < mc; ir += 2 * MR) {
              const ap = aPanel + <usize>(ir * kc) * 4;
              const ap1 = ir + MR < mc ? ap + <usize>(MR * kc) * 4 : ap;
              kernel8x4(kc, ap, ap1, bp, c + <usize>(ic + ir) * ldcB + (<usize>j << 2), ldcB, min(2 * MR, mc - ir), nr, loadC, biasJ);
            }
          } else {
            for (let ir = 0; ir < mc; ir += MR) {
              const ap = aPanel + <usize>(ir * kc) * 4;
              kernel4x8(kc, ap, bp, c + <usize>(ic + ir) * ldcB + (<usize>j << 2), ldcB, min(MR, mc - ir), nr, loadC, biasJ);
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
