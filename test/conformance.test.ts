/**
 * One conformance suite for every backend: each kernel against a naive float64 reference
 * (test/helpers/reference.ts) on seeded random data, with sizes that are not multiples of 4 or 8.
 *
 * Tolerances (|got − want| ≤ rel·(|want| + scale) + abs):
 * - gemm: rel 1e-5 with scale = Σ|a·b| (+|C|, |bias|) — f32 accumulation over k ≤ 130 stays inside
 * - elementwise kernels: rel 1e-6, abs 1e-9 (denormal-sized results only); activation derivatives
 *   rel 1e-6 of |dy|·Σ|terms of f′| (1 − y² or s + x·s·(1 − s) cancel, and an f32 evaluation may
 *   lose relative accuracy there, never absolute)
 * - loss values: rel 2e-6; loss gradients: rel 1e-6 of the magnitude of the gradient's terms
 * - optimizers: rel 1e-6 + abs 1e-6 on weights and state after several steps; out of place vs in
 *   place and the finiteness flag: exact
 * - dropout masks, argmax, gatherRows, accuracy counts: exact
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Accuracy, Act, Layout, Loss, Opt, type ActCode, type Backend, type LossCode, type OptCode, type OptimizerParams } from '../src/backend/contract.js';
import { newOptimizerParams, slotsOf } from '../src/optimizers/rules.js';
import { backendCases } from './helpers/backends.js';
import { expectClose, expectExact, expectNear } from './helpers/expect.js';
import { Mem } from './helpers/memory.js';
import { Rng } from './helpers/random.js';
import { activationRef, derivativeRef, derivativeTermsRef, dropoutMaskRef, gemmRef, lossRef, optimizerRef, softmaxRef } from './helpers/reference.js';

const ODD_SIZES = [1, 3, 5, 17, 33, 65, 130];
const GEMM_SHAPES: [number, number, number][] = [
  [1, 1, 1], [3, 5, 17], [17, 33, 5], [65, 17, 130], [130, 65, 33], [5, 130, 3], [33, 3, 65], [64, 32, 48],
  [0, 5, 3], [5, 0, 3], [5, 3, 0], [17, 5, 0],
  // n = 9–12: the NN kernel's narrow-n paths (and the relaxed build's FMA variants of them), with
  // m on both sides of the m ≤ 3 split and k from 1 to a layer's 784.
  [7, 9, 13], [33, 10, 65], [2, 11, 40], [64, 12, 100], [5, 9, 1], [130, 12, 33], [1, 10, 784], [16, 11, 7], [3, 12, 5],
];
const LAYOUTS = [['NN', Layout.NN], ['TN', Layout.TN], ['NT', Layout.NT]] as const;
const ACTS = Object.entries(Act) as [string, ActCode][];

describe.each(backendCases())('$name backend', ({ create }) => {
  let b: Backend;
  let mem: Mem;
  beforeAll(async () => {
    b = await create();
    mem = new Mem(b);
  });
  afterAll(() => b?.dispose());
  /** Every test frees what it allocated, and the arena must then hold no more than before. */
  const withMem = (fn: () => void) => () => {
    const before = b.arenaBytes();
    try { fn(); } finally { mem.freeAll(); }
    expect(b.arenaBytes()).toBe(before);
  };

  // ---- gemm --------------------------------------------------------------------------------
  describe('gemm', () => {
    for (const [layoutName, layout] of LAYOUTS) {
      for (const [m, n, k] of GEMM_SHAPES) {
        it(`${layoutName} m=${m} n=${n} k=${k}, with and without accumulate and bias`, withMem(() => {
          const rng = new Rng(1000 + m * 7 + n * 13 + k * 17 + layout);
          const A = rng.normals(m * k), B = rng.normals(k * n), C0 = rng.normals(m * n), bias = rng.normals(n);
          const a = mem.put(A), bb = mem.put(B), biasAt = mem.put(bias);
          for (const accumulate of [false, true]) {
            for (const withBias of [false, true]) {
              const c = mem.put(C0);
              b.gemm(layout, m, n, k, a, bb, c, accumulate, withBias ? biasAt : 0);
              const ref = gemmRef(layout, m, n, k, A, B, accumulate ? C0 : null, withBias ? bias : null);
              expectClose(mem.get(c, m * n), ref.c, { rel: 1e-5, scale: ref.scale, what: `gemm ${layoutName} ${m}×${n}×${k} acc=${accumulate} bias=${withBias}` });
            }
          }
          expectExact(mem.get(a, m * k), A, 'gemm must not modify A');
        }));
      }
    }

    it('does not write outside C (guard floats around C stay untouched)', withMem(() => {
      const rng = new Rng(5);
      const [m, n, k] = [5, 7, 3];
      const a = mem.put(rng.normals(m * k)), bb = mem.put(rng.normals(k * n));
      const guarded = mem.fill(4 + m * n + 4, 1234.5);
      const c = guarded + 16;
      for (const [, layout] of LAYOUTS) b.gemm(layout, m, n, k, a, bb, c, false, 0);
      const all = mem.get(guarded, 8 + m * n);
      expectExact(all.subarray(0, 4), [1234.5, 1234.5, 1234.5, 1234.5], 'floats before C');
      expectExact(all.subarray(4 + m * n), [1234.5, 1234.5, 1234.5, 1234.5], 'floats after C');
    }));
  });

  it('columnSums: odd shapes, with and without accumulate, rows = 0', withMem(() => {
    for (const [rows, cols] of [[1, 1], [3, 5], [17, 33], [130, 3], [0, 5]] as const) {
      const rng = new Rng(rows * 31 + cols);
      const X = rng.normals(rows * cols), O = rng.normals(cols);
      const x = mem.put(X);
      for (const accumulate of [false, true]) {
        const out = mem.put(O);
        b.columnSums(rows, cols, x, out, accumulate);
        const want = new Float64Array(cols), scale = new Float64Array(cols);
        for (let j = 0; j < cols; j++) {
          want[j] = accumulate ? O[j]! : 0; scale[j] = Math.abs(want[j]!);
          for (let r = 0; r < rows; r++) { want[j] += X[r * cols + j]!; scale[j] += Math.abs(X[r * cols + j]!); }
        }
        expectClose(mem.get(out, cols), want, { rel: 1e-6, scale, what: `columnSums ${rows}×${cols} acc=${accumulate}` });
      }
    }
  }));

  // ---- activations -------------------------------------------------------------------------
  /** Random inputs plus the edges: 0, −0, tiny, and large magnitudes where exp overflows. */
  const activationInputs = (n: number, seed: number): Float32Array => {
    const x = new Rng(seed).normals(n, 3);
    const edges = [0, -0, 1e-8, -1e-8, 1, -1, 20, -20, 90, -90, 5.5, -5.5];
    x.set(edges.slice(0, Math.min(n, edges.length)));
    return x;
  };

  describe('activation and activationGrad', () => {
    for (const [name, act] of ACTS) {
      it(`${name}: forward, backward and in-place, n in ${ODD_SIZES.join(',')}`, withMem(() => {
        const alpha = act === Act.elu ? 1.3 : 0.2;
        for (const n of ODD_SIZES) {
          const X = activationInputs(n, 77 + n + act * 1000);
          const x = mem.put(X), y = mem.fill(n);
          b.activation(act, n, x, y, alpha);
          const Y = mem.get(y, n);
          const want = Float64Array.from(X, (v) => activationRef(act, v, alpha));
          expectClose(Y, want, { rel: 1e-6, abs: 1e-9, what: `${name} forward n=${n}` });

          const DY = new Rng(n).normals(n);
          const dy = mem.put(DY), dx = mem.fill(n);
          b.activationGrad(act, n, x, y, dy, dx, alpha);
          const wantDx = Float64Array.from(X, (v, i) => DY[i]! * derivativeRef(act, v, Y[i]!, alpha));
          const terms = Float64Array.from(X, (v, i) => Math.abs(DY[i]!) * derivativeTermsRef(act, v, Y[i]!, alpha));
          expectClose(mem.get(dx, n), wantDx, { rel: 1e-6, abs: 1e-9, scale: terms, what: `${name} backward n=${n}` });

          // In place: y = f(x) into x itself, dx into dy itself.
          const xi = mem.put(X);
          b.activation(act, n, xi, xi, alpha);
          expectExact(mem.get(xi, n), Y, `${name} in-place forward n=${n}`);
          b.activationGrad(act, n, x, y, dy, dy, alpha);
          expectExact(mem.get(dy, n), mem.get(dx, n), `${name} in-place backward n=${n}`);
        }
      }));
    }

    it('n = 0 writes nothing', withMem(() => {
      const x = mem.fill(4, 7), y = mem.fill(4, 9);
      for (const [, act] of ACTS) { b.activation(act, 0, x, y, 0.1); b.activationGrad(act, 0, x, y, x, y, 0.1); }
      expectExact(mem.get(y, 4), [9, 9, 9, 9], 'activation with n = 0');
    }));
  });

  describe('softmax and softmaxGrad', () => {
    for (const [rows, cols] of [[1, 1], [3, 5], [17, 33], [5, 130], [3, 3]] as const) {
      it(`rows=${rows} cols=${cols}, in place too`, withMem(() => {
        const rng = new Rng(rows * 100 + cols);
        const X = rng.normals(rows * cols, 4);
        // e^x overflows / underflows to 0/0 without max-subtraction
        if (rows === 3 && cols === 3) X.set([1000, 999, -1000, -1e4, 0, 88, -1000, -1001, -1002]);
        const x = mem.put(X), y = mem.fill(rows * cols);
        b.softmax(rows, cols, x, y);
        const Y = mem.get(y, rows * cols);
        expectClose(Y, softmaxRef(rows, cols, X), { rel: 1e-6, abs: 1e-9, what: `softmax ${rows}×${cols}` });
        b.softmax(rows, cols, x, x);
        expectClose(mem.get(x, rows * cols), Y, { rel: 1e-6, abs: 1e-9, what: `softmax in place ${rows}×${cols}` });

        const DY = rng.normals(rows * cols);
        const dy = mem.put(DY), dx = mem.fill(rows * cols);
        b.softmaxGrad(rows, cols, y, dy, dx);
        const want = new Float64Array(rows * cols), scale = new Float64Array(rows * cols);
        for (let r = 0; r < rows; r++) {
          let dot = 0, dotAbs = 0;
          for (let j = 0; j < cols; j++) { dot += DY[r * cols + j]! * Y[r * cols + j]!; dotAbs += Math.abs(DY[r * cols + j]! * Y[r * cols + j]!); }
          for (let j = 0; j < cols; j++) {
            const i = r * cols + j;
            want[i] = Y[i]! * (DY[i]! - dot);
            scale[i] = Y[i]! * (Math.abs(DY[i]!) + dotAbs);
          }
        }
        expectClose(mem.get(dx, rows * cols), want, { rel: 1e-6, abs: 1e-12, scale, what: `softmaxGrad ${rows}×${cols}` });
        b.softmaxGrad(rows, cols, y, dy, dy);
        expectClose(mem.get(dy, rows * cols), want, { rel: 1e-6, abs: 1e-12, scale, what: `softmaxGrad in place ${rows}×${cols}` });
      }));
    }
  });

  describe('prelu and preluGrad', () => {
    for (const [rows, cols] of [[1, 1], [3, 5], [17, 33], [33, 3]] as const) {
      it(`rows=${rows} cols=${cols}; dalpha accumulates`, withMem(() => {
        const rng = new Rng(rows * 7 + cols);
        const X = rng.normals(rows * cols), ALPHA = rng.uniforms(cols, -0.5, 0.5), DY = rng.normals(rows * cols);
        X[0] = 0; // x = 0 takes the alpha branch
        const DA0 = rng.normals(cols);
        const x = mem.put(X), alpha = mem.put(ALPHA), y = mem.fill(rows * cols);
        b.prelu(rows, cols, x, alpha, y);
        const wantY = Float64Array.from(X, (v, i) => (v > 0 ? v : ALPHA[i % cols]! * v));
        expectClose(mem.get(y, rows * cols), wantY, { rel: 1e-6, what: `prelu ${rows}×${cols}` });

        const dy = mem.put(DY), dx = mem.fill(rows * cols), da = mem.put(DA0);
        b.preluGrad(rows, cols, x, alpha, dy, dx, da);
        const wantDx = Float64Array.from(X, (v, i) => DY[i]! * (v > 0 ? 1 : ALPHA[i % cols]!));
        const wantDa = Float64Array.from(DA0), scaleDa = Float64Array.from(DA0, Math.abs);
        X.forEach((v, i) => { if (v <= 0) { wantDa[i % cols] += DY[i]! * v; scaleDa[i % cols] += Math.abs(DY[i]! * v); } });
        expectClose(mem.get(dx, rows * cols), wantDx, { rel: 1e-6, what: `preluGrad dx ${rows}×${cols}` });
        expectClose(mem.get(da, cols), wantDa, { rel: 1e-6, scale: scaleDa, what: `preluGrad dalpha ${rows}×${cols}` });
      }));
    }
  });

  // ---- losses ------------------------------------------------------------------------------
  describe('loss', () => {
    const LOSSES = Object.entries(Loss) as [string, LossCode][];
    /** Predictions and targets the kind expects: probabilities with exact 0/1 to hit the clip. */
    const lossData = (kind: LossCode, rows: number, cols: number, rng: Rng, normalised: boolean) => {
      const n = rows * cols;
      const sparse = kind === Loss.sparseCategoricalCrossentropy || kind === Loss.sparseCategoricalCrossentropyFusedSoftmax;
      const categorical = sparse || kind === Loss.categoricalCrossentropy || kind === Loss.categoricalCrossentropyFusedSoftmax;
      let pred: Float32Array, target: Float32Array;
      if (kind === Loss.meanSquaredError || kind === Loss.meanAbsoluteError) {
        pred = rng.normals(n); target = rng.normals(n);
        if (n > 2) target[1] = pred[1]!; // MAE sign(0) = 0
      } else if (!categorical) {
        pred = rng.uniforms(n, 0.01, 0.99);
        target = Float32Array.from({ length: n }, (_, i) => (i % 3 === 2 ? rng.next() : rng.next() < 0.5 ? 0 : 1));
        if (n > 4) { pred[0] = 0; pred[1] = 1; pred[2] = 1e-9; pred[3] = 0.99999999; }
      } else {
        const raw = Float32Array.from(softmaxRef(rows, cols, rng.normals(n, 2)));
        // Unnormalised rows check the division by the row sum.
        pred = normalised ? raw : Float32Array.from(raw, (v, i) => v * (1 + (i / cols | 0) % 3));
        target = new Float32Array(sparse ? rows : n);
        for (let r = 0; r < rows; r++) {
          const c = rng.int(cols);
          if (sparse) target[r] = c;
          else if (r % 4 === 3) for (let j = 0; j < cols; j++) target[r * cols + j] = 1 / cols; // soft labels
          else if (r % 4 === 1) { target[r * cols + c] = 1; target[r * cols + (c + 1) % cols] += 0.5; } // row sum ≠ 1
          else target[r * cols + c] = 1;
        }
        if (rows > 1 && cols > 2) { pred[0] = 0; } // clipped probability (the class may be this one)
      }
      return { pred, target };
    };
    const isFusedSoftmax = (k: LossCode) => k === Loss.categoricalCrossentropyFusedSoftmax || k === Loss.sparseCategoricalCrossentropyFusedSoftmax;

    for (const [name, kind] of LOSSES) {
      it(`${name}: value and gradient vs float64, rows × cols in {1,3,17}×{1,5,33}; grad = 0 gives the value only`, withMem(() => {
        for (const rows of [1, 3, 17]) for (const cols of [1, 5, 33]) {
          const rng = new Rng(rows * 1000 + cols * 10 + kind);
          const { pred: P, target: T } = lossData(kind, rows, cols, rng, isFusedSoftmax(kind) || rows % 2 === 1);
          const p = mem.put(P), t = mem.put(T), g = mem.fill(rows * cols);
          const ref = lossRef(kind, rows, cols, P, T);
          const what = `${name} ${rows}×${cols}`;
          const value = b.loss(kind, rows, cols, p, t, g);
          expectNear(value, ref.value, 2e-6, `${what} value`, 1e-12);
          expectClose(mem.get(g, rows * cols), ref.grad, { rel: 1e-6, scale: ref.scale, abs: 1e-12, what: `${what} gradient` });
          const sentinel = mem.fill(rows * cols, 42);
          expectNear(b.loss(kind, rows, cols, p, t, 0), ref.value, 2e-6, `${what} value without gradient`, 1e-12);
          expectExact(mem.get(sentinel, rows * cols), new Float32Array(rows * cols).fill(42), `${what}: grad = 0 must not write`);
          expectExact(mem.get(p, rows * cols), P, `${what}: pred must not change`);
        }
      }));
    }

    it('known values: MSE of [[1,2],[3,4]] vs zeros is 7.5; perfect CCE is ~0', withMem(() => {
      const p = mem.put([1, 2, 3, 4]), t = mem.put([0, 0, 0, 0]);
      expectNear(b.loss(Loss.meanSquaredError, 2, 2, p, t, 0), 7.5, 1e-7, 'MSE');
      const q = mem.put([1, 0, 0, 1]), y = mem.put([1, 0, 0, 1]);
      expectNear(b.loss(Loss.categoricalCrossentropy, 2, 2, q, y, 0), -Math.log(Math.fround(1 - 1e-7)), 1e-6, 'CCE of a perfect prediction');
    }));
  });

  // ---- dropout -----------------------------------------------------------------------------
  describe('dropout', () => {
    it('mask is bit-exact with the documented hash for several seeds and rates, y = x·mask', withMem(() => {
      for (const n of [1, 5, 33, 1000]) for (const rate of [0.1, 0.5, 0.9]) for (const seed of [0, 1, 12345, 0xffffffff]) {
        const X = new Rng(n + seed).normals(n);
        const x = mem.put(X), y = mem.fill(n), mask = mem.fill(n);
        b.dropout(n, x, y, mask, rate, seed);
        const want = dropoutMaskRef(n, rate, seed);
        expectExact(mem.get(mask, n), want, `dropout mask n=${n} rate=${rate} seed=${seed}`);
        expectExact(mem.get(y, n), Float32Array.from(X, (v, i) => v * want[i]!), `dropout y n=${n} rate=${rate} seed=${seed}`);
      }
    }));

    it('keeps 1 − rate of the units within 5σ and scales by exactly f32(1/(1 − rate))', withMem(() => {
      const n = 100_003;
      const x = mem.put(new Float32Array(n).fill(1)), y = mem.fill(n), mask = mem.fill(n);
      for (const rate of [0.05, 0.3, 0.5, 0.8]) {
        b.dropout(n, x, y, mask, rate, 777);
        const m = mem.get(mask, n);
        expectExact(m, dropoutMaskRef(n, rate, 777), `dropout mask n=${n} rate=${rate}`); // large indices too
        const keep = Math.fround(1 / (1 - rate));
        let kept = 0;
        for (const v of m) { if (v !== 0) { kept++; expect(v).toBe(keep); } }
        const sd = Math.sqrt(n * rate * (1 - rate));
        expect(Math.abs(kept - n * (1 - rate))).toBeLessThan(5 * sd);
      }
    }));

    it('rate 0 is the identity (in place too); different seeds give different masks', withMem(() => {
      const X = new Rng(3).normals(65);
      const x = mem.put(X), mask = mem.fill(65), y = mem.fill(65);
      b.dropout(65, x, x, mask, 0, 9);
      expectExact(mem.get(x, 65), X, 'dropout rate 0 in place');
      expectExact(mem.get(mask, 65), new Float32Array(65).fill(1), 'dropout rate 0 mask');
      b.dropout(65, x, y, mask, 0.5, 1);
      const m1 = mem.get(mask, 65);
      b.dropout(65, x, y, mask, 0.5, 2);
      expect(Array.from(mem.get(mask, 65))).not.toEqual(Array.from(m1));
    }));

    it('multiply: out = a ⊙ b, in place allowed', withMem(() => {
      const rng = new Rng(8);
      for (const n of ODD_SIZES) {
        const A = rng.normals(n), B = rng.normals(n);
        const a = mem.put(A), bb = mem.put(B), out = mem.fill(n);
        const want = Float32Array.from(A, (v, i) => v * B[i]!);
        b.multiply(n, a, bb, out);
        expectExact(mem.get(out, n), want, `multiply n=${n}`);
        b.multiply(n, a, bb, a);
        expectExact(mem.get(a, n), want, `multiply in place n=${n}`);
      }
    }));
  });

  // ---- optimizers --------------------------------------------------------------------------
  describe('optimizerStep', () => {
    const OPTS = Object.entries(Opt) as [string, OptCode][];
    /** Rules whose state cannot grow past its inputs (see the non-finite test). */
    const BOUNDED_STATE = new Set<OptCode>([Opt.adamax]);
    const hyper = (kind: OptCode, step: number, clipValue: number): OptimizerParams => {
      const base = { ...newOptimizerParams(), kind, learningRate: 0.1, epsilon: 1e-7, clipValue };
      switch (kind) {
        case Opt.momentum: case Opt.nesterov: return { ...base, momentum: 0.9 };
        case Opt.adagrad: return { ...base, epsilon: 1e-6 };
        case Opt.rmsprop: case Opt.rmspropCentered: return { ...base, learningRate: 0.01, rho: 0.9, momentum: 0.5 };
        case Opt.adam: case Opt.adamw:
          return {
            ...base, learningRate: 0.05, beta1: 0.9, beta2: 0.999, biasCorrection1: 1 - 0.9 ** step, biasCorrection2: 1 - 0.999 ** step,
            weightDecay: kind === Opt.adamw ? 0.1 : 0,
          };
        case Opt.adamax:
          return { ...base, learningRate: 0.05, beta1: 0.9, beta2: 0.999, biasCorrection1: 1 - 0.9 ** step };
        case Opt.nadam: {
          // Keras's schedule μ_t = β1·(1 − ½·0.96ᵗ), Π_t = μ_1·…·μ_t.
          const mu = (t: number) => 0.9 * (1 - 0.5 * 0.96 ** t);
          let product = 1;
          for (let t = 1; t <= step; t++) product *= mu(t);
          return {
            ...base, learningRate: 0.05, beta1: 0.9, beta2: 0.999, biasCorrection2: 1 - 0.999 ** step,
            firstMomentWeight: mu(step + 1) / (1 - product * mu(step + 1)), gradientWeight: (1 - mu(step)) / (1 - product),
          };
        }
        default: return base;
      }
    };
    for (const [name, kind] of OPTS) {
      for (const clipValue of [0, 0.05]) {
        it(`${name}${clipValue ? ` with clipValue ${clipValue}` : ''}: 5 steps vs the documented rule, n = 33`, withMem(() => {
          const n = 33;
          const slots = slotsOf(kind);
          const rng = new Rng(kind * 10 + (clipValue ? 1 : 0));
          const W = rng.normals(n), S1 = new Float32Array(n), S2 = new Float32Array(n), S3 = new Float32Array(n);
          if (kind === Opt.adagrad) S1.fill(0.1); // initialAccumulatorValue
          const w = mem.put(W), s = slots ? mem.put([...S1, ...S2, ...S3].slice(0, slots * n)) : 0, g = mem.fill(n);
          const slot = (k: number) => mem.get(s + k * n * 4, n);
          for (let step = 1; step <= 5; step++) {
            const G = rng.normals(n, 0.1);
            backendPut(g, G);
            const p = hyper(kind, step, clipValue);
            expect(b.optimizerStep(n, w, g, s, w, s, p)).toBe(0);
            optimizerRef(W, G, S1, S2, S3, p);
            const what = `${name} clip=${clipValue} step ${step}`;
            expectClose(mem.get(w, n), W, { rel: 1e-6, abs: 1e-6, what: `${what} weights` });
            if (slots > 0) expectClose(slot(0), S1, { rel: 1e-6, abs: 1e-7, what: `${what} s1` });
            if (slots > 1) expectClose(slot(1), S2, { rel: 1e-6, abs: 1e-7, what: `${what} s2` });
            if (slots > 2) expectClose(slot(2), S3, { rel: 1e-6, abs: 1e-7, what: `${what} s3` });
            expectExact(mem.get(g, n), G, `${what}: g is not modified`);
            // Follow the backend's f32 state so rounding cannot drift apart over the steps.
            W.set(mem.get(w, n));
            if (slots > 0) S1.set(slot(0));
            if (slots > 1) S2.set(slot(1));
            if (slots > 2) S3.set(slot(2));
          }
        }));
      }

      it(`${name}: out of place equals in place bit for bit and leaves its inputs untouched, n = ${ODD_SIZES.join(', ')}`, withMem(() => {
        const slots = slotsOf(kind);
        for (const n of ODD_SIZES) {
          const rng = new Rng(500 + kind * 7 + n);
          // Positive state, as a root is taken of it (adagrad, rmsprop's ms, adam's v).
          const W = rng.normals(n), G = rng.normals(n, 0.5), S = rng.normals(slots * n, 0.1).map(Math.abs);
          if (slots === 3) S.fill(0, 2 * n); // rmspropCentered: mg = 0 keeps ms − mg² positive
          const p = hyper(kind, 3, 0.3);
          const wIn = mem.put(W), g = mem.put(G), sIn = slots ? mem.put(S) : 0;
          const wOut = mem.fill(n), sOut = slots ? mem.fill(slots * n) : 0;
          const wPlace = mem.put(W), sPlace = slots ? mem.put(S) : 0;
          expect(b.optimizerStep(n, wIn, g, sIn, wOut, sOut, p), `${name} n=${n} out of place`).toBe(0);
          expect(b.optimizerStep(n, wPlace, g, sPlace, wPlace, sPlace, p), `${name} n=${n} in place`).toBe(0);
          expectExact(mem.get(wOut, n), mem.get(wPlace, n), `${name} n=${n} weights`);
          if (slots) expectExact(mem.get(sOut, slots * n), mem.get(sPlace, slots * n), `${name} n=${n} state`);
          expectExact(mem.get(wIn, n), W, `${name} n=${n}: wIn untouched`);
          expectExact(mem.get(g, n), G, `${name} n=${n}: g untouched`);
          if (slots) expectExact(mem.get(sIn, slots * n), S, `${name} n=${n}: stateIn untouched`);
        }
      }));

      it(`${name}: returns non-zero when a weight${kind === Opt.sgd ? '' : ' or a state value'} becomes non-finite, wherever it is`, withMem(() => {
        const slots = slotsOf(kind);
        const n = 37;
        const p = hyper(kind, 1, 0);
        const rng = new Rng(900 + kind);
        const W = rng.normals(n), G = rng.normals(n, 0.1), S = new Float32Array(slots * n).fill(0.01);
        const run = (w: Float32Array, gr: Float32Array, st: Float32Array): number => {
          const wi = mem.put(w), gi = mem.put(gr), si = slots ? mem.put(st) : 0;
          return b.optimizerStep(n, wi, gi, si, mem.fill(n), slots ? mem.fill(slots * n) : 0, p);
        };
        expect(run(W, G, S), `${name}: finite step`).toBe(0);
        // Elements in the SIMD loop, and 36 in the scalar tail (and in the last range of a threaded split).
        for (const at of [0, 17, 36]) {
          const nanG = G.slice(); nanG[at] = Number.NaN;
          expect(run(W, nanG, S), `${name}: NaN gradient at ${at}`).not.toBe(0);
          const infG = G.slice(); infG[at] = Number.POSITIVE_INFINITY;
          expect(run(W, infG, S), `${name}: infinite gradient at ${at}`).not.toBe(0);
          // A weight at the edge of f32 pushed over it by the update.
          const edgeW = W.slice(); edgeW[at] = -3.4028234e38;
          const bigG = G.slice(); bigG[at] = 1;
          const bigLr = { ...p, learningRate: 1e37 };
          const wi = mem.put(edgeW), gi = mem.put(bigG), si = slots ? mem.put(S) : 0;
          expect(b.optimizerStep(n, wi, gi, si, mem.fill(n), slots ? mem.fill(slots * n) : 0, bigLr), `${name}: weight overflow at ${at}`).not.toBe(0);
          if (slots && BOUNDED_STATE.has(kind)) {
            // Adamax's state is a convex combination (m) and a max (u) of finite values, and its
            // step m/(c1·(u + ε)) is bounded by them: finite inputs cannot overflow, and are not reported.
            for (let k = 0; k < slots; k++) {
              const bigS = S.slice(); bigS[k * n + at] = 3.4028234e38;
              const grow = G.slice(); grow[at] = 3e38;
              expect(run(W, grow, bigS), `${name}: state slot ${k} at the f32 edge at ${at} stays finite`).toBe(0);
            }
          } else if (slots) {
            // The largest f32 state, grown past it by a huge gradient (v = p1·v + g; the g² averages).
            for (let k = 0; k < slots; k++) {
              const bigS = S.slice(); bigS[k * n + at] = 3.4028234e38;
              const grow = G.slice(); grow[at] = 3e38;
              expect(run(W, grow, bigS), `${name}: state slot ${k} overflow at ${at}`).not.toBe(0);
            }
          }
        }
      }));
    }

    it("adam: Adam's v overflowing alone (the weight stays finite) is reported", withMem(() => {
      const n = 5;
      const p = hyper(Opt.adam, 1, 0);
      // v = β2·v + (1 − β2)·g² overflows while m stays finite, and w −= lr·m̂/(√v̂ + ε) leaves w finite.
      const w = mem.put([1, 1, 1, 1, 1]), g = mem.put([3e19, 0, 0, 0, 0]);
      const s = mem.put([0, 0, 0, 0, 0, 3.4e38, 0, 0, 0, 0]);
      const wOut = mem.fill(n), sOut = mem.fill(2 * n);
      expect(b.optimizerStep(n, w, g, s, wOut, sOut, p)).not.toBe(0);
      expect(Number.isFinite(mem.get(wOut, 1)[0]!)).toBe(true);
    }));

    const backendPut = (offset: number, data: Float32Array) => b.f32().set(data, offset >>> 2);

    it('clipValue actually clips: a huge gradient moves sgd by at most lr·clip', withMem(() => {
      const w = mem.put([1, 1, 1]), g = mem.put([1e6, -1e6, 0.01]);
      b.optimizerStep(3, w, g, 0, w, 0, { ...newOptimizerParams(), kind: Opt.sgd, learningRate: 0.5, clipValue: 0.1 });
      expectExact(mem.get(g, 3), Float32Array.of(1e6, -1e6, 0.01), 'clipValue clips a copy: g is unchanged');
      expectClose(mem.get(w, 3), [0.95, 1.05, 0.995], { rel: 1e-7, what: 'sgd with clipValue 0.1' });
    }));
  });

  // ---- reductions and helpers --------------------------------------------------------------
  describe('normalization: moments, normalize, normalizeGrad, movingAverage vs float64', () => {
    /** float64 reference of the three kernels for one axis. */
    /**
     * The statistics in float64; normalize and its gradient in float64 from `stats` when given (the
     * backend's own f32 mean and variance: with two rows, x − mean cancels and an f32 mean moves the
     * result by more than any fixed tolerance — the kernels are checked, not the rounding of their input).
     */
    const reference = (axis: 0 | 1, rows: number, cols: number, X: Float32Array, G: Float32Array | undefined, B: Float32Array | undefined, DY: Float32Array, eps: number,
      stats?: { mean: ArrayLike<number>; variance: ArrayLike<number> }) => {
      const groups = axis === 0 ? cols : rows, n = axis === 0 ? rows : cols;
      const at = (s: number, k: number) => (axis === 0 ? k * cols + s : s * cols + k);
      const exactMean = new Float64Array(groups), exactVariance = new Float64Array(groups);
      for (let s = 0; s < groups; s++) {
        for (let k = 0; k < n; k++) exactMean[s] += X[at(s, k)]! / n;
        for (let k = 0; k < n; k++) exactVariance[s] += (X[at(s, k)]! - exactMean[s]!) ** 2 / n;
      }
      const mean = stats?.mean ?? exactMean, variance = stats?.variance ?? exactVariance;
      const y = new Float64Array(rows * cols), dx = new Float64Array(rows * cols), dg = new Float64Array(cols), db = new Float64Array(cols);
      const xhat = new Float64Array(rows * cols), terms = new Float64Array(rows * cols);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
        const s = axis === 0 ? j : i, k = i * cols + j;
        xhat[k] = (X[k]! - mean[s]!) / Math.sqrt(variance[s]! + eps);
        y[k] = xhat[k]! * (G ? G[j]! : 1) + (B ? B[j]! : 0);
        // x − mean cancels: an f32 mean is off by ~|mean|·2⁻²⁴, which 1/sqrt(variance + ε)·gamma magnifies.
        terms[k] = ((Math.abs(X[k]!) + Math.abs(mean[s]!)) / Math.sqrt(variance[s]! + eps)) * Math.abs(G ? G[j]! : 1) + Math.abs(B ? B[j]! : 0);
        dg[j] += DY[k]! * xhat[k]!;
        db[j] += DY[k]!;
      }
      for (let s = 0; s < groups; s++) {
        let s1 = 0, s2 = 0;
        for (let k = 0; k < n; k++) { const e = at(s, k), d = DY[e]! * (G ? G[e % cols]! : 1); s1 += d; s2 += d * xhat[e]!; }
        for (let k = 0; k < n; k++) {
          const e = at(s, k), d = DY[e]! * (G ? G[e % cols]! : 1);
          dx[e] = (n * d - s1 - xhat[e]! * s2) / (n * Math.sqrt(variance[s]! + eps));
        }
      }
      return { mean: exactMean, variance: exactVariance, y, dx, dg, db, terms };
    };
    for (const axis of [0, 1] as const) {
      for (const [rows, cols] of [[1, 1], [3, 5], [17, 33], [65, 3], [2, 130], [130, 17]] as const) {
        it(`axis ${axis}, ${rows}×${cols}: with and without gamma/beta, in place too`, withMem(() => {
          const rng = new Rng(rows * 131 + cols + axis);
          const n = rows * cols, stats = axis === 0 ? cols : rows, eps = 1e-3;
          const X = Float32Array.from(rng.normals(n, 2), (v, i) => v + (i % cols) * 0.5 - 3), G = rng.uniforms(cols, 0.5, 1.5), B = rng.normals(cols), DY = rng.normals(n);
          for (const withParams of [true, false]) {
            const x = mem.put(X), g = withParams ? mem.put(G) : 0, beta = withParams ? mem.put(B) : 0;
            const mean = mem.fill(stats), variance = mem.fill(stats), y = mem.fill(n), dy = mem.put(DY), dx = mem.fill(n), dg = mem.fill(cols), db = mem.fill(cols);
            b.moments(axis, rows, cols, x, mean, variance);
            const got = { mean: mem.get(mean, stats), variance: mem.get(variance, stats) };
            const exact = reference(axis, rows, cols, X, undefined, undefined, DY, eps);
            const want = reference(axis, rows, cols, X, withParams ? G : undefined, withParams ? B : undefined, DY, eps, got);
            const what = `axis ${axis} ${rows}×${cols}${withParams ? '' : ' (no gamma/beta)'}`;
            expectClose(got.mean, exact.mean, { rel: 1e-5, abs: 1e-6, what: `${what} mean` });
            expectClose(got.variance, exact.variance, { rel: 1e-5, abs: 1e-6, what: `${what} variance` });
            b.normalize(axis, rows, cols, x, mean, variance, eps, g, beta, y);
            expectClose(mem.get(y, n), want.y, { rel: 1e-5, abs: 1e-6, scale: want.terms, what: `${what} normalize` });
            b.normalizeGrad(axis, rows, cols, x, mean, variance, eps, g, dy, dx, dg, db);
            const scale = Math.max(...want.dx.map(Math.abs));
            expectClose(mem.get(dx, n), want.dx, { rel: 1e-4, abs: 1e-5 * scale + 1e-6, what: `${what} dx` });
            expectClose(mem.get(dg, cols), want.dg, { rel: 1e-4, abs: 1e-5, what: `${what} dgamma` });
            expectClose(mem.get(db, cols), want.db, { rel: 1e-5, abs: 1e-5, what: `${what} dbeta` });
            // In place: y over x, dx over dy.
            b.normalize(axis, rows, cols, y, mean, variance, eps, g, beta, y);
            const twice = mem.get(y, n);
            b.normalize(axis, rows, cols, x, mean, variance, eps, g, beta, y);
            b.normalize(axis, rows, cols, y, mean, variance, eps, g, beta, dx);
            expectExact(twice, mem.get(dx, n), `${what} normalize in place`);
            b.normalizeGrad(axis, rows, cols, x, mean, variance, eps, g, dy, dy, dg, db);
            expectClose(mem.get(dy, n), want.dx, { rel: 1e-4, abs: 1e-5 * scale + 1e-6, what: `${what} dx in place` });
          }
        }));
      }
    }
    it('movingAverage: moving −= (moving − value)·f32(1 − momentum), n in odd sizes', withMem(() => {
      for (const n of ODD_SIZES) {
        const rng = new Rng(n);
        const M = rng.normals(n), V = rng.normals(n);
        const moving = mem.put(M), value = mem.put(V);
        b.movingAverage(n, value, moving, 0.99);
        const decay = Math.fround(1 - 0.99);
        expectClose(mem.get(moving, n), Array.from(M, (m, i) => m - (m - V[i]!) * decay), { rel: 1e-6, abs: 1e-7, what: `movingAverage n=${n}` });
      }
    }));
  });

  it('gaussianNoise: y = x + stddev·z, in place; stddev 0 is the identity; the seed changes the noise', withMem(() => {
    for (const n of ODD_SIZES) {
      const X = new Rng(n).normals(n);
      const x = mem.put(X), y = mem.fill(n), z = mem.put(new Float32Array(n)), zeroNoise = mem.fill(n);
      b.gaussianNoise(n, z, z, 1, 99);
      const Z = mem.get(z, n);
      b.gaussianNoise(n, x, y, 0.5, 99);
      expectClose(mem.get(y, n), Array.from(X, (v, i) => v + Math.fround(0.5 * Z[i]!)), { rel: 1e-6, abs: 1e-6, what: `gaussianNoise n=${n}` });
      b.gaussianNoise(n, x, x, 0.5, 99);
      expectExact(mem.get(x, n), mem.get(y, n), `gaussianNoise in place n=${n}`);
      b.f32().set(X, x >>> 2);
      b.gaussianNoise(n, x, zeroNoise, 0, 99);
      expectExact(mem.get(zeroNoise, n), X, `gaussianNoise stddev 0 n=${n}`);
      b.gaussianNoise(n, x, y, 1, 100);
      if (n > 1) expect(Array.from(mem.get(y, n))).not.toEqual(Array.from(mem.get(z, n)).map((v, i) => v + X[i]!));
    }
  }));

  it('regularize: penalty and gradient, sign(0) = 0, l1 only / l2 only / both', withMem(() => {
    for (const n of [1, 5, 33, 130]) for (const [l1, l2] of [[0.01, 0], [0, 0.02], [0.003, 0.005]] as const) {
      const rng = new Rng(n);
      const W = rng.normals(n), G = rng.normals(n);
      W[0] = 0;
      const w = mem.put(W), g = mem.put(G);
      const penalty = b.regularize(n, w, g, l1, l2);
      let want = 0;
      const wantG = Float64Array.from(G, (v, i) => v + l1 * Math.sign(W[i]!) + 2 * l2 * W[i]!);
      for (const v of W) want += l1 * Math.abs(v) + l2 * v * v;
      expectNear(penalty, want, 1e-6, `regularize penalty n=${n} l1=${l1} l2=${l2}`);
      expectClose(mem.get(g, n), wantG, { rel: 1e-6, scale: Float64Array.from(G, Math.abs), what: `regularize gradient n=${n}` });
      expectExact(mem.get(w, n), W, 'regularize must not change w');
    }
  }));

  it('gatherRows copies the indexed rows (repeats and any order)', withMem(() => {
    for (const cols of [1, 3, 5, 17]) {
      const rows = 9, srcRows = 13;
      const SRC = new Rng(cols).normals(srcRows * cols);
      const IDX = [12, 0, 5, 5, 1, 7, 12, 3, 2];
      const src = mem.put(SRC), idx = mem.putI32(IDX), dst = mem.fill(rows * cols);
      b.gatherRows(rows, cols, src, idx, dst);
      const want = new Float32Array(rows * cols);
      IDX.forEach((r, i) => want.set(SRC.subarray(r * cols, r * cols + cols), i * cols));
      expectExact(mem.get(dst, rows * cols), want, `gatherRows cols=${cols}`);
    }
  }));

  it('scale and sumSquares', withMem(() => {
    for (const n of [0, ...ODD_SIZES]) {
      const X = new Rng(n + 50).normals(n);
      const x = mem.put(X);
      let want = 0;
      for (const v of X) want += v * v;
      expectNear(b.sumSquares(n, x), want, 1e-6, `sumSquares n=${n}`);
      b.scale(n, x, -0.37);
      expectClose(mem.get(x, n), Float64Array.from(X, (v) => v * -0.37), { rel: 1e-7, what: `scale n=${n}` });
    }
  }));

  it('anyNonFinite: every NaN and ±Infinity position (vector body and scalar tail), none in finite data (±0, extremes)', withMem(() => {
    for (const n of [0, ...ODD_SIZES, 1000]) {
      const X = new Rng(n + 60).normals(n);
      if (n > 2) X.set([-0, 3.4028234663852886e38, -1.401298464324817e-45].slice(0, n), 0);
      const x = mem.put(X);
      expect(b.anyNonFinite(n, x), `finite n=${n}`).toBe(false);
      for (const i of new Set([0, n >> 1, n - 1])) {
        if (i < 0 || i >= n) continue;
        for (const bad of [Number.NaN, Infinity, -Infinity]) {
          const y = mem.put(X.map((v, j) => (j === i ? bad : v)));
          expect(b.anyNonFinite(n, y), `n=${n}, ${bad} at ${i}`).toBe(true);
        }
      }
    }
  }));

  it('accuracyCount: binary per element, categorical and sparse per row, first max wins', withMem(() => {
    const rng = new Rng(99);
    for (const [rows, cols] of [[1, 1], [3, 5], [17, 33], [33, 3]] as const) {
      const P = rng.uniforms(rows * cols, 0, 1), T = new Float32Array(rows * cols), S = new Float32Array(rows);
      P[0] = 0.5; // not > 0.5
      let wantBinary = 0, wantCat = 0;
      const argmax = (a: Float32Array, r: number) => { let best = 0; for (let j = 1; j < cols; j++) if (a[r * cols + j]! > a[r * cols + best]!) best = j; return best; };
      for (let r = 0; r < rows; r++) {
        if (cols > 2 && r % 3 === 0) { P[r * cols + 1] = 2; P[r * cols + 2] = 2; } // a tie: index 1 must win
        const c = rng.int(cols);
        T[r * cols + c] = 1;
        S[r] = r % 2 === 0 ? argmax(P, r) : c;
        if (argmax(P, r) === c) wantCat++;
      }
      for (let i = 0; i < rows * cols; i++) if ((P[i]! > 0.5) === (T[i]! > 0.5)) wantBinary++;
      const wantSparse = Array.from(S).filter((c, r) => argmax(P, r) === c).length;
      const p = mem.put(P), t = mem.put(T), s = mem.put(S);
      expect(b.accuracyCount(Accuracy.binary, rows, cols, p, t), `binary ${rows}×${cols}`).toBe(wantBinary);
      expect(b.accuracyCount(Accuracy.categorical, rows, cols, p, t), `categorical ${rows}×${cols}`).toBe(wantCat);
      expect(b.accuracyCount(Accuracy.sparse, rows, cols, p, s), `sparse ${rows}×${cols}`).toBe(wantSparse);

      const out = mem.putI32(new Int32Array(rows).fill(-7));
      b.argmaxRows(rows, cols, p, out);
      expect(Array.from(mem.getI32(out, rows)), `argmaxRows ${rows}×${cols}`).toEqual(Array.from({ length: rows }, (_, r) => argmax(P, r)));
    }
  }));

  // ---- arena -------------------------------------------------------------------------------
  describe('arena', () => {
    it('alloc returns 16-byte aligned, non-zero, non-overlapping blocks; free makes room for reuse', () => {
      const start = b.arenaBytes();
      const a = b.alloc(4), c = b.alloc(100), d = b.alloc(0);
      for (const o of [a, c, d]) { expect(o).toBeGreaterThan(0); expect(o % 16).toBe(0); }
      expect(c).toBeGreaterThanOrEqual(a + 16);
      expect(d).toBeGreaterThanOrEqual(c + 112);
      expect(b.arenaBytes()).toBe(start + 16 + 112 + 16);
      b.free(c);
      expect(b.alloc(96)).toBe(c); // first fit reuses the hole
      b.free(c); b.free(a); b.free(d);
      expect(b.arenaBytes()).toBe(start);
      expect(() => b.free(a)).toThrow(/not an allocated block/);
    });

    it('growth keeps the data, and f32()/i32() are views of the grown memory', () => {
      const small = b.alloc(64);
      b.f32().set([1, 2, 3, 4.5], small >>> 2);
      b.i32()[(small >>> 2) + 4] = -123456789;
      const before = b.f32();
      const bigBytes = 64 * 2 ** 20; // more than any initial arena here
      const big = b.alloc(bigBytes);
      const after = b.f32();
      expect(after.byteLength).toBeGreaterThanOrEqual(big + bigBytes);
      expect(after.buffer).not.toBe(before.buffer);
      expect(b.i32().buffer).toBe(after.buffer);
      expectExact(after.subarray(small >>> 2, (small >>> 2) + 4), [1, 2, 3, 4.5], 'data after growth');
      expect(b.i32()[(small >>> 2) + 4]).toBe(-123456789);
      after[(big + bigBytes - 4) >>> 2] = 7; // the last float of the big block is addressable
      b.scale(1, big + bigBytes - 4, 2);
      expect(b.f32()[(big + bigBytes - 4) >>> 2]).toBe(14);
      b.free(big); b.free(small);
    });

    it('an impossible allocation throws a RangeError that says what to do, and the backend still works', () => {
      const start = b.arenaBytes();
      expect(() => b.alloc(2 ** 33)).toThrow(RangeError);
      expect(() => b.alloc(2 ** 33)).toThrow(/memory/i);
      expect(() => b.alloc(-1)).toThrow(RangeError);
      expect(b.arenaBytes()).toBe(start);
      const x = b.alloc(12);
      b.f32().set([1, 2, 3], x >>> 2);
      expect(b.sumSquares(3, x)).toBe(14);
      b.free(x);
    });
  });
});
