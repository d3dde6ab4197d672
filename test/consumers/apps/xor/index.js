// A fresh app: trains XOR with wasm-mlp as installed from the tarball and shows the predictions.
import * as nn from 'wasm-mlp';

const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
const y = [[0], [1], [1], [0]];

async function main() {
  await nn.ready();
  const model = nn.sequential({
    seed: 1,
    layers: [nn.layers.dense({ units: 8, activation: 'tanh', inputShape: [2] }), nn.layers.dense({ units: 1, activation: 'sigmoid' })],
  });
  model.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.1 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const history = await model.fit(x, y, { epochs: 300, batchSize: 4 });
  const predictions = Array.from(model.predict(x).data);
  const info = nn.backendInfo();
  // The saving handlers survive bundling: a round trip through IndexedDB (a lazily imported chunk),
  // and file:// says clearly that it belongs to Node.
  await model.save('indexeddb://consumer-xor');
  const reloaded = Array.from((await nn.loadModel('indexeddb://consumer-xor')).predict(x).data);
  const fileError = await model.save('file://./xor').then(() => 'saved?', (e) => e.message);
  document.getElementById('status').textContent =
    `backend ${info.name}, simd ${info.simd}, relaxed SIMD ${info.relaxedSimd}, threads ${info.threads}; ` +
    `final loss ${history.history.loss.at(-1).toFixed(4)}`;
  document.getElementById('out').innerHTML =
    '<tr><th>x1</th><th>x2</th><th>target</th><th>prediction</th></tr>' +
    x.map((r, i) => `<tr><td>${r[0]}</td><td>${r[1]}</td><td>${y[i][0]}</td><td>${predictions[i].toFixed(3)}</td></tr>`).join('');
  window.__result = { info, predictions, reloaded, fileError };
}

main().catch((e) => {
  document.getElementById('status').textContent = `error: ${e && e.message}`;
  window.__result = { error: String((e && e.stack) || e) };
});
