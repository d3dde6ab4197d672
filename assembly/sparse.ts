// Sparse inputs. A batch that is mostly exact zeros (MNIST pixels, bag-of-words, one-hot
// columns) is compressed once per step by `sparsify` into lists of its non-zeros, by row and by
// column; `gemmSparse` then runs the first layer's forward product (NN: C = X·W) and its weight
// gradient (TN: C = Xᵀ·dZ) over those only.
//
// Same results as gemm, bit for bit (where gemmSparseExact says so): gemm sums each element of
// C as one madd chain from 0 over each KC block of k, in k order, then adds C, then the bias.
// The kernels below keep that chain and only drop the terms whose x is zero; such a term adds
// an exact ±0 to the running sum, which changes nothing (a sum that starts at +0 stays +0 when
// ±0 is added). Only non-finite B values differ (0·∞ would be NaN), and a step refuses those.
//
// Block layout (byte offsets from its start; i32 unless said):
//   0: rows, 4: cols, 8: nnz, 12: the dense batch's byte offset
//   16: rowStart[rows + 1]   row r's entries are rowStart[r] .. rowStart[r + 1] of byRow
//   then colStart[cols + 1]  column c's entries are colStart[c] .. colStart[c + 1] of byCol
//   then byRow[nnz]          (column i32, value f32) pairs, row by row, columns increasing
//   then byCol[nnz]          (row i32, value f32) pairs, column by column, rows increasing
import { Layout } from './codes';
import { KC } from './gemm';
import { madd } from './math';

@inline function rowStartAt(sp: usize): usize { return sp + 16; }
@inline function colStartAt(sp: usize, rows: i32): usize { return sp + 16 + (<usize>(rows + 1) << 2); }
@inline function byRowAt(sp: usize, rows: i32, cols: i32): usize { return colStartAt(sp, rows) + (<usize>(cols + 1) << 2); }

/**
 * Scans rows [from, to) of the batch at x (cols floats each) into (column i32, value f32) pairs
 * at `entries`, counting each pair's column in colCounts[column] (i32s): rowStart[r] = the pairs
 * before row r, counted from `from`. Returns the pair count, or −1 as soon as it passes `cap`.
 */
function scanRows(cols: i32, x: usize, from: i32, to: i32, rowStart: usize, entries: usize, cap: i32, colCounts: usize): i32 {
  const rowBytes = <usize>cols << 2, vEnd = <usize>(cols & ~3) << 2;
  const zero = f32x4.splat(0);
  let nnz = 0;
  for (let r = from; r < to; r++) {
    store<i32>(rowStart + (<usize>r << 2), nnz);
    const xr = x + <usize>r * rowBytes;
    let o: usize = 0;
    for (; o < vEnd; o += 16) {
      let bits = i32x4.bitmask(f32x4.ne(v128.load(xr + o), zero));
      if (bits == 0) continue;
      if (nnz + <i32>popcnt(bits) > cap) return -1;
      const c = <i32>(o >> 2);
      do {
        const lane = ctz(bits);
        bits &= bits - 1;
        const e = entries + (<usize>nnz << 3);
        store<i32>(e, c + lane);
        store<f32>(e, load<f32>(xr + o + (<usize>lane << 2)), 4);
        const p = colCounts + (<usize>(c + lane) << 2);
        store<i32>(p, load<i32>(p) + 1);
        nnz++;
      } while (bits != 0);
    }
    for (; o < rowBytes; o += 4) {
      const v = load<f32>(xr + o);
      if (v == 0) continue;
      if (nnz + 1 > cap) return -1;
      const e = entries + (<usize>nnz << 3);
      store<i32>(e, <i32>(o >> 2));
      store<f32>(e, v, 4);
      const p = colCounts + (<usize>o);
      store<i32>(p, load<i32>(p) + 1);
      nnz++;
    }
  }
  return nnz;
}

/** The pairs of rows [from, to) into the by-column list, in row order: cursors[c] (i32s) is where column c's next pair goes, and advances. */
function scatterRows(rowStart: usize, byRow: usize, byCol: usize, from: i32, to: i32, cursors: usize): void {
  for (let r = from; r < to; r++) {
    const e1 = load<i32>(rowStart + (<usize>(r + 1) << 2));
    for (let e = load<i32>(rowStart + (<usize>r << 2)); e < e1; e++) {
      const src = byRow + (<usize>e << 3);
      const p = cursors + (<usize>load<i32>(src) << 2);
      const at = load<i32>(p);
      store<i32>(p, at + 1);
      const dst = byCol + (<usize>at << 3);
      store<i32>(dst, r);
      store<f32>(dst, load<f32>(src, 4), 4);
    }
  }
}

