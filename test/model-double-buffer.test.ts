/**
 * The model keeps two sides [params | optimizer state] and each training step writes the other
 * side (src/model/sequential.ts). Everything that reads or writes weights must follow the side
 * that is current, whichever it is after an odd or even number of steps.
 */
import { describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';

const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
const y = [[0], [1], [1], [0]];

function model(): nn.Sequential {
  const m = nn.sequential({ seed: 7 });
  m.add(nn.layers.dense({ units: 5, activation: 'tanh', inputShape: [2] }));
  m.add(nn.layers.dense({ units: 1, activation: 'sigmoid' }));
  m.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy' });
  return m;
}

const flat = (m: nn.Sequential): number[] => m.getWeights().flatMap((w) => Array.from(w.data));

describe.each(['js', 'wasm'] as const)('double-buffered weights (%s)', (backend) => {
  it('getWeights, predict, snapshot/restore and setWeights follow the current side after odd and even step counts', async () => {
    await nn.setBackend(backend, backend === 'wasm' ? { threads: 1 } : {});
    const m = model();
    for (let steps = 1; steps <= 4; steps++) {
      const before = flat(m);
      m.trainOnBatch(x, y);
      const after = flat(m);
      expect(after, `step ${steps} changed the weights`).not.toEqual(before);
      // predict reads the same weights getWeights returns: a copy model with them predicts the same.
      const copy = model();
      copy.setWeights(m.getWeights());
      expect(Array.from(copy.predict(x).data)).toEqual(Array.from(m.predict(x).data));
      copy.dispose();
    }
    const snapshot = m.snapshotWeights();
    const kept = flat(m);
    m.trainOnBatch(x, y);
    m.restoreWeights(snapshot);
    expect(flat(m)).toEqual(kept);
    m.dispose();
  });

  it('recompiling after an odd number of steps keeps the weights and restarts the optimizer state', async () => {
    await nn.setBackend(backend, backend === 'wasm' ? { threads: 1 } : {});
    const a = model(), b = model();
    for (let i = 0; i < 3; i++) { a.trainOnBatch(x, y); b.trainOnBatch(x, y); }
    const kept = flat(a);
    a.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy' });
    expect(flat(a)).toEqual(kept);
    // A fresh model given the same weights and the same (fresh) optimizer takes the same step.
    const c = model();
    c.setWeights(a.getWeights());
    a.trainOnBatch(x, y);
    c.trainOnBatch(x, y);
    expect(flat(a)).toEqual(flat(c));
    // b, not recompiled, carries Adam's moments and so steps differently.
    b.trainOnBatch(x, y);
    expect(flat(b)).not.toEqual(flat(a));
    for (const m of [a, b, c]) m.dispose();
  });

  it("a refused step (Adam's v overflows) leaves the current side, odd or even, and training resumes identically", async () => {
    await nn.setBackend(backend, backend === 'wasm' ? { threads: 1 } : {});
    const linear = () => {
      const m = nn.sequential({ seed: 1, layers: [nn.layers.dense({ units: 1, useBias: false, inputShape: [1] })] });
      m.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.01 }), loss: 'meanSquaredError' });
      return m;
    };
    const good = [[[1], [2]], [[1], [3]]] as const;
    for (const steps of [1, 2]) {
      const a = linear(), b = linear();
      for (let i = 0; i < steps; i++) { a.trainOnBatch(good[0], good[1]); b.trainOnBatch(good[0], good[1]); }
      const kept = flat(a);
      // x = 1e13: a finite loss and gradient, but g² overflows Adam's v while the weight stays finite.
      expect(() => a.trainOnBatch([[1e13]], [[0]])).toThrow(/Adam state overflowed.*the weights were not changed/);
      expect(flat(a)).toEqual(kept);
      a.trainOnBatch(good[0], good[1]);
      b.trainOnBatch(good[0], good[1]);
      expect(flat(a), `after ${steps} steps, a refused one, then one more`).toEqual(flat(b));
      a.dispose();
      b.dispose();
    }
  });
});
