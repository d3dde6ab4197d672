/**
 * ONNX export, with ONNX Runtime (onnxruntime-node) as the oracle: for every activation and
 * layer kind, on both backends, ORT's outputs equal our predictions within 1e-5, at two batch
 * sizes (the batch dimension is dynamic). The graph is opset 17 with named input/output, Dropout
 * and GaussianNoise left out, batch normalization with its moving statistics, and (where the Python venv exists) passes onnx.checker's full check.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { python, runPython } from './helpers/python.js';

const dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-onnx-'));
const rows = (n: number, d: number, seed: number): number[][] =>
  Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, j) => Math.sin(seed + i * 1.3 + j * 0.7) * 3));

const L = nn.layers;
const ACTIVATIONS = ['linear', 'step', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'elu', 'selu', 'softplus', 'swish', 'gelu', 'softmax'] as const;

function models(): Record<string, nn.Sequential> {
  const out: Record<string, nn.Sequential> = {};
  for (const act of ACTIVATIONS) {
    out[`act_${act}`] = nn.sequential({ seed: 11, layers: [L.dense({ units: 13, activation: act, inputShape: [5] }), L.dense({ units: 3, activation: act })] });
  }
  out.kinds = nn.sequential({
    seed: 2,
    layers: [
      L.dense({ units: 9, inputShape: [5] }),
      L.dropout({ rate: 0.5 }),
      L.prelu({ alphaInitializer: nn.initializers.randomUniform({ minval: 0.1, maxval: 0.5 }) }),
      L.dense({ units: 7, useBias: false }),
      L.leakyRelu({ alpha: 0.2 }),
      L.elu({ alpha: 0.7 }),
      L.activation({ activation: 'swish' }),
      L.dense({ units: 4 }),
      L.activation({ activation: 'softmax' }),
    ],
  });
  out.only_dropout_after = nn.sequential({ seed: 4, layers: [L.dense({ units: 2, inputShape: [5] }), L.dropout({ rate: 0.1 })] });
  // Inference: batch norm with its moving statistics (every center/scale combination), layer norm, noise off.
  const norm = nn.sequential({
    seed: 9,
    layers: [
      L.dense({ units: 9, activation: 'relu', inputShape: [5] }),
      L.batchNormalization({ epsilon: 0.01 }),
      L.gaussianNoise({ stddev: 0.5 }),
      L.dense({ units: 7 }),
      L.batchNormalization({ center: false }),
      L.batchNormalization({ scale: false }),
      L.layerNormalization({ center: false, epsilon: 1e-4 }),
      L.dense({ units: 6 }),
      L.layerNormalization({ scale: false }),
      L.layerNormalization(),
      L.dense({ units: 3 }),
    ],
  });
  norm.setWeights(norm.getWeights().map((w, t) => ({ shape: w.shape, data: Float32Array.from(w.data, (_, i) => (w.name.endsWith('variance') ? 0.4 + Math.abs(Math.cos(t + i)) : Math.sin(2 * t + i * 1.1) * 0.7)) })));
  out.norm = norm;
  return out;
}

describe('ONNX export (oracle: ONNX Runtime)', () => {
  for (const backend of ['js', 'wasm'] as const) {
    it(`${backend}: ORT outputs equal ours within 1e-5 for every activation and layer kind, any batch size`, async () => {
      await nn.setBackend(backend);
      for (const [name, m] of Object.entries(models())) {
        const file = join(dir, `${backend}-${name}.onnx`);
        const saved = await m.save(`file://${file}`);
        expect(saved.files).toEqual([file]);
        const session = await ort.InferenceSession.create(readFileSync(file));
        expect(session.inputNames).toEqual(['input']);
        expect(session.outputNames).toEqual(['output']);
        for (const n of [1, 7]) {
          const x = rows(n, 5, n + name.length);
          const got = await session.run({ input: new ort.Tensor('float32', Float32Array.from(x.flat()), [n, 5]) });
          const out = got.output!;
          expect(out.dims).toEqual([n, m.outputUnits]);
          expectClose(out.data as Float32Array, m.predict(x).data, { rel: 1e-5, abs: 1e-5, what: `${backend} ${name} batch ${n}: ORT vs ours` });
        }
        await session.release();
        m.dispose();
      }
    }, 120_000);
  }

  it('writes Gemm/MatMul, the activation ops and no Dropout, opset 17 (checked by onnx.checker where Python is set up)', async () => {
    await nn.setBackend('js');
    const m = models().kinds!;
    const file = join(dir, 'kinds-check.onnx');
    await m.save(`file://${file}`);
    const bytes = readFileSync(file).toString('latin1');
    for (const op of ['Gemm', 'MatMul', 'PRelu', 'LeakyRelu', 'Elu', 'Sigmoid', 'Mul', 'Softmax']) expect(bytes).toContain(op);
    expect(bytes).not.toContain('Dropout');
    if (python) {
      const r = runPython('test/python/onnx_check.py', { files: [file, join(dir, 'js-act_gelu.onnx'), join(dir, 'js-act_step.onnx')] });
      expect(r.map((x: { opset: number }) => x.opset)).toEqual([17, 17, 17]);
      expect(r[0].inputs).toEqual([['input', ['batch', 5]]]);
      expect(r[0].outputs).toEqual([['output', ['batch', 4]]]);
      expect(r[0].ops).not.toContain('Dropout');
    }
  }, 120_000);

  it('writes BatchNormalization (inference) and LayerNormalization ops, no noise (onnx.checker where Python is set up)', async () => {
    await nn.setBackend('js');
    const m = models().norm!;
    const file = join(dir, 'norm-check.onnx');
    await m.save(`file://${file}`);
    const bytes = readFileSync(file).toString('latin1');
    for (const op of ['BatchNormalization', 'LayerNormalization', 'Gemm', 'Relu']) expect(bytes).toContain(op);
    expect(bytes).not.toMatch(/Noise|RandomNormal/);
    if (python) {
      const r = runPython('test/python/onnx_check.py', { files: [file] });
      expect(r[0].opset).toBe(17);
      expect(r[0].ops).toEqual(expect.arrayContaining(['BatchNormalization', 'LayerNormalization', 'Gemm', 'Relu']));
      expect(r[0].outputs).toEqual([['output', ['batch', 3]]]);
    }
    m.dispose();
  }, 120_000);

  it('refuses to load an .onnx file (export only) with a clear message', async () => {
    await expect(nn.loadModel(`file://${dir}/js-kinds.onnx`)).rejects.toThrow(/ONNX files are export-only/);
  });
});

afterAll(async () => {
  await nn.setBackend('js');
});
