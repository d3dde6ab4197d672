/** file:// save/load, atomic overwrite, and http(s):// loading through a fake fetch. */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { fileIo } from '../src/io/handlers/file-node.js';
import * as nn from '../src/index.js';
import { backendCases } from './helpers/backends.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wasm-mlp-io-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
});

function makeModel(seed: number, units = 4): nn.Sequential {
  const m = nn.sequential({ seed, layers: [nn.layers.dense({ units, inputShape: [3], activation: 'relu' }), nn.layers.dense({ units: 2, activation: 'softmax' })] });
  m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}
const x = [[0.1, -0.4, 0.9], [1, 2, -3]];

describe.each(backendCases().map((c) => c.name))('file:// (%s)', (backend) => {
  beforeAll(() => (backend === 'js' ? nn.setBackend('js') : nn.setBackend('wasm', backend === 'wasm-relaxed' ? { build: 'relaxed' } : {})));

  it('saves model.json + weights.bin and loads them back (directory or model.json URL)', async () => {
    const target = join(dir, `rt-${backend}`);
    const model = makeModel(1);
    const result = await model.save(`file://${target}`);
    expect(result.modelArtifactsInfo.weightDataBytes).toBe(model.countParams() * 4);
    expect((await readdir(target)).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(await readFile(join(target, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toEqual(['dense/kernel', 'dense/bias', 'dense_1/kernel', 'dense_1/bias']);
    for (const url of [`file://${target}/model.json`, `file://${target}`]) {
      const back = await nn.loadModel(url);
      expect(Array.from(back.predict(x).data)).toEqual(Array.from(model.predict(x).data));
      expect(back.trainingConfig?.loss).toBe('categoricalCrossentropy');
      back.dispose();
    }
    model.dispose();
  });

  it('overwriting alternates weight files and removes the old one', async () => {
    const target = join(dir, `ow-${backend}`);
    const a = makeModel(1);
    const b = makeModel(2, 5);
    await a.save(`file://${target}`);
    await b.save(`file://${target}`);
    expect((await readdir(target)).sort()).toEqual(['model.json', 'weights.1.bin']);
    const back = await nn.loadModel(`file://${target}/model.json`);
    expect(Array.from(back.predict(x).data)).toEqual(Array.from(b.predict(x).data));
    await a.save(`file://${target}`);
    expect((await readdir(target)).sort()).toEqual(['model.json', 'weights.bin']);
    [a, b, back].forEach((m) => m.dispose());
  });

  it('a save that fails while writing the weights leaves the previous model intact', async () => {
    const target = join(dir, `crash-${backend}`);
    const old = makeModel(1);
    await old.save(`file://${target}`);
    const before = (await readdir(target)).sort();
    const real = fileIo.writeDurable;
    // Write half of the new weights file, then "crash".
    vi.spyOn(fileIo, 'writeDurable').mockImplementationOnce(async (path, data) => {
      await real(path, (data as Uint8Array).subarray(0, 7));
      throw new Error('ENOSPC: no space left on device');
    });
    const fresh = makeModel(9, 6);
    await expect(fresh.save(`file://${target}`)).rejects.toThrow(/ENOSPC.*previously saved there.*unchanged/);
    expect((await readdir(target)).sort()).toEqual(before); // temp file cleaned up too
    const back = await nn.loadModel(`file://${target}`);
    expect(Array.from(back.predict(x).data)).toEqual(Array.from(old.predict(x).data));
    // A failure writing model.json (after the new weights are in place) also keeps the old model.
    vi.spyOn(fileIo, 'writeDurable').mockImplementation(async (path, data) => {
      if (String(path).includes('model.json')) throw new Error('EIO');
      await real(path, data);
    });
    await expect(fresh.save(`file://${target}`)).rejects.toThrow(/EIO/);
    const again = await nn.loadModel(`file://${target}`);
    expect(Array.from(again.predict(x).data)).toEqual(Array.from(old.predict(x).data));
    [old, fresh, back, again].forEach((m) => m.dispose());
  });

  it('gives clear errors for a missing model and a missing weights file', async () => {
    await expect(nn.loadModel(`file://${join(dir, 'nope')}`)).rejects.toThrow(/no such file/);
    const target = join(dir, `missing-${backend}`);
    const m = makeModel(1);
    await m.save(`file://${target}`);
    await rm(join(target, 'weights.bin'));
    await expect(nn.loadModel(`file://${target}`)).rejects.toThrow(/weights file .*weights\.bin is missing/);
    m.dispose();
  });

  it('refuses an oversized weights file by its size, before reading it', async () => {
    const target = join(dir, `big-${backend}`);
    const m = makeModel(1);
    await m.save(`file://${target}`);
    await writeFile(join(target, 'weights.bin'), new Uint8Array(10_000));
    await expect(nn.loadModel(`file://${target}`)).rejects.toThrow(/weights file 'weights.bin' is 10000 bytes, larger than the \d+ bytes the manifest describes/);
    m.dispose();
  });
});

describe('http(s):// loading', () => {
  beforeAll(() => nn.setBackend('js'));

  function server(files: Record<string, Uint8Array | string>, seen: string[] = []): typeof fetch {
    return (async (input: RequestInfo | URL) => {
      const url = String(input);
      seen.push(url);
      const body = files[url];
      if (body === undefined) return new Response('not found', { status: 404, statusText: 'Not Found' });
      return new Response(body);
    }) as typeof fetch;
  }

  it('fetches model.json, then the weights relative to it', async () => {
    const m = makeModel(3);
    const a = m.toArtifacts();
    const json = JSON.stringify({ modelTopology: a.modelTopology, format: 'layers-model', weightsManifest: [{ paths: ['./group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: a.weightSpecs }], trainingConfig: a.trainingConfig });
    const bytes = new Uint8Array(a.weightData);
    const seen: string[] = [];
    const fetchFn = server({
      'https://example.com/models/m/model.json': json,
      'https://example.com/models/m/group1-shard1of2.bin': bytes.slice(0, 20),
      'https://example.com/models/m/group1-shard2of2.bin': bytes.slice(20),
    }, seen);
    const back = await nn.loadModel('https://example.com/models/m/model.json', { fetch: fetchFn });
    expect(Array.from(back.predict(x).data)).toEqual(Array.from(m.predict(x).data));
    expect(seen).toHaveLength(3);
    back.dispose();
    m.dispose();
  });

  it('refuses HTTP errors, paths leaving the model directory and oversized responses', async () => {
    const m = makeModel(3);
    const a = m.toArtifacts();
    const withPaths = (paths: string[]) => JSON.stringify({ modelTopology: a.modelTopology, weightsManifest: [{ paths, weights: a.weightSpecs }] });
    await expect(nn.loadModel('https://h/m/model.json', { fetch: server({}) })).rejects.toThrow(/HTTP 404/);
    for (const p of ['../secret.bin', '/etc/passwd', 'https://evil.example/w.bin', 'a/../../b.bin', '//evil/w.bin']) {
      await expect(nn.loadModel('https://h/m/model.json', { fetch: server({ 'https://h/m/model.json': withPaths([p]) }) })).rejects.toThrow(/not allowed/);
    }
    const big = server({ 'https://h/m/model.json': withPaths(['w.bin']), 'https://h/m/w.bin': new Uint8Array(a.weightData.byteLength + 1) });
    await expect(nn.loadModel('https://h/m/model.json', { fetch: big })).rejects.toThrow(/larger than allowed/);
    await expect(nn.loadModel('https://h/m/model.json', { fetch: server({ 'https://h/m/model.json': 'x'.repeat(100) }), maxJsonBytes: 50 })).rejects.toThrow(/model.json at .* larger than allowed/);
    await expect(m.save('https://h/m')).rejects.toThrow(/not supported/);
    await expect(nn.loadModel('./model.json')).rejects.toThrow(/no scheme/);
    await expect(nn.loadModel('ftp://x/model.json')).rejects.toThrow(/unknown scheme 'ftp:\/\/'/);
    await expect(nn.loadModel('indexeddb://m')).rejects.toThrow(/IndexedDB is not available/);
    await expect(nn.loadModel('localstorage://m')).rejects.toThrow(/localStorage is not available/);
    await expect(m.save('downloads://m')).rejects.toThrow(/needs a browser page/);
    m.dispose();
  });
});
