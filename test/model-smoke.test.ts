import { describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';

describe('smoke (js)', () => {
  it('learns XOR', async () => {
    await nn.setBackend('js');
    const model = nn.sequential({ seed: 3 });
    model.add(nn.layers.dense({ units: 8, activation: 'tanh', inputShape: [2] }));
    model.add(nn.layers.dense({ units: 1, activation: 'sigmoid' }));
    model.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
    const y = [[0], [1], [1], [0]];
    const h = await model.fit(x, y, { epochs: 300, batchSize: 4 });
    expect(h.history.loss.at(-1)).toBeLessThan(0.1);
    const p = model.predict(x).data;
    expect(Array.from(p).map((v) => Math.round(v))).toEqual([0, 1, 1, 0]);
    console.log(model.summary());
  });
});
