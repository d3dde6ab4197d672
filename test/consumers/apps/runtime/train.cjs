// The same training through require(): require(esm) of the package's one ES module entry (Node >= 20.19).
const nn = require('wasm-mlp');

(async () => {
  await nn.ready();
  const model = nn.sequential({
    seed: 1,
    layers: [nn.layers.dense({ units: 8, activation: 'tanh', inputShape: [2] }), nn.layers.dense({ units: 1, activation: 'sigmoid' })],
  });
  model.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.1 }), loss: 'binaryCrossentropy' });
  const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
  await model.fit(x, [[0], [1], [1], [0]], { epochs: 300, batchSize: 4 });
  const predictions = Array.from(model.predict(x).data);
  console.log(JSON.stringify({ runtime: `node ${process.versions.node} (require)`, info: nn.backendInfo(), predictions }));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
