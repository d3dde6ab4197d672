// General matrix multiply C[m×n] = op(A)·op(B) (+ C) (+ bias) for the three layouts backprop
// uses. GotoBLAS-style: B is packed, a KC×NC block at a time, into zero-padded strips of NR
// columns in a scratch area the caller owns (`gemmScratchBytes()` bytes, 16-byte aligned);
// a register-tiled MR×NR micro-kernel then streams A directly (row-major or transposed,
// by strides) against one packed strip that stays in L1.
import { Layout } from './codes';
import { madd } from './math';

const MR = 4; // rows per micro-tile
const NR = 8; // columns per micro-tile (two v128)
const KC = 256; // depth of a packed block
const NC = 512; // columns of a packed block (multiple of NR)
const MC = 128; // rows of A swept per packed strip (A block of MC×KC stays in L2)

/** Bytes of scratch `gemm` needs. */
export function gemmScratchBytes(): i32 {
  return KC * NC * 4;
}

// Staging for partial tiles (static data, not an allocation).
const tile: usize = memory.data(32, 16);

/**
 * Packs B[pc.., jc..] (kc×nc, logical k×n) into strips of NR columns: strip s, row p is at
 * bp + (s·kc + p)·NR·4. Columns past n are zero so the micro-kernel never needs a tail.
 * `transposed` = B stored n×k (layout NT).
 */
function packB(transposed: bool, b: usize, n: i32, k: i32, pc: i32, jc: i32, kc: i32, nc: i32, bp: usize): void {
  const strips = (nc + NR - 1) / NR;
  for (let s = 0; s < strips; s++) {
    const j0 = jc + s * NR;
    const nv = min(NR, jc + nc - j0);
    let dst = bp + <usize>(s * kc) * (NR << 2);
    if (!transposed) {
      let src = b + (<usize>pc * <usize>n + <usize>j0) * 4;
      const ldb = <usize>n << 2;
      if (nv == NR) {
        for (let p = 0; p < kc; p++, src += ldb, dst += NR << 2) {
          v128.store(dst, v128.load(src));
          v128.store(dst, v128.load(src, 16), 16);
        }
      } else {
        for (let p = 0; p < kc; p++, src += ldb, dst += NR << 2) {
          v128.store(dst, i32x4.splat(0));
          v128.store(dst, i32x4.splat(0), 16);
          for (let jj = 0; jj < nv; jj++) store<f32>(dst + (<usize>jj << 2), load<f32>(src + (<usize>jj << 2)));
        }
      }
    } else {
      // B is n×k: column j of op(B) is row j of B, contiguous in p.
      if (nv < NR) memory.fill(dst, 0, <usize>kc * (NR << 2));
      for (let jj = 0; jj < nv; jj++) {
        let src = b + (<usize>(j0 + jj) * <usize>k + <usize>pc) * 4;
        let d = dst + (<usize>jj << 2);
        for (let p = 0; p < kc; p++, src += 4, d += NR << 2) store<f32>(d, load<f32>(src));
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

/**
 * MR×NR micro-kernel: rows of op(A) start at a, a+rs, a+2rs, a+3rs and step by ps per k;
 * bp is one packed strip. Only the first mr rows / nr columns are stored (extra rows re-read
 * the last valid row, so every load stays inside A).
 */
function kernel4x8(kc: i32, a: usize, rs: usize, ps: usize, bp: usize, c: usize, ldc: usize, mr: i32, nr: i32, loadC: bool, bias: usize): void {
  const a0 = a;
  const a1 = mr > 1 ? a0 + rs : a0;
  const a2 = mr > 2 ? a1 + rs : a1;
  const a3 = mr > 3 ? a2 + rs : a2;
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let ao: usize = 0;
  let bo = bp;
  const bEnd = bp + (<usize>kc << 5);
  while (bo < bEnd) {
    const b0 = v128.load(bo), b1 = v128.load(bo, 16);
    let av = v128.load32_splat(a0 + ao);
    c00 = madd(av, b0, c00); c01 = madd(av, b1, c01);
    av = v128.load32_splat(a1 + ao);
    c10 = madd(av, b0, c10); c11 = madd(av, b1, c11);
    av = v128.load32_splat(a2 + ao);
    c20 = madd(av, b0, c20); c21 = madd(av, b1, c21);
    av = v128.load32_splat(a3 + ao);
    c30 = madd(av, b0, c30); c31 = madd(av, b1, c31);
    ao += ps;
    bo += 32;
  }
  storeRow(c, c00, c01, nr, loadC, bias);
  if (mr > 1) storeRow(c + ldc, c10, c11, nr, loadC, bias);
  if (mr > 2) storeRow(c + 2 * ldc, c20, c21, nr, loadC, bias);
  if (mr > 3) storeRow(c + 3 * ldc, c30, c31, nr, loadC, bias);
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
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packB(layout == Layout.NT, b, n, k, pc, jc, kc, nc, scratch);
      const loadC = accumulate || pc > 0;
      const biasHere: usize = pc == 0 ? bias : 0;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const bp = scratch + <usize>(jr * kc) * 4;
          const j = jc + jr;
          const biasJ: usize = biasHere ? biasHere + (<usize>j << 2) : 0;
          for (let ir = 0; ir < mc; ir += MR) {
            const i = ic + ir;
            const aTile = a + <usize>i * rs + <usize>pc * ps;
            kernel4x8(kc, aTile, rs, ps, bp, c + <usize>i * ldc + (<usize>j << 2), ldc, min(MR, mc - ir), nr, loadC, biasJ);
          }
        }
      }
    }
  }
}
