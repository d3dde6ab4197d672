/**
 * Damaged and hostile .keras / zip files are refused with a clear Error, before anything large is
 * allocated, and nothing is left behind: truncation, bit flips (CRC), missing entries, zip bombs
 * (declared sizes over the caps), too many entries, non-zip and non-HDF5 bytes, float64 or
 * oversized datasets, non-finite weights, Keras 2 metadata, custom classes, step activation on save.
 * Also: .keras from a File/Blob, from http(s):// with the byte cap, and atomic file:// saves.
 * These need no Python (the files are made by our writer and edited here).
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { artifactsToKeras } from '../src/io/keras/index.js';

const dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-keras-bad-'));
let good: Uint8Array;
let model: nn.Sequential;
const X = [[0.5, -1, 2], [1, 1, 1]];

const blob = (bytes: Uint8Array, name = 'model.keras') => new File([bytes as BlobPart], name);
const load = (bytes: Uint8Array, options: nn.LoadModelOptions = {}) => nn.loadModel(blob(bytes), options);
/** Re-zip with changed entries (stored, like Keras). */
function rezip(edit: (files: Record<string, Uint8Array>) => void): Uint8Array {
  const files = unzipSync(good);
  edit(files);
  return zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, [v, { level: 0 }]])) as never);
}
function editConfig(edit: (c: any) => void): Uint8Array {
  return rezip((f) => {
    const c = JSON.parse(strFromU8(f['config.json']!));
    edit(c);
    f['config.json'] = strToU8(JSON.stringify(c));
  });
}

beforeAll(async () => {
  await nn.setBackend('js');
  model = nn.sequential({ seed: 1, layers: [nn.layers.dense({ units: 4, activation: 'relu', inputShape: [3] }), nn.layers.prelu(), nn.layers.dense({ units: 2, activation: 'softmax' })] });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  good = await artifactsToKeras(model.toArtifacts());
});

describe('.keras from memory, File/Blob and http', () => {
  it('loads a good file from a File, a plain Blob and http(s):// and predicts the same', async () => {
    const want = Array.from(model.predict(X).data);
    expect(Array.from((await load(good)).predict(X).data)).toEqual(want);
    expect(Array.from((await nn.loadModel(new Blob([good as BlobPart]))).predict(X).data)).toEqual(want);
    const fetch = async (url: string | URL | Request) => {
      expect(String(url)).toBe('https://models.example/m.keras');
      return new Response(good as BlobPart, { headers: { 'content-length': String(good.length) } });
    };
    expect(Array.from((await nn.loadModel('https://models.example/m.keras', { fetch: fetch as typeof globalThis.fetch })).predict(X).data)).toEqual(want);
    const liar = async () => new Response(new Uint8Array(4 << 20) as BlobPart);
    await expect(nn.loadModel('https://x.example/m.keras', { fetch: liar as never, maxWeightBytes: 1024, maxJsonBytes: 1024, maxLayers: 4 })).rejects.toThrow(/larger than allowed/);
  });

  it('file:// saves are atomic and leave no temporary files; a .keras save of a step activation is refused', async () => {
    const file = join(dir, 'sub', 'm.keras');
    await model.save(`file://${file}`);
    await model.save(`file://${file}`);
    expect(readdirSync(join(dir, 'sub'))).toEqual(['m.keras']);
    const step = nn.sequential({ layers: [nn.layers.dense({ units: 2, activation: 'step', inputShape: [2] })] });
    await expect(step.save(`file://${dir}/step.keras`)).rejects.toThrow(/activation 'step' has no Keras 3 equivalent/);
    expect(readdirSync(dir)).not.toContain('step.keras');
  });
});

