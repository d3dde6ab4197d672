/**
 * Matrix multiply.
 *
 * One register-tiled kernel serves all three layouts: each layout is just a pair of strides per
 * operand (how far to step for the next row of C and for the next k), so the 4×4 micro-kernel
 * below reads A(i, p) = A[a + i·aI + p·aP] and B(p, j) = B[b + p·bP + j·bJ].
 */
import { Layout } from '../contract.js';

/**
 * C[m×n] = op(A)·op(B) (+ C when `accumulate`) (+ bias[j] on every row when bias ≠ 0).
 * All indices are Float32Array element indices. Storage per layout (row-major):
 * - NN: A is m×k, B is k×n
 * - TN: A is k×m (C = Aᵀ·B), B is k×n
 * - NT: A is m×k, B is n×k (C = A·Bᵀ)
 * k = 0 leaves C = bias (or C + bias with accumulate). Sums are carried in f64 locals.
 */
export function gemm(
  f: Float32Array, layout: Layout, m: number, n: number, k: number,
  a: number, b: number, c: number, accumulate: boolean, bias: number,
): void {
  let aI: number, aP: number, bP: number, bJ: number;
  switch (layout) {
    case Layout.NN: aI = k; aP = 1; bP = n; bJ = 1; break;
    case Layout.TN: aI = 1; aP = m; bP = n; bJ = 1; break;
    case Layout.NT: aI = k; aP = 1; bP = 1; bJ = k; break;
    default: throw new Error(`gemm: unknown layout ${String(layout)}: expected Layout.NN, TN or NT`);
  }
  const m4 = m - (m % 4);
  const n4 = n - (n % 4);

  // Columns in blocks of 4 outside, rows inside: the 4-column panel of B stays in cache while
  // every 4-row strip of A streams past it.
  for (let j = 0; j < n4; j += 4) {
    const b0 = bias === 0 ? 0 : f[bias + j]!;
    const b1 = bias === 0 ? 0 : f[bias + j + 1]!;
    const b2 = bias === 0 ? 0 : f[bias + j + 2]!;
    const b3 = bias === 0 ? 0 : f[bias + j + 3]!;
    for (let i = 0; i < m4; i += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
      let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
      let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      let pa = a + i * aI;
      let pb = b + j * bJ;
      for (let p = 0; p < k; p++) {
        const a0 = f[pa]!, a1 = f[pa + aI]!, a2 = f[pa + 2 * aI]!, a3 = f[pa + 3 * aI]!;
        const v0 = f[pb]!, v1 = f[pb + bJ]!, v2 = f[pb + 2 * bJ]!, v3 = f[pb + 3 * bJ]!;
        c00 += a0 * v0; c01 += a0 * v1; c02 += a0 * v2; c03 += a0 * v3;
        c10 += a1 * v0; c11 += a1 * v1; c12 += a1 * v2; c13 += a1 * v3;
        c20 += a2 * v0; c21 += a2 * v1; c22 += a2 * v2; c23 += a2 * v3;
        c30 += a3 * v0; c31 += a3 * v1; c32 += a3 * v2; c33 += a3 * v3;
        pa += aP;
        pb += bP;
      }
      let o = c + i * n + j;
      if (accumulate) {
        f[o] += c00 + b0; f[o + 1] += c01 + b1; f[o + 2] += c02 + b2; f[o + 3] += c03 + b3; o += n;
        f[o] += c10 + b0; f[o + 1] += c11 + b1; f[o + 2] += c12 + b2; f[o + 3] += c13 + b3; o += n;
        f[o] += c20 + b0; f[o + 1] += c21 + b1; f[o + 2] += c22 + b2; f[o + 3] += c23 + b3; o += n;
        f[o] += c30 + b0; f[o + 1] += c31 + b1; f[o + 2] += c32 + b2; f[o + 3] += c33 + b3;
      } else {
        f[o] = c00 + b0; f[o + 1] = c01 + b1; f[o + 2] = c02 + b2; f[o + 3] = c03 + b3; o += n;
        f[o] = c10 + b0; f[o + 1] = c11 + b1; f[o + 2] = c12 + b2; f[o + 3] = c13 + b3; o += n;
        f[o] = c20 + b0; f[o + 1] = c21 + b1; f[o + 2] = c22 + b2; f[o + 3] = c23 + b3; o += n;
        f[o] = c30 + b0; f[o + 1] = c31 + b1; f[o + 2] = c32 + b2; f[o + 3] = c33 + b3;
      }
    }
  }
  // Edges: the last n % 4 columns of every row, then the last m % 4 rows of the first n4 columns.
  if (n4 < n) gemmEdge(f, 0, m, n4, n, n, k, a, aI, aP, b, bP, bJ, c, accumulate, bias);
  if (m4 < m) gemmEdge(f, m4, m, 0, n4, n, k, a, aI, aP, b, bP, bJ, c, accumulate, bias);
}

/** Plain dot products for C[i0..i1) × [j0..j1) — the ragged edges the 4×4 tiles leave. */
function gemmEdge(
  f: Float32Array, i0: number, i1: number, j0: number, j1: number, n: number, k: number,
  a: number, aI: number, aP: number, b: number, bP: number, bJ: number,
  c: number, accumulate: boolean, bias: number,
): void {
  for (let i = i0; i < i1; i++) {
    for (let j = j0; j < j1; j++) {
      let sum = bias === 0 ? 0 : f[bias + j]!;
      let pa = a + i * aI;
      let pb = b + j * bJ;
      for (let p = 0; p < k; p++) { sum += f[pa]! * f[pb]!; pa += aP; pb += bP; }
      const o = c + i * n + j;
      f[o] = accumulate ? f[o]! + sum : sum;
    }
  }
}
