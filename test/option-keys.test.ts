// Misspelt options are refused (issue 13 "Typos that are silently ignored", built on the issue 14
// descriptors): every options object the library takes throws naming the unknown key and the
// closest known one, before anything changes; tsc refuses the same object literals.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { closestKey, editDistance } from '../src/util/options.js';
import { modelBackends, useBackend } from './helpers/model.js';

describe('the closest-key helper', () => {
  it('counts insertions, deletions, substitutions and adjacent transpositions as one edit each', () => {
    expect(editDistance('classWeigth', 'classWeight')).toBe(1);
    expect(editDistance('epoch', 'epochs')).toBe(1);
    expect(editDistance('batchsize', 'batchSize')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
  it('picks the nearest key, ignoring case', () => {
    expect(closestKey('batchsize', ['epochs', 'batchSize', 'shuffle'])).toBe('batchSize');
    expect(closestKey('learnigRate', ['learningRate', 'beta1', 'beta2', 'epsilon'])).toBe('learningRate');
    expect(closestKey('x', [])).toBeUndefined();
  });
});

describe.each(modelBackends)('unknown option keys on %s', (backendName) => {
  useBackend(backendName);
  const data = () => ({ x: [[0, 1], [1, 0], [1, 1], [0, 0]], y: [[1], [1], [0], [0]] });
  const model = () => {
    const m = nn.sequential({ seed: 1, layers: [nn.layers.dense({ units: 3, inputShape: [2], activation: 'tanh' }), nn.layers.dense({ units: 1, activation: 'sigmoid' })] });
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    return m;
  };

  it("fit(x, y, { epochs: 1, classWeigth }) throws naming 'classWeight' and trains nothing", async () => {
    const m = model();
    const { x, y } = data();
    const before = m.getWeights().map((w) => Array.from(w.data));
    await expect(m.fit(x, y, { epochs: 1, classWeigth: { 0: 1 } } as never)).rejects.toThrow(/fit: unknown option 'classWeigth'; did you mean 'classWeight'\?/);
    await expect(m.fit(x, y, { epochs: 1, bogus: 3 } as never)).rejects.toThrow(/fit: unknown option 'bogus'/);
    await expect(m.fit(x, y, { epoch: 2 } as never)).rejects.toThrow(/unknown option 'epoch'; did you mean 'epochs'\?/);
    await expect(m.fit(x, y, { batchsize: 2 } as never)).rejects.toThrow(/did you mean 'batchSize'\?/);
    await expect(m.fit(x, y, { stepsPerEpoch: 3 } as never)).rejects.toThrow(/fit: option 'stepsPerEpoch' is not supported by wasm-mlp/);
    expect(m.getWeights().map((w) => Array.from(w.data))).toEqual(before);
    const h = await m.fit(x, y, { epochs: 2, batchSize: 2, shuffle: false, verbose: 0, yieldEvery: 0, initialEpoch: 0, callbacks: [] });
    expect(h.epoch).toEqual([0, 1]);
    m.dispose();
  });

  it('compile, predict, evaluate and sequential', () => {
    const m = model();
    const { x, y } = data();
    expect(() => m.compile({ optimizer: 'adam', loss: 'mse', metric: ['accuracy'] } as never)).toThrow(/compile: unknown option 'metric'; did you mean 'metrics'\?/);
    expect(m.trainingConfig?.optimizer.className).toBe('SGD'); // unchanged
    expect(() => m.predict(x, { batchsize: 2 } as never)).toThrow(/predict: unknown option 'batchsize'; did you mean 'batchSize'\?/);
    expect(() => m.evaluate(x, y, { batch: 2 } as never)).toThrow(/evaluate: unknown option 'batch'; did you mean 'batchSize'\?/);
    expect(m.predict(x, { batchSize: 3 }).shape).toEqual([4, 1]);
    expect(() => nn.sequential({ seed: 1, layer: [] } as never)).toThrow(/sequential: unknown option 'layer'; did you mean 'layers'\?/);
    m.dispose();
  });
});

describe('layers, optimizers, initializers, regularizers, setBackend and loading', () => {
  it('every layer kind', () => {
    expect(() => nn.layers.dense({ units: 2, activaton: 'relu' } as never)).toThrow(/layers.dense: unknown option 'activaton'; did you mean 'activation'\?/);
    expect(() => nn.layers.dense({ unit: 2 } as never)).toThrow(/did you mean 'units'\?/);
    expect(() => nn.layers.dense({ units: 2, inputShap: [3] } as never)).toThrow(/did you mean 'inputShape'\?/);
    expect(() => nn.layers.dropout({ rate: 0.1, seed: 1 } as never)).toThrow(/layers.dropout: unknown option 'seed'/);
    expect(() => nn.layers.activation({ activation: 'relu', alpha: 1 } as never)).toThrow(/layers.activation: unknown option 'alpha'/);
    expect(() => nn.layers.leakyRelu({ alpa: 0.2 } as never)).toThrow(/layers.leakyRelu: unknown option 'alpa'; did you mean 'alpha'\?/);
    expect(() => nn.layers.elu({ alpha: 1, activation: 'relu' } as never)).toThrow(/layers.elu: unknown option 'activation'/);
    expect(() => nn.layers.prelu({ alphaInitialiser: 'ones' } as never)).toThrow(/layers.prelu: unknown option 'alphaInitialiser'; did you mean 'alphaInitializer'\?/);
    expect(nn.layers.leakyRelu({ alpha: 0.2, name: 'l' }).alpha).toBe(0.2);
  });

  it('every optimizer', () => {
    const O = nn.optimizers;
    expect(() => O.adam({ learnigRate: 0.1 } as never)).toThrow(/optimizers.adam: unknown option 'learnigRate'; did you mean 'learningRate'\?/);
    expect(() => O.sgd({ momentun: 0.9 } as never)).toThrow(/optimizers.sgd: unknown option 'momentun'; did you mean 'momentum'\?/);
    expect(() => O.rmsprop({ centred: true } as never)).toThrow(/did you mean 'centered'\?/);
    expect(() => O.adagrad({ initialAccumulator: 0.1 } as never)).toThrow(/did you mean 'initialAccumulatorValue'\?/);
    expect(() => O.adamw({ weight_decay: 0.1 } as never)).toThrow(/optimizers.adamw: unknown option 'weight_decay'; did you mean 'weightDecay'\?/);
    expect(() => O.adam({ clipnorm: 1 } as never)).toThrow(/did you mean 'clipNorm'\?/);
    expect(O.adamw({ weightDecay: 0.1, clipValue: 1, beta1: 0.8 }).weightDecay).toBe(0.1);
  });

  it('initializers and regularizers', () => {
    expect(() => nn.initializers.constant({ val: 1 } as never)).toThrow(/initializers.constant: unknown option 'val'; did you mean 'value'\?/);
    expect(() => nn.initializers.randomUniform({ minVal: 0 } as never)).toThrow(/did you mean 'minval'\?/);
    expect(() => nn.initializers.randomNormal({ std: 1 } as never)).toThrow(/initializers.randomNormal: unknown option 'std'/);
    expect(() => nn.regularizers.l1l2({ l3: 1 } as never)).toThrow(/regularizers.l1l2: unknown option 'l3'/);
    expect(() => nn.regularizers.l2({ l1: 1 } as never)).toThrow(/regularizers.l2: unknown option 'l1'; did you mean 'l2'\?/);
    expect(nn.regularizers.l2(0.5).l2).toBe(0.5);
  });

  it('setBackend, setLoadLimits, fromArtifacts and loadModel', async () => {
    await expect(nn.setBackend('wasm', { thread: 2 } as never)).rejects.toThrow(/setBackend: unknown option 'thread'; did you mean 'threads'\?/);
    expect(() => nn.setLoadLimits({ maxLayer: 3 } as never)).toThrow(/setLoadLimits: unknown option 'maxLayer'; did you mean 'maxLayers'\?/);
    const m = nn.sequential({ seed: 2, layers: [nn.layers.dense({ units: 2, inputShape: [2] })] });
    const a = m.toArtifacts();
    await expect(nn.fromArtifacts(a, { compiled: false } as never)).rejects.toThrow(/fromArtifacts: unknown option 'compiled'; did you mean 'compile'\?/);
    await expect(nn.loadModel('file://./nowhere/model.json', { maxWeightByte: 10 } as never)).rejects.toThrow(/loadModel: unknown option 'maxWeightByte'; did you mean 'maxWeightBytes'\?/);
    const back = await nn.fromArtifacts(a, { compile: false, maxLayers: 5 });
    expect(back.layers.length).toBe(1);
    m.dispose();
    back.dispose();
  });
});

describe('TypeScript refuses the same misspellings', () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(root, 'test', '.tmp-types-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('object literals with unknown keys do not compile; correct ones do', () => {
    const file = path.join(dir, 'typos.ts');
    writeFileSync(file, `import * as nn from '../../src/index.js';
const m = nn.sequential({ layers: [nn.layers.dense({ units: 1, inputShape: [2] })] });
m.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.1 }), loss: 'mse' });
void m.fit([[1, 2]], [[1]], { epochs: 1, batchSize: 1 });
void m.fit([[1, 2]], [[1]], { epochs: 1, classWeigth: { 0: 1 } });
nn.optimizers.adam({ learnigRate: 0.1 });
nn.layers.dense({ units: 2, activaton: 'relu' });
void nn.setBackend('wasm', { thread: 2 });
`);
    let out = '';
    try {
      execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--target', 'ES2022', '--module', 'ESNext',
        '--moduleResolution', 'Bundler', '--lib', 'ES2022,DOM,WebWorker', '--types', 'node', '--skipLibCheck', '--ignoreConfig', file], { cwd: root, encoding: 'utf8' });
    } catch (e) {
      out = String((e as { stdout?: string }).stdout ?? e);
    }
    const errors = out.split('\n').filter((l) => l.includes('error TS'));
    expect(errors.some((l) => /classWeigth/.test(l)), out).toBe(true);
    expect(errors.some((l) => /learnigRate/.test(l)), out).toBe(true);
    expect(errors.some((l) => /activaton/.test(l)), out).toBe(true);
    expect(errors.some((l) => /thread/.test(l)), out).toBe(true);
    expect(errors.length, out).toBe(4); // the correct lines compile
  }, 120_000);
});