@inline function header(out: usize, rows: i32, cols: i32, nnz: i32, x: usize): void {
  store<i32>(out, rows);
  store<i32>(out, cols, 4);
  store<i32>(out, nnz, 8);
  store<i32>(out, <i32>x, 12);
}

/**
 * Compresses the rows×cols batch at x into the block at `out` (sparseBlockBytes(rows, cols,
 * maxNnz) bytes, src/backend/contract.ts). Returns the number of non-zeros, or −1 as soon as there are more than maxNnz (the
 * block is then incomplete): a dense batch costs a partial scan. −0 counts as zero; NaN does not.
 * Threads build the same block with sparsifyPart, sparsifyJoin and sparsifyScatter.
 */
export function sparsify(rows: i32, cols: i32, x: usize, maxNnz: i32, out: usize): i32 {
  header(out, rows, cols, -1, x);
  const rowStart = rowStartAt(out), colStart = colStartAt(out, rows), byRow = byRowAt(out, rows, cols);
  // Column counts land one place up (colStart[c + 1]) and become the starts by a prefix sum.
  memory.fill(colStart, 0, <usize>(cols + 1) << 2);
  const nnz = scanRows(cols, x, 0, rows, rowStart, byRow, maxNnz, colStart + 4);
  if (nnz < 0) return -1;
  store<i32>(rowStart + (<usize>rows << 2), nnz);
  store<i32>(out, nnz, 8);
  for (let c = 0; c < cols; c++) {
    const p = colStart + (<usize>(c + 1) << 2);
    store<i32>(p, load<i32>(p) + load<i32>(p - 4));
  }
  // The scatter advances each start by its column's count: shift them back by one column.
  scatterRows(rowStart, byRow, byRow + (<usize>nnz << 3), 0, rows, colStart);
  for (let c = cols; c > 0; c--) store<i32>(colStart + (<usize>c << 2), load<i32>(colStart + (<usize>(c - 1) << 2)));
  store<i32>(colStart, 0);
  return nnz;
}

/**
 * Threads, step 1 of 3: part `part` of `parts` scans rows [from, to) of the batch (as sparsify
 * does) into its staging place in the block at `out` and counts its pairs per column into
 * colCounts (cols i32s, its own). Returns its pair count, or −1 when it does not fit its
 * staging place (sparsifyJoin then says −1, and the caller runs sparsify, which decides).
 * Part 0 stages where its pairs end up; parts ≥ 1 share the upper half of the pair space.
 */
export function sparsifyPart(rows: i32, cols: i32, x: usize, maxNnz: i32, out: usize, part: i32, parts: i32, from: i32, to: i32, colCounts: usize): i32 {
  memory.fill(colCounts, 0, <usize>cols << 2);
  const lo = stageStart(maxNnz, part, parts), cap = stageStart(maxNnz, part + 1, parts) - lo;
  return scanRows(cols, x, from, to, rowStartAt(out), byRowAt(out, rows, cols) + (<usize>lo << 3), cap, colCounts);
}

/** First pair of part t's staging place: part 0 gets [0, maxNnz), the others equal shares of [maxNnz, 2·maxNnz) (the block holds 2·maxNnz pairs). */
function stageStart(maxNnz: i32, t: i32, parts: i32): i32 {
  if (t == 0) return 0;
  if (parts == 1) return maxNnz;
  return maxNnz + <i32>((<i64>maxNnz * <i64>(t - 1)) / <i64>(parts - 1));
}

/**
 * Threads, step 2 of 3 (one thread): joins the parts. `info` holds per part (i32s): its first
 * row, its pair count (sparsifyPart's result), its colCounts address. Moves the pairs into
 * place, makes the row starts global and the column starts, and turns each part's colCounts
 * into its cursors for sparsifyScatter. Returns the block's nnz, or −1 (a part did not fit, or
 * more than maxNnz non-zeros).
 */
