/**
 * Sparse batches: `sparsify` writes the block the contract describes (sparseBlockBytes in
 * ../contract.ts); `gemmSparse` is, by the contract's definition, gemm on the dense batch the
 * block names — which is what this reference backend runs. Indices are element indices.
 */
import type { Layout } from '../contract.js';
import { gemm } from './gemm.js';

/** Compress the rows×cols batch at x into the block at `out`; the non-zero count, or −1 past maxNonZeros. */
export function sparsify(f: Float32Array, ints: Int32Array, rows: number, cols: number, x: number, maxNonZeros: number, out: number): number {
  ints[out] = rows;
  ints[out + 1] = cols;
  ints[out + 2] = -1;
  ints[out + 3] = x * 4;
  const rowStart = out + 4, colStart = rowStart + rows + 1, byRow = colStart + cols + 1;
  let nnz = 0;
  for (let r = 0; r < rows; r++) {
    ints[rowStart + r] = nnz;
    for (let c = 0; c < cols; c++) {
      const v = f[x + r * cols + c]!;
      if (v === 0) continue;
      if (nnz === maxNonZeros) return -1;
      ints[byRow + 2 * nnz] = c;
      f[byRow + 2 * nnz + 1] = v;
      nnz++;
    }
  }
  ints[rowStart + rows] = nnz;
  ints[out + 2] = nnz;
  // By column, rows increasing: count the entries of each column, prefix-sum the counts, place
  // the entries row by row (each column's start advancing as its cursor), then shift the starts
  // back by one column (no scratch array: a step allocates nothing).
  const byCol = byRow + 2 * nnz;
  ints.fill(0, colStart, colStart + cols + 1);
  for (let e = 0; e < nnz; e++) ints[colStart + ints[byRow + 2 * e]! + 1]++;
  for (let c = 0; c < cols; c++) ints[colStart + c + 1] += ints[colStart + c]!;
  for (let r = 0; r < rows; r++) {
    for (let e = ints[rowStart + r]!; e < ints[rowStart + r + 1]!; e++) {
      const at = ints[colStart + ints[byRow + 2 * e]!]!++;
      ints[byCol + 2 * at] = r;
      f[byCol + 2 * at + 1] = f[byRow + 2 * e + 1]!;
    }
  }
  ints.copyWithin(colStart + 1, colStart, colStart + cols);
  ints[colStart] = 0;
  return nnz;
}

/** gemm with the dense batch the sparse block at `sp` names as A. */
export function gemmSparse(
  f: Float32Array, ints: Int32Array, layout: Layout, m: number, n: number, k: number,
  sp: number, b: number, c: number, accumulate: boolean, bias: number,
): void {
  if (layout !== 0 && layout !== 1) throw new Error(`gemmSparse: layout must be Layout.NN or Layout.TN, got ${String(layout)}`);
  gemm(f, layout, m, n, k, ints[sp + 3]! >>> 2, b, c, accumulate, bias);
}
