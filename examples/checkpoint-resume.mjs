// Metrics and checkpoints: a classifier for a rare class (Playground's "circle", 1 in 5 points
// inside), reported with precision, recall and ROC AUC per epoch; the best epoch by val_auc kept by
// modelCheckpoint, and a run "killed" half-way that resumes from its checkpoint to exactly the
// weights of an uninterrupted run.
//
//   node examples/checkpoint-resume.mjs [--quick] [--backend wasm|js] [--out dir]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as nn from 'wasm-mlp';

const { values: opt } = parseArgs({ options: { quick: { type: 'boolean', default: false }, backend: { type: 'string', default: 'wasm' }, out: { type: 'string' } } });
await nn.setBackend(opt.backend);
const dir = resolve(opt.out ?? mkdtempSync(join(tmpdir(), 'wasm-mlp-ckpt-')));
const epochs = opt.quick ? 8 : 30;

// Imbalanced data: every point of class 0 and a quarter of class 1 (the rare, positive class).
const { x, y } = nn.datasets.playground('circle', { n: opt.quick ? 800 : 3000, noise: 0.15, seed: 4 });
const xs = [], ys = [];
x.toArray().forEach((row, i) => {
  const positive = y.data[i] > 0.5;
  if (!positive || i % 4 === 0) { xs.push(row); ys.push([positive ? 1 : 0]); }
});

function model() {
  const m = nn.sequential({ seed: 7 });
  m.add(nn.layers.dense({ units: 16, activation: 'relu', inputShape: [2] }));
  m.add(nn.layers.dropout({ rate: 0.1 }));
  m.add(nn.layers.dense({ units: 1, activation: 'sigmoid' }));
  m.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.02 }), loss: 'binaryCrossentropy', metrics: ['accuracy', 'precision', 'recall', 'auc'] });
  return m;
}
const fitArgs = { batchSize: 32, validationSplit: 0.25 };
const share = ys.filter(([t]) => t === 1).length / ys.length;
console.log(`${ys.length} points, ${(100 * share).toFixed(1)}% positive; ${epochs} epochs, checkpoints in ${dir}`);

// 1. One run, the best epoch by val_auc saved as it goes.
const whole = model();
const best = nn.callbacks.modelCheckpoint({ filepath: `file://${dir}/best`, monitor: 'val_auc', saveBestOnly: true });
const h = await whole.fit(xs, ys, { ...fitArgs, epochs, callbacks: [best] });
console.log('epoch  loss    precision recall  auc     val_auc');
h.epoch.forEach((e, i) => {
  const v = (k) => h.history[k][i].toFixed(4);
  console.log(`${String(e + 1).padStart(5)}  ${v('loss')}  ${v('precision')}    ${v('recall')}  ${v('auc')}  ${v('val_auc')}`);
});
const kept = await nn.loadModel(`file://${dir}/best/model.json`);
const nTrain = Math.floor(xs.length * (1 - fitArgs.validationSplit)); // validationSplit takes the last rows
console.log(`best val_auc ${best.best.toFixed(4)} (epoch ${kept.savedEpoch}); the saved model scores val_auc ${kept.evaluate(xs.slice(nTrain), ys.slice(nTrain)).auc.toFixed(4)}`);

// 2. The same run, interrupted after half the epochs and resumed from its checkpoint.
const half = Math.floor(epochs / 2);
const first = model();
await first.fit(xs, ys, { ...fitArgs, epochs: half, callbacks: [nn.callbacks.modelCheckpoint({ filepath: `file://${dir}/last` })] });
first.dispose(); // the process could have died here
const resumed = await nn.loadModel(`file://${dir}/last/model.json`);
await resumed.fit(xs, ys, { ...fitArgs, epochs, initialEpoch: resumed.savedEpoch });
const a = whole.getWeights(), b = resumed.getWeights();
const same = a.every((w, i) => w.data.every((v, j) => Object.is(v, b[i].data[j])));
console.log(`resumed after epoch ${half}: weights ${same ? 'identical to' : 'DIFFERENT from'} the uninterrupted run`);
if (!same) process.exitCode = 1;
