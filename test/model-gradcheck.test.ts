/**
 * Whole-network finite-difference gradient check, on every backend, for every layer type and
 * every loss. The model does not expose gradients, so one SGD step with learning rate η = 1
 * reveals them: w_after = w − η·g, hence g = (w_before − w_after)/η. Each weight (all of them —
 * the networks are small) is then perturbed by ±h through setWeights and `evaluate` gives the
 * central difference (L(w+h) − L(w−h)) / (real f32 step). No regularisers here (evaluate leaves
 * the penalty out), and dropout only with rate 0 (evaluate runs in inference mode).
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
}

const d = (units: number, activation: Act, first = false) => nn.layers.dense({ units, activation, ...(first ? { inputShape: [IN] } : {}) });
const mlp = (hidden: Act, output: Act) => () => [d(7, hidden, true), d(6, hidden), d(OUT, output)];

const CASES: Case[] = [
  ...(['linear', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'elu', 'selu', 'softplus', 'swish', 'gelu', 'softmax'] as Act[]).map(
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
    expect(Math.abs(trainLoss - L0), `trainOnBatch loss ${trainLoss} vs evaluate loss ${L0}`).toBeLessThanOrEqual(1e-6 * Math.abs(L0) + 1e-7);
    const after = model.getWeights();
    const g = after.map((w, t) => Array.from(w.data, (v, i) => base[t]!.data[i]! - v));

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
});