export function sparsifyJoin(rows: i32, cols: i32, x: usize, maxNnz: i32, out: usize, parts: i32, info: usize): i32 {
  header(out, rows, cols, -1, x);
  let nnz = 0;
  for (let t = 0; t < parts; t++) {
    const count = load<i32>(info + <usize>(t * 12), 4);
    if (count < 0) return -1;
    nnz += count;
  }
  if (nnz > maxNnz) return -1;
  const rowStart = rowStartAt(out), colStart = colStartAt(out, rows), byRow = byRowAt(out, rows, cols);
  let at = 0;
  for (let t = 0; t < parts; t++) {
    const p = info + <usize>(t * 12);
    const from = load<i32>(p), count = load<i32>(p, 4), to = t + 1 < parts ? load<i32>(p, 12) : rows;
    const stage = stageStart(maxNnz, t, parts);
    // In part order, each part moves down (or stays): its place ends below the next part's stage.
    if (stage != at) memory.copy(byRow + (<usize>at << 3), byRow + (<usize>stage << 3), <usize>count << 3);
    if (at != 0) for (let r = from; r < to; r++) { const q = rowStart + (<usize>r << 2); store<i32>(q, load<i32>(q) + at); }
    at += count;
  }
  store<i32>(rowStart + (<usize>rows << 2), nnz);
  let sum = 0;
  for (let c = 0; c < cols; c++) {
    store<i32>(colStart + (<usize>c << 2), sum);
    for (let t = 0; t < parts; t++) {
      const q = <usize>load<i32>(info + <usize>(t * 12), 8) + (<usize>c << 2);
      const n = load<i32>(q);
      store<i32>(q, sum);
      sum += n;
    }
  }
  store<i32>(colStart + (<usize>cols << 2), nnz);
  store<i32>(out, nnz, 8);
  return nnz;
}

/** Threads, step 3 of 3: rows [from, to)'s pairs into the by-column list, with their part's cursors (from sparsifyJoin). */
export function sparsifyScatter(out: usize, from: i32, to: i32, cursors: usize): void {
  const rows = load<i32>(out), cols = load<i32>(out, 4), nnz = load<i32>(out, 8);
  const byRow = byRowAt(out, rows, cols);
  scatterRows(rowStartAt(out), byRow, byRow + (<usize>nnz << 3), from, to, cursors);
}

/** v (+ C when loadC) (+ bias) stored at cp: gemm's order. */
@inline function storeV(cp: usize, v: v128, loadC: bool, bias: usize): void {
  if (loadC) v = f32x4.add(v, v128.load(cp));
  if (bias) v = f32x4.add(v, v128.load(bias));
  v128.store(cp, v);
}

/** Lane 0 of v (+ C) (+ bias) stored at cp. */
@inline function storeS(cp: usize, v: v128, loadC: bool, bias: usize): void {
  let x = f32x4.extract_lane(v, 0);
  if (loadC) x += load<f32>(cp);
  if (bias) x += load<f32>(bias);
  store<f32>(cp, x);
}

/**
 * s[0, n) (+)= Σ of x·B[p, :] over the `count` (1 or 4) entries at `en`, in entry order, as one
 * madd chain per element: from 0 when `fromZero` (the chain's start; gemm adds to +0 the same way),
 * else from s. B rows lie 4·ldb bytes apart and are streamed whole: reading a few columns of many
 * of them at once would map them to the same few cache sets.
 */
@inline function sparsePass(s: usize, en: usize, count: i32, b: usize, ldb: usize, vEnd: usize, end: usize, fromZero: bool): void {
  const zero = f32x4.splat(0);
  const x0 = v128.load32_splat(en, 4);
  const w0 = b + <usize>load<i32>(en) * ldb;
  if (count == 1) {
    let o: usize = 0;
    for (; o < vEnd; o += 16) v128.store(s + o, madd(x0, v128.load(w0 + o), fromZero ? zero : v128.load(s + o)));
    for (; o < end; o += 4) store<f32>(s + o, f32x4.extract_lane(madd(x0, v128.load32_splat(w0 + o), fromZero ? zero : v128.load32_splat(s + o)), 0));
    return;
  }
  const x1 = v128.load32_splat(en, 12), x2 = v128.load32_splat(en, 20), x3 = v128.load32_splat(en, 28);
  const w1 = b + <usize>load<i32>(en, 8) * ldb, w2 = b + <usize>load<i32>(en, 16) * ldb, w3 = b + <usize>load<i32>(en, 24) * ldb;
  let o: usize = 0;
  for (; o < vEnd; o += 16) {
    const a = fromZero ? zero : v128.load(s + o);
    v128.store(s + o, madd(x3, v128.load(w3 + o), madd(x2, v128.load(w2 + o), madd(x1, v128.load(w1 + o), madd(x0, v128.load(w0 + o), a)))));
  }
  for (; o < end; o += 4) {
    const a = fromZero ? zero : v128.load32_splat(s + o);
    const v = madd(x3, v128.load32_splat(w3 + o), madd(x2, v128.load32_splat(w2 + o), madd(x1, v128.load32_splat(w1 + o), madd(x0, v128.load32_splat(w0 + o), a))));
    store<f32>(s + o, f32x4.extract_lane(v, 0));
  }
}

