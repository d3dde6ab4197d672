// Training in a Web Worker under a bundler: the recipe of docs/browser.md. The `new Worker(new
// URL(…, import.meta.url), { type: 'module' })` expression must be written out like this, at the
// call site, for Vite and webpack to find, bundle and emit the worker script.
import * as nn from 'wasm-mlp';

const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
const y = [[0], [1], [1], [0]];

async function main() {
  const wm = nn.worker.createWorkerModel(new Worker(new URL('./train-worker.js', import.meta.url), { type: 'module' }));
  const { backend } = await wm.init({
    seed: 1,
    layers: [{ type: 'dense', units: 8, activation: 'tanh', inputShape: [2] }, { type: 'dense', units: 1, activation: 'sigmoid' }],
    compile: { optimizer: { name: 'adam', learningRate: 0.1 }, loss: 'binaryCrossentropy' },
  });
  let epochs = 0;
  await wm.fit(x, y, { epochs: 300, batchSize: 4, onEpochEnd: () => epochs++ });
  const predictions = Array.from((await wm.predict(x)).data);
  wm.terminate();
  document.getElementById('status').textContent = `trained in a Web Worker on ${backend}, ${epochs} epoch messages`;
  document.getElementById('out').innerHTML =
    '<tr><th>x1</th><th>x2</th><th>target</th><th>prediction</th></tr>' +
    x.map((r, i) => `<tr><td>${r[0]}</td><td>${r[1]}</td><td>${y[i][0]}</td><td>${predictions[i].toFixed(3)}</td></tr>`).join('');
  window.__result = { backend, epochs, predictions };
}

main().catch((e) => {
  document.getElementById('status').textContent = `error: ${e && e.message}`;
  window.__result = { error: String((e && e.stack) || e) };
});
