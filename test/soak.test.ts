/**
 * Soak: train, predict, save (toArtifacts and file://), load and dispose models in a loop on both
 * backends; the arena must return to its baseline after every round and the backend's memory
 * size and the JS heap must stay flat after warm-up.
 *
 * CI runs 300 rounds per backend (a few seconds). By hand, run longer:
 *   WASM_MLP_SOAK=1 npx vitest run test/soak.test.ts        # 2000 rounds per backend
 *   WASM_MLP_SOAK=10000 npx vitest run test/soak.test.ts    # that many rounds
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { getBackend } from '../src/backend/index.js';
import { modelBackends, Rng, useBackend } from './helpers/model.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const env = process.env.WASM_MLP_SOAK;
const ROUNDS = env === undefined ? 300 : env === '1' ? 2000 : Math.max(10, Number(env) || 0);
const WARMUP = Math.min(20, Math.floor(ROUNDS / 4));
/** Heap growth allowed after warm-up (bytes): far below what leaking one round's data would cost. */
const HEAP_TOLERANCE = 4 * 2 ** 20;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wasm-mlp-soak-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe.each(modelBackends)('%s backend: soak', (backend) => {
  useBackend(backend);

  it(`${ROUNDS} rounds of fit / predict / evaluate / save / load / dispose leak nothing`, { timeout: 60_000 + ROUNDS * 200 }, async () => {
    const rng = new Rng(5);
    const rows = 96;
    const x = nn.tensor2d(rng.normals(rows * 6), [rows, 6]);
    const ids = Array.from({ length: rows }, (_, i) => i % 3);
    const b = getBackend();
    const arenaStart = b.arenaBytes();
    let memoryAfterWarmup = 0;
    let heapAfterWarmup = 0;
    const path = join(dir, backend);

    for (let round = 0; round < ROUNDS; round++) {
      const model = nn.sequential({
        seed: round,
        layers: [
          nn.layers.dense({ units: 16 + (round % 5), activation: 'relu', inputShape: [6] }),
          nn.layers.dropout({ rate: 0.1 }),
          nn.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      });
      model.compile({ optimizer: round % 2 ? 'adam' : nn.optimizers.rmsprop({ momentum: 0.5 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      const h = await model.fit(x, ids, { epochs: 2, batchSize: 8 + (round % 3) * 20, validationSplit: 0.2, yieldEvery: 1000 });
      expect(h.history.loss!.every(Number.isFinite)).toBe(true);
      expect(model.predict(x, { batchSize: 7 + round }).shape).toEqual([rows, 3]);
      const p = model.predict(x);
      model.evaluate(x, ids);

      const copy = await nn.fromArtifacts(model.toArtifacts());
      expect(copy.predict(x).data).toEqual(p.data);
      if (round % 4 === 0) {
        await model.save(`file://${path}`);
        const loaded = await nn.loadModel(`file://${join(path, 'model.json')}`);
        expect(loaded.predict(x).data).toEqual(p.data);
        await loaded.fit(x, ids, { epochs: 1, batchSize: 32 });
        loaded.dispose();
      }
      copy.trainOnBatch(x, ids);
      copy.dispose();
      model.dispose();
      expect(b.arenaBytes(), `arena bytes after round ${round}`).toBe(arenaStart);

      if (round === WARMUP) {
        memoryAfterWarmup = b.f32().buffer.byteLength;
        heapAfterWarmup = heapAfterGc();
      }
    }
    expect(b.f32().buffer.byteLength, 'backend memory size after warm-up').toBe(memoryAfterWarmup);
    const growth = heapAfterGc() - heapAfterWarmup;
    expect(growth, `JS heap growth over ${ROUNDS - WARMUP} rounds: ${(growth / 2 ** 20).toFixed(2)} MiB`).toBeLessThan(HEAP_TOLERANCE);
  });
});
