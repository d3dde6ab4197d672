// Batch normalization where it helps: raw, unscaled features. Two of the four inputs of the
// Playground's spiral are put on very different scales (×500 and +200), as columns in real data
// often are. The same 4 → 32 → 32 → 2 network is trained twice with the same seed and SGD:
// plain, and with a batchNormalization layer after the input and after each hidden layer.
//
//   node examples/batch-norm.mjs [--quick] [--backend wasm|js] [--json]
import { parseArgs } from 'node:util';
import * as nn from 'wasm-mlp';

const { values: opt } = parseArgs({ options: { quick: { type: 'boolean', default: false }, backend: { type: 'string', default: 'wasm' }, json: { type: 'boolean', default: false } } });
await nn.setBackend(opt.backend);

const { x: base, y } = nn.datasets.playground('circle', { n: 600, noise: 0.1, seed: 3 });
const features = nn.datasets.playgroundFeatures(base, ['x1', 'x2', 'x1Squared', 'x2Squared']);
// Unscaled columns: x1 in the hundreds, x2² shifted by 200.
const raw = features.toArray().map(([a, b, c, d]) => [a * 500, b, c, d + 200]);
const labels = Array.from(y.data, (v) => (v > 0 ? 1 : 0));
const split = Math.round(raw.length * 0.8);
const [xTrain, xTest] = [raw.slice(0, split), raw.slice(split)];
const [yTrain, yTest] = [labels.slice(0, split), labels.slice(split)];

function build(batchNorm) {
  const bn = () => (batchNorm ? [nn.layers.batchNormalization()] : []);
  return nn.sequential({
    seed: 7,
    layers: [
      ...(batchNorm ? [nn.layers.batchNormalization({ inputShape: [4] })] : []),
      nn.layers.dense({ units: 32, activation: 'relu', ...(batchNorm ? {} : { inputShape: [4] }) }),
      ...bn(),
      nn.layers.dense({ units: 32, activation: 'relu' }),
      ...bn(),
      nn.layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
}

const epochs = opt.quick ? 40 : 100;
const results = {};
for (const [name, batchNorm] of [['plain', false], ['batchNorm', true]]) {
  const model = build(batchNorm);
  model.compile({ optimizer: nn.optimizers.sgd({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  let diverged = false;
  try {
    await model.fit(xTrain, yTrain, { epochs, batchSize: 32, shuffle: true });
  } catch (e) {
    diverged = String(e.message);
  }
  const test = diverged ? { accuracy: NaN, loss: NaN } : model.evaluate(xTest, yTest);
  results[name] = { accuracy: test.accuracy, loss: test.loss, diverged, params: model.countParams() };
  model.dispose();
}

if (opt.json) console.log(JSON.stringify(results));
else {
  console.log(`circle data, features on raw scales (x1·500, x2, x1², x2² + 200); ${epochs} epochs of SGD (lr 0.01), batch 32, seed 7, ${nn.backendInfo().name} backend`);
  for (const [name, r] of Object.entries(results)) {
    console.log(`  ${name.padEnd(10)} test accuracy ${r.diverged ? `— diverged (${r.diverged})` : `${(100 * r.accuracy).toFixed(1)}%, loss ${r.loss.toFixed(4)}`}`);
  }
}
