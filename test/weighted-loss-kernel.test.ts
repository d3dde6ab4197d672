/**
 * The loss kernel's `weights` argument on every backend, for every loss code (fused kinds
 * included) and widths that are not multiples of 4: with one weight per row, the loss is
 * Σ w_r·ℓ_r / rows, where ℓ_r is the kernel's own loss of row r alone, and gradient row r is
 * w_r times the unweighted gradient row (zero weights included).
 */
import { describe, expect, it } from 'vitest';
import { Loss } from '../src/backend/contract.js';
import { backendCases } from './helpers/backends.js';
import { Rng } from './helpers/random.js';

const codes = Object.entries(Loss) as [string, number][];

describe.each(backendCases())('weighted loss kernel ($name)', ({ create }) => {
  it('loss = Σ w·ℓ / rows and grad rows = w · unweighted grad rows, every loss code, cols 1…7', async () => {
    const b = await create();
    const rng = new Rng(8);
    for (const [name, code] of codes) {
      const sparse = name.startsWith('sparse');
      for (const cols of sparse ? [2, 3, 5, 7] : [1, 3, 4, 6]) {
        const rows = 9;
        const pred = b.alloc(rows * cols * 4), target = b.alloc(rows * Math.max(cols, 1) * 4), grad = b.alloc(rows * cols * 4);
        const g0 = b.alloc(rows * cols * 4), w = b.alloc(rows * 4), one = b.alloc(cols * 4);
        const f = b.f32();
        for (let r = 0; r < rows; r++) {
          let s = 0;
          for (let j = 0; j < cols; j++) s += f[(pred >>> 2) + r * cols + j] = 0.05 + 0.9 * rng.uniform(0, 1);
          if (name.startsWith('categorical') || sparse) for (let j = 0; j < cols; j++) f[(pred >>> 2) + r * cols + j]! /= s;
          if (sparse) f[(target >>> 2) + r] = r % cols;
          else for (let j = 0; j < cols; j++) f[(target >>> 2) + r * cols + j] = name.startsWith('categorical') ? (j === r % cols ? 1 : 0) : name.startsWith('binary') ? (r + j) % 2 : rng.uniform(0, 1) * 2 - 1;
          f[(w >>> 2) + r] = [0.5, 2, 0, 1.25, 3][r % 5]!;
        }
        const plain = b.loss(code, rows, cols, pred, target, g0);
        const weighted = b.loss(code, rows, cols, pred, target, grad, w);
        let want = 0;
        for (let r = 0; r < rows; r++) {
          const lr = b.loss(code, 1, cols, pred + r * cols * 4, target + r * (sparse ? 1 : cols) * 4, 0);
          want += b.f32()[(w >>> 2) + r]! * lr;
        }
        want /= rows;
        const what = `${name} cols ${cols}`;
        expect(Math.abs(weighted - want), `${what}: ${weighted} vs ${want} (unweighted ${plain})`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want)));
        const F = b.f32();
        for (let i = 0; i < rows * cols; i++) {
          const wr = F[(w >>> 2) + Math.floor(i / cols)]!;
          const expected = wr * F[(g0 >>> 2) + i]!;
          expect(Math.abs(F[(grad >>> 2) + i]! - expected), `${what} grad[${i}]`).toBeLessThanOrEqual(2e-6 * Math.abs(expected) + 1e-9);
        }
        for (const o of [pred, target, grad, g0, w, one]) b.free(o);
      }
    }
    b.dispose();
  });
});