describe('damaged and hostile .keras files are refused', () => {
  const cases: [string, () => Uint8Array, RegExp, nn.LoadModelOptions?][] = [
    ['empty', () => new Uint8Array(0), /not a \.keras file|not a valid zip/],
    ['not a zip', () => strToU8('{"modelTopology": {}}'), /not a \.keras file/],
    ['truncated', () => good.slice(0, good.length - 100), /not a valid zip|damaged|truncated/],
    ['cut in half', () => good.slice(0, good.length >> 1), /not a valid zip/],
    ['a flipped weight byte (CRC)', () => {
      const b = good.slice();
      const h5 = findEntry(b, 'model.weights.h5');
      b[h5 + 3000 < b.length ? h5 + 3000 : h5 + 100]! ^= 0x40;
      return b;
    }, /CRC-32 mismatch/],
    ['no weights entry', () => rezip((f) => { delete f['model.weights.h5']; }), /has no model\.weights\.h5/],
    ['no config entry', () => rezip((f) => { delete f['config.json']; }), /has no config\.json/],
    ['config.json over maxJsonBytes', () => good, /config\.json is \d+ bytes uncompressed, more than the 100 bytes allowed/, { maxJsonBytes: 100 }],
    ['weights over maxWeightBytes', () => good, /the weights total more than the 16 bytes allowed/, { maxWeightBytes: 16 }],
    ['a zip bomb (declared size over the cap)', () => zipSync({ 'config.json': [new Uint8Array(64 << 20), { level: 9 }], 'metadata.json': strToU8('{}'), 'model.weights.h5': new Uint8Array(8) } as never), /config\.json is 64\.0 MiB .* uncompressed, more than/],
    ['too many entries', () => zipSync(Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [`f${i}`, new Uint8Array(0)]))), /10001 entries/],
    ['not UTF-8 config', () => rezip((f) => { f['config.json'] = new Uint8Array([0xff, 0xfe, 0x00]); }), /config\.json is not UTF-8/],
    ['config.json not JSON', () => rezip((f) => { f['config.json'] = strToU8('{"class_name": '); }), /config\.json/],
    ['Keras 2 metadata', () => rezip((f) => { f['metadata.json'] = strToU8('{"keras_version": "2.15.0"}'); }), /keras_version "2\.15\.0"; wasm-mlp reads \.keras files written by Keras 3/],
    ['weights not HDF5', () => rezip((f) => { f['model.weights.h5'] = strToU8('not hdf5 at all, just text padding'); }), /model\.weights\.h5 is not an HDF5 file/],
    ['weights HDF5 garbage after the signature', () => rezip((f) => { const w = f['model.weights.h5']!.slice(0, 600); w.fill(7, 8); f['model.weights.h5'] = w; }), /model\.weights\.h5 is damaged or not readable/],
    ['a layer class we lack', () => editConfig((c) => { c.config.layers[2].class_name = 'Conv1D'; }), /layer class 'Conv1D' is not supported; wasm-mlp loads Dense, Dropout/],
    ['a custom registered class', () => editConfig((c) => { c.config.layers[1].registered_name = 'my_pkg>Dense'; }), /custom registered class "my_pkg>Dense"/],
    ['a Functional model', () => editConfig((c) => { c.class_name = 'Functional'; }), /model class "Functional" is not supported/],
    ['a lambda activation', () => editConfig((c) => { c.config.layers[1].config.activation = { class_name: '__lambda__', config: { code: 'print(1)' } }; }), /activation .* is not supported/],
    ['weights for another shape', () => editConfig((c) => { c.config.layers[1].config.units = 5; }), /has shape \[3,4\] but the layer needs \[3,5\]|needs \[5\]/],
    ['an extra weight in a layer', () => editConfig((c) => { c.config.layers[1].config.use_bias = false; }), /holds 2 variables, but the layer has 1/],
    ['use_ema in the optimizer', () => editConfig((c) => { c.compile_config.optimizer.config.use_ema = true; }), /option use_ema=true is not supported/],
    ['a learning-rate schedule object', () => editConfig((c) => { c.compile_config.optimizer.config.learning_rate = { class_name: 'ExponentialDecay', config: {} }; }), /learning_rate \(ExponentialDecay\): schedules.exponentialDecay initialLearningRate: expected a finite number > 0, got undefined/], // schedules load; an incomplete one is refused,
    ['too many layers', () => good, /layers is more than the 2 allowed|more than the 2 allowed/, { maxLayers: 2 }],
  ];
  for (const [what, make, msg, options] of cases) {
    it(what, async () => {
      await expect(load(make(), options)).rejects.toThrow(msg);
    });
  }

  it('float64 and non-finite weights are refused; compile: false skips an unsupported compile config', async () => {
    const h5 = await import('h5wasm');
    const { FS } = (await h5.ready) as unknown as { FS: { writeFile(p: string, d: Uint8Array): void; readFile(p: string): Uint8Array; unlink(p: string): void } };
    // The same weights file, written anew with dense/vars/0 replaced.
    const weights = model.getWeights();
    const patchDataset = (data: Float32Array | Float64Array, dtype: string) => rezip((f) => {
      const file = new h5.File('/patch.h5', 'w');
      const layers = file.create_group('layers');
      const put = (path: string, list: { shape: number[]; data: Float32Array | Float64Array; dtype: string }[]) => {
        const vars = layers.create_group(path).create_group('vars');
        vars.create_attribute('name', path);
        list.forEach((w, i) => vars.create_dataset({ name: String(i), data: w.data, shape: w.shape, dtype: w.dtype }));
      };
      const w = weights.map((x) => ({ shape: x.shape, data: x.data, dtype: '<f' }));
      put('dense', [{ shape: [3, 4], data, dtype }, w[1]!]);
      put('p_re_lu', [w[2]!]);
      put('dense_1', [w[3]!, w[4]!]);
      file.create_group('vars');
      file.close();
      f['model.weights.h5'] = FS.readFile('/patch.h5');
      FS.unlink('/patch.h5');
    });
    expect(Array.from((await load(patchDataset(weights[0]!.data, '<f'))).predict(X).data)).toEqual(Array.from(model.predict(X).data));
    await expect(load(patchDataset(new Float64Array(12), '<d'))).rejects.toThrow(/dtype .* is not supported; wasm-mlp reads little-endian float32/);
    const nan = new Float32Array(12);
    nan[5] = NaN;
    await expect(load(patchDataset(nan, '<f'))).rejects.toThrow(/'dense\/kernel' value 5 is NaN; weights must be finite/);
    const custom = editConfig((c) => { c.compile_config.optimizer.config.use_ema = true; });
    const m = await load(custom, { compile: false });
    expect(m.trainingConfig).toBeUndefined();
  });

  it('an .onnx File is refused as export-only', async () => {
    await expect(nn.loadModel(blob(good, 'model.onnx'))).rejects.toThrow(/ONNX files are export-only/);
    await expect(nn.loadModel(42 as never)).rejects.toThrow(/expected a URL string/);
  });
});

/** Offset of an entry's data in a stored zip (local header + name + extra). */
function findEntry(b: Uint8Array, name: string): number {
  const dv = new DataView(b.buffer, b.byteOffset);
  for (let i = 0; i + 30 < b.length; i++) {
    if (dv.getUint32(i, true) !== 0x04034b50) continue;
    const n = dv.getUint16(i + 26, true);
    const e = dv.getUint16(i + 28, true);
    if (strFromU8(b.subarray(i + 30, i + 30 + n)) === name) return i + 30 + n + e;
  }
  throw new Error(`no ${name}`);
}

writeFileSync(join(dir, 'README'), 'scratch directory of test/io-keras-damaged.test.ts\n');
