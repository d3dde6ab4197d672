/**
 * The scalar activations (nn.activations, f64) against the specification: the js backend's
 * activation and activationGrad kernels (f32 storage), on a grid through the kinks and the
 * saturated tails. They must agree to f32 rounding: one set of functions, two precisions.
 */
import { describe, expect, it } from 'vitest';
import { activations } from '../src/activations.js';
import { Act, type ActCode } from '../src/backend/contract.js';
import { createJsBackend } from '../src/backend/js/index.js';

const GRID = [-30, -12, -6, -3.5, -2, -1, -0.5, -1e-3, 0, 1e-3, 0.5, 1, 2, 3.5, 6, 12, 30];
const ALPHA: Partial<Record<string, number>> = { leakyRelu: 0.01, elu: 1 };

describe('scalar activations agree with the js backend kernels', () => {
  const b = createJsBackend();
  const n = GRID.length;
  const x = b.alloc(n * 4), y = b.alloc(n * 4), dy = b.alloc(n * 4), dx = b.alloc(n * 4);

  it.each(Object.entries(Act) as [keyof typeof activations, ActCode][])('%s', (name, code) => {
    const alpha = ALPHA[name] ?? 0;
    const f = b.f32();
    f.set(GRID, x >>> 2);
    f.fill(1, dy >>> 2, (dy >>> 2) + n);
    b.activation(code, n, x, y, alpha);
    b.activationGrad(code, n, x, y, dy, dx, alpha);
    const scalar = activations[name];
    GRID.forEach((v, i) => {
      const xv = Math.fround(v);
      const want = Math.fround(scalar.apply(xv));
      const got = b.f32()[(y >>> 2) + i]!;
      expect(Math.abs(got - want), `${name}(${v}): kernel ${got}, scalar ${want}`).toBeLessThanOrEqual(2e-7 * Math.abs(want) + 1e-30);
      // sigmoid and tanh differentiate from the stored f32 output: allow that rounding.
      const wantD = scalar.derivative(xv);
      const gotD = b.f32()[(dx >>> 2) + i]!;
      expect(Math.abs(gotD - wantD), `${name}′(${v}): kernel ${gotD}, scalar ${wantD}`).toBeLessThanOrEqual(1e-6 * Math.abs(wantD) + 1e-7);
    });
  });
});
