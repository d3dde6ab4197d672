/**
 * The kernel's rule for splitting one gemm across threads (assembly/gemm.ts, read by the wasm
 * backend's pool): blocks cover the product exactly once, row blocks are multiples of 4 rows
 * with at least 4 each, column blocks (only for m ≤ 3) are multiples of 32 columns, and shapes
 * between (4 ≤ m ≤ 7) or too small are not split. Bit-identity of split results is
 * test/threads.test.ts's job.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadKernels } from '../src/backend/wasm/index.js';
import type { Kernels } from '../src/backend/wasm/kernels.generated.js';

let k: Kernels;
beforeAll(async () => {
  k = await loadKernels('simd', new WebAssembly.Memory({ initial: 32 }));
});

function blocks(total: number, parts: number, byRows: boolean): number[] {
  const starts: number[] = [];
  for (let t = 0; t <= parts; t++) starts.push(k.gemmSplitStart(total, parts, t, byRows));
  return starts;
}

describe('gemm split rule', () => {
  it.each([[8, 2], [9, 2], [64, 2], [64, 4], [130, 3], [1000, 4], [13, 8], [100000, 7]])('m=%i rows over %i threads: row blocks of ≥ 4 rows, multiples of 4', (m, threads) => {
    const parts = k.gemmSplitParts(m, 50, threads);
    expect(parts).toBe(Math.min(threads, Math.floor(m / 4)));
    const s = blocks(m, parts, true);
    expect(s[0]).toBe(0);
    expect(s.at(-1)).toBe(m);
    for (let t = 0; t < parts; t++) {
      expect(s[t + 1]! - s[t]!).toBeGreaterThanOrEqual(4);
      if (t > 0) expect(s[t]! % 4).toBe(0);
    }
  });

  it.each([[1, 64, 2], [3, 100, 2], [2, 1000, 4], [1, 95, 3]])('m=%i, n=%i over %i threads: column blocks, multiples of 32 and wider than the narrow path', (m, n, threads) => {
    const parts = k.gemmSplitParts(m, n, threads);
    expect(parts).toBe(-Math.min(threads, Math.floor(n / 32)));
    const s = blocks(n, -parts, false);
    expect(s[0]).toBe(0);
    expect(s.at(-1)).toBe(n);
    for (let t = 0; t < -parts; t++) {
      expect(s[t + 1]! - s[t]!).toBeGreaterThan(12);
      if (t > 0) expect(s[t]! % 32).toBe(0);
    }
  });

  it.each([[4, 1000], [7, 1000], [3, 63], [1, 10], [8, 1000, 1]])('m=%i, n=%i is not split', (m, n, threads = 4) => {
    expect(k.gemmSplitParts(m, n, threads)).toBe(1);
  });
});