/**
 * One row of C (n floats at cr) = Σ over the entries [e0, e1) — (index p, value x) pairs at
 * `list`, p increasing — of x·B[p, :] (B row p at b + p·ldb), as gemm's chain: a sum from 0 per
 * KC block of p, then + C (accumulate, or after the first block), then + bias (first block).
 * The running sums live in a row of n floats (C itself when C is not read, else `acc`); the first
 * pass of a block writes them from 0 (a block without entries writes zeros), four entries per pass.
 * (Against zero-filling the row first: the TN product of 8 MNIST digits 63 → 55 µs.)
 */
function sparseRow(n: i32, k: i32, list: usize, e0: i32, e1: i32, b: usize, ldb: usize, cr: usize, accumulate: bool, bias: usize, acc: usize): void {
  const vEnd = <usize>(n & ~3) << 2, end = <usize>n << 2;
  for (let pc = 0, e = e0; pc < k; pc += KC) {
    const pEnd = pc + KC;
    let eEnd = e;
    while (eEnd < e1 && load<i32>(list + (<usize>eEnd << 3)) < pEnd) eEnd++;
    const loadC = accumulate || pc > 0;
    const bs: usize = pc == 0 ? bias : 0;
    const s = loadC ? acc : cr;
    let q = e;
    if (eEnd - q >= 4) {
      sparsePass(s, list + (<usize>q << 3), 4, b, ldb, vEnd, end, true);
      q += 4;
    } else if (eEnd > q) {
      sparsePass(s, list + (<usize>q << 3), 1, b, ldb, vEnd, end, true);
      q++;
    } else {
      memory.fill(s, 0, end);
    }
    for (; q + 4 <= eEnd; q += 4) sparsePass(s, list + (<usize>q << 3), 4, b, ldb, vEnd, end, false);
    for (; q < eEnd; q++) sparsePass(s, list + (<usize>q << 3), 1, b, ldb, vEnd, end, false);
    if (loadC || bs) {
      let o: usize = 0;
      for (; o < vEnd; o += 16) storeV(cr + o, v128.load(s + o), loadC, bs ? bs + o : 0);
      for (; o < end; o += 4) storeS(cr + o, v128.load32_splat(s + o), loadC, bs ? bs + o : 0);
    }
    e = eEnd;
  }
}

/**
 * gemm with the sparse block `sp` (from sparsify) as op(A), for rows [from, to) of C only, so a
 * caller may split C into row ranges (threads) without changing any result:
 * - NN: C[rows×n] = X·B (+ C) (+ bias), B cols×n with row stride ldb floats;
 * - TN: C[cols×n] = Xᵀ·B (+ C) (+ bias), B rows×n.
 * C's row stride is ldc floats; rows of C past the range are not touched. `scratch` holds n floats
 * (gemmScratchBytes() is plenty); threads need one each.
 */
export function gemmSparse(layout: i32, n: i32, sp: usize, from: i32, to: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: bool, bias: usize, scratch: usize): void {
  const rows = load<i32>(sp), cols = load<i32>(sp, 4);
  const byNN = layout == Layout.NN;
  const starts = byNN ? rowStartAt(sp) : colStartAt(sp, rows);
  const byRow = byRowAt(sp, rows, cols);
  const list = byNN ? byRow : byRow + (<usize>load<i32>(sp, 8) << 3);
  const k = byNN ? cols : rows;
  const ldbB = <usize>ldb << 2, ldcB = <usize>ldc << 2;
  for (let i = from; i < to; i++) {
    const e0 = load<i32>(starts + (<usize>i << 2)), e1 = load<i32>(starts + (<usize>(i + 1) << 2));
    sparseRow(n, k, list, e0, e1, b, ldbB, c + <usize>i * ldcB, accumulate, bias, scratch);
  }
}
