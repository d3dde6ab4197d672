/**
 * Finite-difference gradient checks on every backend: each backward kernel must be the
 * derivative of the SAME backend's forward kernel. Central differences through the f32 kernels,
 * step h (the real f32 step is used), tolerance |fd − analytic| ≤ 1e-2·|analytic| + 2e-3·max|analytic|
 * (f32 forward noise / 2h and O(h²) truncation stay well inside; a wrong term does not).
 * Fused losses are checked against the composite loss(softmax(z)) / loss(sigmoid(z)).
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { Act, Loss, type ActCode, type Backend, type LossCode } from '../src/backend/contract.js';
import { backendCases } from './helpers/backends.js';
import { expectClose } from './helpers/expect.js';
import { Mem } from './helpers/memory.js';
import { Rng } from './helpers/random.js';

/** Checks fd against analytic with the tolerance above. */
function expectGrad(fd: ArrayLike<number>, analytic: ArrayLike<number>, what: string): void {
  let max = 0;
  for (let i = 0; i < analytic.length; i++) max = Math.max(max, Math.abs(analytic[i]!));
  expectClose(fd, analytic, { rel: 1e-2, abs: 2e-3 * max + 1e-7, what });
}

describe.each(backendCases())('$name backend gradients', ({ create }) => {
  let b: Backend;
  let mem: Mem;
  beforeAll(async () => { b = await create(); mem = new Mem(b); });
  afterAll(() => b?.dispose());

  /** Σ w·v in f64 over floats read back from the arena. */
  const dot = (offset: number, w: Float32Array) => mem.get(offset, w.length).reduce((s, v, i) => s + v * w[i]!, 0);

  describe('activationGrad is the derivative of activation', () => {
    const KINKED = new Set<ActCode>([Act.step, Act.relu, Act.leakyRelu, Act.elu, Act.selu]);
    for (const [name, act] of Object.entries(Act) as [string, ActCode][]) {
      it(name, () => {
        try {
          const n = 65, h = 1e-2, alpha = act === Act.elu ? 1.3 : 0.2;
          const X = new Rng(act + 1).normals(n, 2.5);
          // Stay away from the kink at 0 where the function is not differentiable.
          if (KINKED.has(act)) X.forEach((v, i) => { if (Math.abs(v) < 4 * h) X[i] = v < 0 ? -0.5 : 0.5; });
          const XP = X.map((v) => v + h), XM = X.map((v) => v - h);
          const DY = new Rng(act + 100).normals(n);
          const x = mem.put(X), y = mem.fill(n), xp = mem.put(XP), xm = mem.put(XM), dy = mem.put(DY), dx = mem.fill(n);
          b.activation(act, n, x, y, alpha);
          b.activation(act, n, xp, xp, alpha);
          b.activation(act, n, xm, xm, alpha);
          b.activationGrad(act, n, x, y, dy, dx, alpha);
          const FP = mem.get(xp, n), FM = mem.get(xm, n);
          const fd = Float64Array.from(DY, (g, i) => (g * (FP[i]! - FM[i]!)) / (XP[i]! - XM[i]!));
          expectGrad(fd, mem.get(dx, n), `${name} activationGrad`);
        } finally { mem.freeAll(); }
      });
    }
  });

  it('softmaxGrad is the derivative of softmax', () => {
    try {
      for (const [rows, cols] of [[3, 5], [2, 17], [1, 1]] as const) {
        const n = rows * cols, h = 1e-2;
        const X = new Rng(cols).normals(n, 2), DY = new Rng(cols + 1).normals(n);
        const x = mem.put(X), y = mem.fill(n), dy = mem.put(DY), dx = mem.fill(n), probe = mem.fill(n);
        b.softmax(rows, cols, x, y);
        b.softmaxGrad(rows, cols, y, dy, dx);
        const L = (i: number, step: number) => {
          const Z = Float32Array.from(X); Z[i] += step;
          b.f32().set(Z, probe >>> 2);
          b.softmax(rows, cols, probe, probe);
          return { value: dot(probe, DY), at: Z[i]! };
        };
        const fd = Float64Array.from(X, (_, i) => { const p = L(i, h), m = L(i, -h); return (p.value - m.value) / (p.at - m.at); });
        expectGrad(fd, mem.get(dx, n), `softmaxGrad ${rows}×${cols}`);
      }
    } finally { mem.freeAll(); }
  });

  it('preluGrad is the derivative of prelu in x and in alpha (and accumulates dalpha)', () => {
    try {
      const rows = 5, cols = 7, n = rows * cols, h = 1e-2;
      const rng = new Rng(4);
      const X = rng.normals(n).map((v) => (Math.abs(v) < 0.05 ? 0.3 : v)), ALPHA = rng.uniforms(cols, -0.3, 0.6), DY = rng.normals(n);
      const x = mem.put(X), alpha = mem.put(ALPHA), dy = mem.put(DY), dx = mem.fill(n), dalpha = mem.put(new Float32Array(cols).fill(0.25)), y = mem.fill(n);
      b.preluGrad(rows, cols, x, alpha, dy, dx, dalpha);
      const xp = mem.put(X.map((v) => v + h)), xm = mem.put(X.map((v) => v - h));
      b.prelu(rows, cols, xp, alpha, xp);
      b.prelu(rows, cols, xm, alpha, xm);
      const FP = mem.get(xp, n), FM = mem.get(xm, n);
      expectGrad(Float64Array.from(DY, (g, i) => (g * (FP[i]! - FM[i]!)) / (2 * h)), mem.get(dx, n), 'preluGrad dx');
      const fdAlpha = Float64Array.from(ALPHA, (_, j) => {
        const at = (step: number) => {
          const A = Float32Array.from(ALPHA); A[j] += step;
          b.f32().set(A, alpha >>> 2);
          b.prelu(rows, cols, x, alpha, y);
          return dot(y, DY);
        };
        const d = (at(h) - at(-h)) / (2 * h);
        b.f32().set(ALPHA, alpha >>> 2);
        return d + 0.25; // the initial dalpha it accumulated onto
      });
      expectGrad(fdAlpha, mem.get(dalpha, cols), 'preluGrad dalpha');
    } finally { mem.freeAll(); }
  });

  describe('loss gradients', () => {
    const rows = 3, cols = 5, n = rows * cols;
    /** Probabilities well inside (0, 1), rows that do not sum to 1 for the non-fused categorical kinds. */
    const data = (kind: LossCode) => {
      const rng = new Rng(kind + 11);
      const sparse = kind === Loss.sparseCategoricalCrossentropy || kind === Loss.sparseCategoricalCrossentropyFusedSoftmax;
      const Z = rng.normals(n);
      let T: Float32Array;
      if (sparse) T = Float32Array.from({ length: rows }, () => rng.int(cols));
      else if (kind === Loss.categoricalCrossentropy || kind === Loss.categoricalCrossentropyFusedSoftmax) {
        T = new Float32Array(n);
        for (let r = 0; r < rows; r++) { T[r * cols + rng.int(cols)] += 0.7; T[r * cols + rng.int(cols)] += 0.6; } // row sums ≠ 1
      } else if (kind === Loss.meanSquaredError || kind === Loss.meanAbsoluteError) T = rng.normals(n);
      else T = rng.uniforms(n, 0, 1);
      return { Z, T };
    };
    const LOSSES = Object.entries(Loss) as [string, LossCode][];
    for (const [name, kind] of LOSSES) {
      it(name, () => {
        try {
          const { Z, T } = data(kind);
          const h = 1e-3;
          const t = mem.put(T), z = mem.fill(n), p = mem.fill(n), grad = mem.fill(n);
          // The network output the loss sees: softmax/sigmoid of logits for the kinds that expect probabilities.
          const softmaxKinds = new Set<LossCode>([Loss.categoricalCrossentropy, Loss.categoricalCrossentropyFusedSoftmax, Loss.sparseCategoricalCrossentropy, Loss.sparseCategoricalCrossentropyFusedSoftmax]);
          const output = (logits: Float32Array): Float32Array => {
            b.f32().set(logits, z >>> 2);
            if (softmaxKinds.has(kind)) b.softmax(rows, cols, z, p);
            else if (kind === Loss.binaryCrossentropy || kind === Loss.binaryCrossentropyFusedSigmoid) b.activation(Act.sigmoid, n, z, p, 0);
            else b.activation(Act.linear, n, z, p, 0);
            return mem.get(p, n);
          };
          const fused = kind === Loss.binaryCrossentropyFusedSigmoid || kind === Loss.categoricalCrossentropyFusedSoftmax || kind === Loss.sparseCategoricalCrossentropyFusedSoftmax;
          let P = output(Z);
          if (kind === Loss.categoricalCrossentropy || kind === Loss.sparseCategoricalCrossentropy) {
            // Unnormalised rows: the loss divides each row by its sum; the gradient must follow.
            P = P.map((v, i) => v * (1 + ((i / cols) | 0)));
            b.f32().set(P, p >>> 2);
          }
          if (kind === Loss.meanAbsoluteError) { P.forEach((v, i) => { if (Math.abs(v - T[i]!) < 10 * h) T[i] = v + 0.5; }); b.f32().set(T, t >>> 2); }
          // Fused softmax + CCE is (p − y) only when each target row sums to 1.
          if (kind === Loss.categoricalCrossentropyFusedSoftmax) {
            for (let r = 0; r < rows; r++) { let s = 0; for (let j = 0; j < cols; j++) s += T[r * cols + j]!; for (let j = 0; j < cols; j++) T[r * cols + j] /= s; }
            b.f32().set(T, t >>> 2);
          }
          b.loss(kind, rows, cols, p, t, grad);
          const analytic = mem.get(grad, n);
          const base = fused ? Z : P;
          const lossAt = (i: number, step: number) => {
            const V = Float32Array.from(base); V[i] += step;
            if (fused) output(V); else b.f32().set(V, p >>> 2);
            // The fused kinds' value is the plain loss of the probabilities.
            return { value: b.loss(kind, rows, cols, p, t, 0), at: V[i]! };
          };
          const fd = Float64Array.from(base, (_, i) => { const a = lossAt(i, h), c = lossAt(i, -h); return (a.value - c.value) / (a.at - c.at); });
          expectGrad(fd, analytic, `${name} gradient w.r.t. ${fused ? 'logits' : 'predictions'}`);
        } finally { mem.freeAll(); }
      });
    }
  });
});
