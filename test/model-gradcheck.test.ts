/**
 * Whole-network finite-difference gradient check, on every backend, for every layer type and
 * every loss. The model does not expose gradients, so one SGD step with learning rate η = 1
 * reveals them: w_after = w − η·g, hence g = (w_before − w_after)/η. Each weight (all of them —
 * the networks are small) is then perturbed by ±h through setWeights and `evaluate` gives the
 * central difference (L(w+h) − L(w−h)) / (real f32 step). evaluate leaves regularisation
 * penalties out, so with regularisers their gradient l1·sign(w) + 2·l2·w is subtracted from the
 * step; dropout only with rate 0 (evaluate runs in inference mode). clipValue / clipNorm are
 * checked against the unclipped gradient at the end.
 *
 * Tolerance, per weight: |fd − g| ≤ 2e-2·|g| + 2e-3·max|g| (max over the network), and over the
 * whole network ‖fd − g‖₂ ≤ 1e-2·‖g‖₂. f32 loss noise / 2h and the O(h²) truncation stay well
 * inside; a wrong factor, sign or missing term does not.
 * h = 1e-2, or 1e-3 for networks with kinks (ReLU family, SELU, ELU with α ≠ 1, PReLU, MAE, step).
 * In those networks a weight whose ±h moves some unit across a kink is recognised by its one-sided
 * differences disagreeing by > 5% and is skipped — at most a quarter of them, or the case fails.
 */
import { describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { modelBackends, oneHot, Rng, useBackend } from './helpers/model.js';

const IN = 5;
const ROWS = 6;
const OUT = 3;
/** Step for smooth networks; networks with kinks (ReLU family, SELU, ELU(α≠1), PReLU, MAE, step) use 1e-3. */
const H_SMOOTH = 1e-2;
const H_KINKED = 1e-3;

type Loss = 'meanSquaredError' | 'meanAbsoluteError' | 'binaryCrossentropy' | 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy';
type Act = nn.layers.ActivationName;

interface Case {
  name: string;
  layers: () => nn.layers.Layer[];
  loss: Loss;
  /** For BCE on a linear output: keep outputs inside (0, 1). */
  outputBias?: number;
  outputKernelScale?: number;
  /** Indices of weight arrays whose gradient must be exactly zero (behind a step activation). */
  zeroGrad?: number[];
  /** The loss has kinks (non-differentiable points): smaller step, and kink detection. */
  kinked?: boolean;
  /** Regulariser of each weight array (getWeights order): its gradient is subtracted from the SGD step. */
  penalties?: ({ l1: number; l2: number } | undefined)[];
}

const d = (units: number, activation: Act, first = false) => nn.layers.dense({ units, activation, ...(first ? { inputShape: [IN] } : {}) });
const mlp = (hidden: Act, output: Act) => () => [d(7, hidden, true), d(6, hidden), d(OUT, output)];

const CASES: Case[] = [
  ...(['linear', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'elu', 'selu', 'softplus', 'swish', 'gelu', 'mish', 'softmax'] as Act[]).map(
    (a): Case => ({ name: `dense ${a}`, layers: mlp(a, 'linear'), loss: 'meanSquaredError', kinked: ['relu', 'leakyRelu', 'selu'].includes(a) }),
  ),
  {
    // The step's derivative is zero, so nothing before it learns; the layers after it do.
    name: 'dense step (zero gradient before it)', loss: 'meanSquaredError', zeroGrad: [0, 1], kinked: true,
    layers: () => [d(7, 'step', true), d(6, 'tanh'), d(OUT, 'linear')],
  },
  {
    name: 'LeakyReLU layer (alpha 0.2)', loss: 'meanSquaredError', kinked: true,
    layers: () => [d(7, 'linear', true), nn.layers.leakyRelu({ alpha: 0.2 }), d(6, 'linear'), nn.layers.leakyRelu(), d(OUT, 'linear')],
  },
  {
    name: 'PReLU layers (incl. the alpha gradient)', loss: 'meanSquaredError', kinked: true,
    layers: () => [d(7, 'linear', true), nn.layers.prelu(), d(6, 'linear'), nn.layers.prelu(), d(OUT, 'linear')],
  },
  {
    name: 'ELU layers (alpha 1 and 0.6)', loss: 'meanSquaredError', kinked: true,
    layers: () => [d(7, 'linear', true), nn.layers.elu(), d(6, 'linear'), nn.layers.elu({ alpha: 0.6 }), d(OUT, 'linear')],
  },
  {
    name: 'Activation layers (sigmoid, gelu)', loss: 'meanSquaredError',
    layers: () => [d(7, 'linear', true), nn.layers.activation({ activation: 'sigmoid' }), d(6, 'linear'), nn.layers.activation({ activation: 'gelu' }), d(OUT, 'linear')],
  },
  {
    name: 'Dropout with rate 0', loss: 'meanSquaredError',
    layers: () => [d(7, 'tanh', true), nn.layers.dropout({ rate: 0 }), d(6, 'tanh'), nn.layers.dropout({ rate: 0 }), d(OUT, 'linear')],
  },
  {
    // evaluate leaves the penalty out, the SGD step does not: g − (l1·sign(w) + 2·l2·w) must match
    // the finite differences, and trainOnBatch must return evaluate's loss + Σ(l1·|w| + l2·w²).
    name: 'L1, L2 and L1L2 kernel/bias regularisers', loss: 'meanSquaredError',
    layers: () => [
      nn.layers.dense({ units: 7, activation: 'tanh', inputShape: [IN], kernelRegularizer: nn.regularizers.l1l2({ l1: 0.01, l2: 0.02 }), biasRegularizer: nn.regularizers.l2(0.05) }),
      nn.layers.dense({ units: 6, activation: 'sigmoid', kernelRegularizer: nn.regularizers.l1(0.03) }),
      nn.layers.dense({ units: OUT, kernelRegularizer: nn.regularizers.l2(0.04) }),
    ],
    penalties: [{ l1: 0.01, l2: 0.02 }, { l1: 0, l2: 0.05 }, { l1: 0.03, l2: 0 }, undefined, { l1: 0, l2: 0.04 }, undefined],
  },
  { name: 'meanAbsoluteError', layers: mlp('tanh', 'linear'), loss: 'meanAbsoluteError', kinked: true },
  { name: 'binaryCrossentropy + sigmoid (fused)', layers: mlp('tanh', 'sigmoid'), loss: 'binaryCrossentropy' },
  { name: 'binaryCrossentropy on a linear output (not fused)', layers: mlp('tanh', 'linear'), loss: 'binaryCrossentropy', outputBias: 0.5, outputKernelScale: 0.15 },
  { name: 'binaryCrossentropy after Activation(sigmoid) (fused)', layers: () => [...mlp('tanh', 'linear')(), nn.layers.activation({ activation: 'sigmoid' })], loss: 'binaryCrossentropy' },
  { name: 'categoricalCrossentropy + softmax (fused)', layers: mlp('tanh', 'softmax'), loss: 'categoricalCrossentropy' },
  { name: 'categoricalCrossentropy after Activation(softmax) (fused)', layers: () => [...mlp('relu', 'linear')(), nn.layers.activation({ activation: 'softmax' })], loss: 'categoricalCrossentropy', kinked: true },
  { name: 'categoricalCrossentropy on sigmoid outputs (not fused)', layers: mlp('tanh', 'sigmoid'), loss: 'categoricalCrossentropy' },
  { name: 'sparseCategoricalCrossentropy + softmax (fused)', layers: mlp('tanh', 'softmax'), loss: 'sparseCategoricalCrossentropy' },
  { name: 'sparseCategoricalCrossentropy on sigmoid outputs (not fused)', layers: mlp('swish', 'sigmoid'), loss: 'sparseCategoricalCrossentropy' },
  { name: 'meanSquaredError on a softmax output', layers: mlp('tanh', 'softmax'), loss: 'meanSquaredError' },
];

function makeData(loss: Loss, rng: Rng): { x: nn.Tensor2D; y: nn.Tensor2D | number[] } {
  const x = nn.tensor2d(rng.normals(ROWS * IN), [ROWS, IN]);
  const ids = Array.from({ length: ROWS }, (_, r) => (r + rng.int(2)) % OUT);
  switch (loss) {
    case 'meanSquaredError':
    case 'meanAbsoluteError':
      return { x, y: nn.tensor2d(rng.normals(ROWS * OUT), [ROWS, OUT]) };
    case 'binaryCrossentropy':
      return { x, y: nn.tensor2d(Float32Array.from({ length: ROWS * OUT }, () => (rng.next() < 0.5 ? 1 : 0)), [ROWS, OUT]) };
    case 'categoricalCrossentropy':
      return { x, y: oneHot(ids, OUT) };
    case 'sparseCategoricalCrossentropy':
      return { x, y: ids };
  }
}

/** Seeded weights: kernels U(−0.8, 0.8), biases U(−0.3, 0.3), PReLU alphas U(0.05, 0.4). */
function seedWeights(model: nn.Sequential, rng: Rng, c: Case): { shape: number[]; data: Float32Array }[] {
  const ws = model.getWeights();
  const last = ws.length - 1;
  return ws.map((w, t) => {
    const kind = w.name.split('/').pop();
    const data = new Float32Array(w.data.length);
    for (let i = 0; i < data.length; i++) {
      if (kind === 'kernel') data[i] = rng.uniform(-0.8, 0.8) * (t === last - 1 ? c.outputKernelScale ?? 1 : 1);
      else if (kind === 'alpha') data[i] = rng.uniform(0.05, 0.4);
      else data[i] = t === last && c.outputBias !== undefined ? c.outputBias : rng.uniform(-0.3, 0.3);
    }
    return { shape: w.shape, data };
  });
}

describe.each(modelBackends)('%s backend: finite differences vs one SGD step', (backend) => {
  useBackend(backend);

  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s', (_name, c, index) => {
    const rng = new Rng(500 + index);
    const model = nn.sequential({ seed: 1, layers: c.layers() });
    model.compile({ optimizer: nn.optimizers.sgd({ learningRate: 1 }), loss: c.loss });
    const { x, y } = makeData(c.loss, rng);
    const base = seedWeights(model, rng, c);
    model.setWeights(base);
    const names = model.getWeights().map((w) => w.name);
    const lossAt = () => model.evaluate(x, y).loss;
    const L0 = lossAt();

    // Central differences for every weight.
    const h = c.kinked ? H_KINKED : H_SMOOTH;
    const fd: number[][] = [];
    let skipped = 0, total = 0;
    const kinks: string[] = [];
    for (let t = 0; t < base.length; t++) {
      fd.push([]);
      const data = base[t]!.data;
      for (let i = 0; i < data.length; i++) {
        const w = data[i]!;
        const wp = Math.fround(w + h), wm = Math.fround(w - h);
        data[i] = wp; model.setWeights(base); const Lp = lossAt();
        data[i] = wm; model.setWeights(base); const Lm = lossAt();
        data[i] = w;
        const fwd = (Lp - L0) / (wp - w), bwd = (L0 - Lm) / (w - wm);
        total++;
        if (c.kinked && Math.abs(fwd - bwd) > 0.05 * Math.max(Math.abs(fwd), Math.abs(bwd)) + 1e-3) {
          fd[t]!.push(Number.NaN); // a kink within ±h: no reliable derivative here
          skipped++;
          kinks.push(`${names[t]}[${i}]`);
        } else {
          fd[t]!.push((Lp - Lm) / (wp - wm));
        }
      }
    }
    model.setWeights(base);

    // The analytic gradient, from one SGD step with η = 1.
    const trainLoss = model.trainOnBatch(x, y);
    let penalty = 0;
    c.penalties?.forEach((p, t) => { if (p) for (const w of base[t]!.data) penalty += p.l1 * Math.abs(w) + p.l2 * w * w; });
    if (c.penalties) expect(penalty, 'the penalty must matter').toBeGreaterThan(0.01 * L0);
    const wantTrainLoss = L0 + penalty;
    expect(Math.abs(trainLoss - wantTrainLoss), `trainOnBatch loss ${trainLoss} vs evaluate loss + penalty ${wantTrainLoss}`).toBeLessThanOrEqual(1e-6 * Math.abs(wantTrainLoss) + 1e-7);
    const after = model.getWeights();
    const g = after.map((w, t) => Array.from(w.data, (v, i) => {
      const w0 = base[t]!.data[i]!;
      const p = c.penalties?.[t];
      return base[t]!.data[i]! - v - (p ? p.l1 * Math.sign(w0) + 2 * p.l2 * w0 : 0);
    }));

    expect(skipped, `weights at a kink: ${kinks.join(', ')}`).toBeLessThanOrEqual(total / 4);
    for (const t of c.zeroGrad ?? []) {
      expect(g[t]!.every((v) => v === 0), `${names[t]}: gradient must be exactly 0 behind a step`).toBe(true);
    }
    let maxG = 0;
    for (const gt of g) for (const v of gt) maxG = Math.max(maxG, Math.abs(v));
    expect(maxG, 'largest gradient (the check needs a non-trivial gradient)').toBeGreaterThan(1e-3);
    let num = 0, den = 0;
    const bad: string[] = [];
    for (let t = 0; t < g.length; t++) {
      if (!(c.zeroGrad ?? []).includes(t)) {
        expect(g[t]!.some((v) => v !== 0), `${names[t]}: some gradient should be non-zero`).toBe(true);
      }
      for (let i = 0; i < g[t]!.length; i++) {
        const a = g[t]![i]!, f = fd[t]![i]!;
        if (Number.isNaN(f)) continue;
        num += (a - f) ** 2;
        den += a * a;
        if (!(Math.abs(a - f) <= 2e-2 * Math.abs(a) + 2e-3 * maxG)) bad.push(`${names[t]}[${i}]: backprop ${a.toExponential(4)}, finite difference ${f.toExponential(4)}`);
      }
    }
    expect(bad, `${bad.length} weights out of tolerance`).toEqual([]);
    expect(Math.sqrt(num), `‖fd − g‖ vs ‖g‖ = ${Math.sqrt(den)}`).toBeLessThanOrEqual(1e-2 * Math.sqrt(den) + 1e-9);
    model.dispose();
  });

  describe('gradient clipping (Keras clipvalue / per-weight clipnorm) on top of the gradient', () => {
    const setup = (optimizer: nn.optimizers.Optimizer) => {
      const rng = new Rng(900);
      const model = nn.sequential({ seed: 1, layers: mlp('tanh', 'linear')() });
      model.compile({ optimizer, loss: 'meanSquaredError' });
      const { x, y } = makeData('meanSquaredError', rng);
      const base = seedWeights(model, rng, { name: '', layers: mlp('tanh', 'linear'), loss: 'meanSquaredError' });
      model.setWeights(base);
      model.trainOnBatch(x, y);
      const step = model.getWeights().map((w, t) => Float64Array.from(w.data, (v, i) => base[t]!.data[i]! - v));
      model.dispose();
      return step;
    };
    const g = () => setup(nn.optimizers.sgd({ learningRate: 1 }));

    it('clipValue clamps every element to [−c, c]', () => {
      const full = g();
      const all = full.flatMap((a) => Array.from(a, Math.abs)).sort((a, b) => a - b);
      const c = all[Math.floor(all.length / 2)]!; // the median: half the elements get clipped
      const clipped = setup(nn.optimizers.sgd({ learningRate: 1, clipValue: c }));
      let clippedCount = 0;
      full.forEach((a, t) => a.forEach((v, i) => {
        const want = Math.max(-c, Math.min(c, v));
        if (want !== v) clippedCount++;
        expect(Math.abs(clipped[t]![i]! - want), `weight ${t}[${i}]: ${v} clipped to ±${c}`).toBeLessThanOrEqual(1e-6 * Math.abs(want) + 1e-7);
      }));
      expect(clippedCount).toBeGreaterThan(10);
    });

    it('clipNorm rescales each weight array whose L2 norm exceeds c', () => {
      const full = g();
      const norms = full.map((a) => Math.sqrt(a.reduce((s, v) => s + v * v, 0)));
      const c = (Math.min(...norms) + Math.max(...norms)) / 2; // some arrays clipped, some not
      const clipped = setup(nn.optimizers.sgd({ learningRate: 1, clipNorm: c }));
      expect(norms.some((n) => n > c) && norms.some((n) => n <= c)).toBe(true);
      full.forEach((a, t) => a.forEach((v, i) => {
        const want = norms[t]! > c ? (v * c) / norms[t]! : v;
        expect(Math.abs(clipped[t]![i]! - want), `weight ${t}[${i}] (norm ${norms[t]}, clipNorm ${c})`).toBeLessThanOrEqual(1e-5 * Math.abs(want) + 1e-7);
      }));
    });
  });
});
