// Trains XOR with the installed package and prints one JSON line: the runtime, backendInfo() and
// the predictions. Run by Node, Bun and Deno from a fresh app (test/consumers).
import * as nn from 'wasm-mlp';

const runtime = globalThis.Deno ? `deno ${Deno.version.deno}` : globalThis.Bun ? `bun ${Bun.version}` : `node ${process.versions.node}`;
await nn.ready();
const model = nn.sequential({
  seed: 1,
  layers: [nn.layers.dense({ units: 8, activation: 'tanh', inputShape: [2] }), nn.layers.dense({ units: 1, activation: 'sigmoid' })],
});
model.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.1 }), loss: 'binaryCrossentropy' });
const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
await model.fit(x, [[0], [1], [1], [0]], { epochs: 300, batchSize: 4 });
const predictions = Array.from(model.predict(x).data);
console.log(JSON.stringify({ runtime, info: nn.backendInfo(), predictions }));
