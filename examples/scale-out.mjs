// Outgrowing one machine (docs/scale-out.md): train here, continue in Keras 3 on several
// devices, bring the result back for fast inference here, serve the ONNX file anywhere.
//
//   node examples/scale-out.mjs export --dir out     # train a little; write out/model.keras, out/model.onnx, out/data.json
//   python examples/python/continue_training.py out  # Keras 3, DataParallel; writes out/continued.keras
//   node examples/scale-out.mjs import --dir out     # load out/continued.keras here and evaluate it
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as nn from 'wasm-mlp';

const { values: opt, positionals } = parseArgs({ allowPositionals: true, options: { dir: { type: 'string', default: 'examples/out/scale-out' }, quick: { type: 'boolean', default: false } } });
const step = positionals[0];
const dir = resolve(opt.dir);
await nn.ready();

if (step === 'export') {
  mkdirSync(dir, { recursive: true });
  // The Playground's spiral, one-hot labels: hard enough that more training still helps.
  const { x, y } = nn.datasets.playground('spiral', { n: 512, noise: 0.05, seed: 3 });
  const xs = x.toArray();
  const ys = Array.from(y.data, (v) => (v > 0.5 ? [0, 1] : [1, 0]));
  const model = nn.sequential({
    seed: 1,
    layers: [
      nn.layers.dense({ units: 32, activation: 'relu', inputShape: [2] }),
      nn.layers.dense({ units: 32, activation: 'tanh' }),
      nn.layers.dropout({ rate: 0.1 }),
      nn.layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(xs, ys, { epochs: opt.quick ? 5 : 30, batchSize: 32, shuffle: true });
  const { loss, accuracy } = model.evaluate(xs, ys);
  await model.save(`file://${join(dir, 'model.keras')}`);
  await model.save(`file://${join(dir, 'model.onnx')}`);
  writeFileSync(join(dir, 'data.json'), JSON.stringify({ x: xs, y: ys }));
  console.log(`trained here: loss ${loss.toFixed(4)}, accuracy ${accuracy.toFixed(3)}`);
  console.log(`wrote ${join(dir, 'model.keras')}, ${join(dir, 'model.onnx')} and data.json`);
} else if (step === 'import') {
  const { x, y } = JSON.parse(readFileSync(join(dir, 'data.json'), 'utf8'));
  const model = await nn.loadModel(`file://${join(dir, 'continued.keras')}`);
  const { loss, accuracy } = model.evaluate(x, y);
  const keras = JSON.parse(readFileSync(join(dir, 'keras-report.json'), 'utf8'));
  const ours = Array.from(model.predict(x).data);
  const worst = keras.predict.flat().reduce((m, v, i) => Math.max(m, Math.abs(v - ours[i])), 0);
  console.log(`back here after Keras: loss ${loss.toFixed(4)}, accuracy ${accuracy.toFixed(3)} (Keras said loss ${keras.after.loss.toFixed(4)})`);
  console.log(`largest difference from Keras's predictions: ${worst.toExponential(2)}`);
  console.log(JSON.stringify({ loss, accuracy, worst }));
} else {
  console.error('usage: node examples/scale-out.mjs export|import [--dir out] [--quick]');
  process.exit(2);
}
