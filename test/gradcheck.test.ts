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

  describe('normalizeGrad is the derivative of normalize through the statistics moments takes (batch and layer norm)', () => {
    const CASES = [
      { axis: 0, rows: 7, cols: 5, gamma: true, beta: true },
      { axis: 0, rows: 3, cols: 9, gamma: false, beta: false },
      { axis: 1, rows: 5, cols: 7, gamma: true, beta: true },
      { axis: 1, rows: 2, cols: 13, gamma: false, beta: true },
      { axis: 0, rows: 1, cols: 6, gamma: true, beta: true },
    ] as const;
    for (const c of CASES) {
      it(`axis ${c.axis}, ${c.rows}×${c.cols}${c.gamma ? '' : ', no gamma'}${c.beta ? '' : ', no beta'}`, () => {
        try {
          const { axis, rows, cols } = c, n = rows * cols, h = 1e-2, eps = 1e-3;
          const rng = new Rng(31 + axis * 7 + rows);
          // Features with different means and scales, as a layer's inputs have.
          const X = Float32Array.from(rng.normals(n), (v, i) => v * (0.5 + (i % cols) * 0.3) + (i % cols) - 2);
          const G = rng.uniforms(cols, 0.5, 1.5), B = rng.normals(cols), DY = rng.normals(n);
          const stats = axis === 0 ? cols : rows;
          const x = mem.put(X), gamma = c.gamma ? mem.put(G) : 0, beta = c.beta ? mem.put(B) : 0, dy = mem.put(DY);
          const mean = mem.fill(stats), variance = mem.fill(stats), y = mem.fill(n), dx = mem.fill(n), dgamma = mem.fill(cols), dbeta = mem.fill(cols);
          const probe = mem.fill(n), pm = mem.fill(stats), pv = mem.fill(stats);
          b.moments(axis, rows, cols, x, mean, variance);
          b.normalizeGrad(axis, rows, cols, x, mean, variance, eps, gamma, dy, dx, dgamma, dbeta);
          /** Σ DY·normalize(X′) with the statistics of X′ itself. */
          const L = (Xp: Float32Array) => {
            b.f32().set(Xp, probe >>> 2);
            b.moments(axis, rows, cols, probe, pm, pv);
            b.normalize(axis, rows, cols, probe, pm, pv, eps, gamma, beta, y);
            return dot(y, DY);
          };
          if (rows > 1 || axis === 1) {
            const fd = Float64Array.from(X, (_, i) => {
              const P = Float32Array.from(X), M = Float32Array.from(X);
              P[i] += h; M[i] -= h;
              return (L(P) - L(M)) / (P[i]! - M[i]!);
            });
            expectGrad(fd, mem.get(dx, n), 'dx');
          } else {
            // One row: the batch statistics are the row itself, the output is beta whatever x is.
            expectClose(mem.get(dx, n), new Float32Array(n), { rel: 0, abs: 1e-6, what: 'dx with one row' });
          }
          const paramFd = (values: Float32Array, offset: number) => Float64Array.from(values, (_, j) => {
            const at = (step: number) => { const V = Float32Array.from(values); V[j] += step; b.f32().set(V, offset >>> 2); return L(X); };
            const d = (at(h) - at(-h)) / (2 * h);
            b.f32().set(values, offset >>> 2);
            return d;
          });
          if (gamma) expectGrad(paramFd(G, gamma), mem.get(dgamma, cols), 'dgamma');
          if (beta) expectGrad(paramFd(B, beta), mem.get(dbeta, cols), 'dbeta');
          // Without the parameter, the gradients are still written (a layer's scratch): Σ dy·x̂ and Σ dy.
          const colSum = Float64Array.from({ length: cols }, (_, j) => { let s = 0; for (let i = 0; i < rows; i++) s += DY[i * cols + j]!; return s; });
          expectClose(mem.get(dbeta, cols), colSum, { rel: 1e-5, abs: 1e-5, what: 'dbeta = Σ dy' });
        } finally { mem.freeAll(); }
      });
    }

    it('moments: column and row means and biased variances; movingAverage', () => {
      try {
        const rows = 6, cols = 5, X = new Rng(77).normals(rows * cols, 3);
        const x = mem.put(X), m0 = mem.fill(cols), v0 = mem.fill(cols), m1 = mem.fill(rows), v1 = mem.fill(rows);
        b.moments(0, rows, cols, x, m0, v0);
        b.moments(1, rows, cols, x, m1, v1);
        const stat = (k: number[], ) => { const m = k.reduce((s, v) => s + v, 0) / k.length; return [m, k.reduce((s, v) => s + (v - m) ** 2, 0) / k.length] as const; };
        const col = (j: number) => stat(Array.from({ length: rows }, (_, i) => X[i * cols + j]!));
        const row = (i: number) => stat(Array.from(X.subarray(i * cols, (i + 1) * cols)));
        expectClose(mem.get(m0, cols), Array.from({ length: cols }, (_, j) => col(j)[0]), { rel: 1e-5, abs: 1e-6, what: 'column means' });
        expectClose(mem.get(v0, cols), Array.from({ length: cols }, (_, j) => col(j)[1]), { rel: 1e-5, abs: 1e-6, what: 'column variances' });
        expectClose(mem.get(m1, rows), Array.from({ length: rows }, (_, i) => row(i)[0]), { rel: 1e-5, abs: 1e-6, what: 'row means' });
        expectClose(mem.get(v1, rows), Array.from({ length: rows }, (_, i) => row(i)[1]), { rel: 1e-5, abs: 1e-6, what: 'row variances' });
        const moving = mem.put(Float32Array.from({ length: cols }, (_, j) => j));
        b.movingAverage(cols, m0, moving, 0.9);
        expectClose(mem.get(moving, cols), Array.from({ length: cols }, (_, j) => j - (j - col(j)[0]) * 0.1), { rel: 1e-6, abs: 1e-6, what: 'movingAverage' });
      } finally { mem.freeAll(); }
    });
  });
});
