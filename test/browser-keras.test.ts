// .keras and .onnx in headless Chromium with the browser bundle: a model trained in the page is
// saved with downloads://model.keras and downloads://model.onnx; the downloaded .keras comes back
// through a real <input type=file> (a File) and as a Blob and predicts the same; the downloaded
// .onnx runs in ONNX Runtime (Node) and predicts the same. The format code and its libraries
// (h5wasm, fflate) and the ONNX writer arrive as lazily loaded chunks only when used.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root, start, screenshots, type Harness } from './browser/harness.js';
import { expectClose } from './helpers/expect.js';

let h: Harness;
beforeAll(async () => { h = await start(); }, 120_000);
afterAll(async () => { await h?.close(); });

const X = [[0.2, -0.4, 0.9], [1.5, 0.3, -2], [-0.7, 0.8, 0.1]];

describe('browser .keras / .onnx', () => {
  it('the bundle a page loads for training (the entry and its static imports) holds none of the format code', () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const marker of ['model.weights.h5', 'ModelProto', 'compile_config', 'HDF5', 'h5wasm', 'unzipSync', 'protobuf']) {
        expect(text.includes(marker), `${file.slice(root.length)} contains '${marker}'`).toBe(false);
      }
      for (const m of text.matchAll(/(?:from|import)\s*"(\.\/[^"]+)"/g)) visit(join(dirname(file), m[1]!));
    };
    visit(join(root, 'dist/browser/wasm-mlp.js'));
    // The format code sits in files of its own beside the entry, imported only on use.
    const entry = readFileSync(join(root, 'dist/browser/wasm-mlp.js'), 'utf8');
    expect(entry).toContain('import("./keras.js")');
    expect(entry).toContain('import("./onnx.js")');
    expect(readFileSync(join(root, 'dist/browser/keras.js'), 'utf8')).toContain('model.weights.h5');
    expect(readFileSync(join(root, 'dist/browser/onnx.js'), 'utf8')).toContain('ModelProto');
  });

  it('saves downloads://model.keras and .onnx, loads the .keras back from a File and a Blob', async () => {
    const context = await h.browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    const scripts: string[] = [];
    page.on('request', (r) => { if (r.url().endsWith('.js')) scripts.push(r.url().split('/').pop()!); });
    await page.goto(h.url);
    const downloads: { name: string; path: string }[] = [];
    page.on('download', async (d) => downloads.push({ name: d.suggestedFilename(), path: (await d.path())! }));

    const trained = await page.evaluate(async (x) => {
      const nn = await new Function('u', 'return import(u)')('/dist/browser/wasm-mlp.js');
      await nn.ready();
      (window as any).nn = nn;
      const m = nn.sequential({ seed: 2, layers: [nn.layers.dense({ units: 6, activation: 'gelu', inputShape: [3] }), nn.layers.prelu(), nn.layers.dropout({ rate: 0.2 }), nn.layers.dense({ units: 2, activation: 'softmax' })] });
      m.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.02 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      const xs = Array.from({ length: 64 }, (_, i) => [Math.sin(i), Math.cos(i * 0.7), (i % 5) / 5]);
      const ys = xs.map((r) => (r[0]! + r[1]! > 0 ? [1, 0] : [0, 1]));
      await m.fit(xs, ys, { epochs: 20, batchSize: 16 });
      (window as any).model = m;
      const before = performance.getEntriesByType('resource').map((e) => e.name.split('/').pop());
      await m.save('downloads://model.keras');
      await m.save('downloads://model.onnx');
      return { predict: Array.from(m.predict(x).data as Float32Array), backend: nn.backendInfo().name, before };
    }, X);
    expect(trained.backend).toBe('wasm');
    // Before the first .keras save no format chunk had been loaded.
    expect(trained.before.some((n: string) => /hdf5|keras|onnx/.test(n))).toBe(false);
    expect(scripts).toContain('keras.js');
    expect(scripts).toContain('onnx.js');
    expect(scripts).toContain('hdf5_hl.js');
    await expect.poll(() => downloads.length, { timeout: 20_000 }).toBe(2);
    const keras = downloads.find((d) => d.name === 'model.keras')!;
    const onnx = downloads.find((d) => d.name === 'model.onnx')!;
    expect(readFileSync(keras.path).subarray(0, 2).toString()).toBe('PK');

    // The .keras back through a file input (a File) and as a plain Blob.
    await page.evaluate(() => {
      document.body.innerHTML = '<main style="font:16px sans-serif;padding:24px"><h1>.keras round trip</h1><input type="file" id="f" accept=".keras"><pre id="out"></pre></main>';
    });
    await page.setInputFiles('#f', { name: 'model.keras', mimeType: 'application/zip', buffer: readFileSync(keras.path) });
    const loaded = await page.evaluate(async (x) => {
      const nn = (window as any).nn;
      const file = (document.getElementById('f') as HTMLInputElement).files![0]!;
      const a = await nn.loadModel(file);
      const b = await nn.loadModel(new Blob([await file.arrayBuffer()]));
      const out = {
        name: file.name,
        layers: a.layers.map((l: any) => l.className),
        optimizer: a.trainingConfig?.optimizer.className,
        fromFile: Array.from(a.predict(x).data as Float32Array),
        fromBlob: Array.from(b.predict(x).data as Float32Array),
      };
      document.getElementById('out')!.textContent = JSON.stringify(out, null, 2);
      return out;
    }, X);
    expect(loaded.name).toBe('model.keras');
    expect(loaded.layers).toEqual(['Dense', 'PReLU', 'Dropout', 'Dense']);
    expect(loaded.optimizer).toBe('Adam');
    expect(loaded.fromFile).toEqual(trained.predict);
    expect(loaded.fromBlob).toEqual(trained.predict);
    await page.screenshot({ path: `${screenshots}/keras-roundtrip.png` });

    // The downloaded .onnx, run by ONNX Runtime.
    const session = await ort.InferenceSession.create(readFileSync(onnx.path));
    const got = await session.run({ input: new ort.Tensor('float32', Float32Array.from(X.flat()), [3, 3]) });
    expectClose(got.output!.data as Float32Array, trained.predict, { rel: 1e-5, abs: 1e-5, what: 'ORT on the browser-saved .onnx vs the page' });
    await session.release();
    await context.close();
  }, 120_000);
});
