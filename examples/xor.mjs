// XOR two ways: learned by a small MLP, and the course's hand-built ReLU network
//   x = relu(u − v),  y = relu(v − u),  f = relu(x + y)   (= |u − v|)
// whose weights are set by hand with setWeights and whose outputs are exactly [0, 1, 1, 0].
//
//   node examples/xor.mjs [--quick] [--backend wasm|js]
import { parseArgs } from 'node:util';
import * as nn from 'wasm-mlp';

const { values: opt } = parseArgs({ options: { quick: { type: 'boolean', default: false }, backend: { type: 'string', default: 'wasm' } } });
await nn.setBackend(opt.backend);

const inputs = [[0, 0], [0, 1], [1, 0], [1, 1]];
const targets = [[0], [1], [1], [0]];

// 1. Learned: 2 → 8 tanh → 1 sigmoid, binary cross-entropy, Adam.
const learned = nn.sequential({ seed: 1 });
learned.add(nn.layers.dense({ units: 8, activation: 'tanh', inputShape: [2] }));
learned.add(nn.layers.dense({ units: 1, activation: 'sigmoid' }));
learned.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
const epochs = opt.quick ? 150 : 500;
const history = await learned.fit(inputs, targets, { epochs, batchSize: 4 });
const out = learned.predict(inputs).data;
console.log(`Learned XOR (2 → 8 tanh → 1 sigmoid, ${epochs} epochs of Adam): final loss ${history.history.loss.at(-1).toFixed(4)}`);
inputs.forEach(([u, v], i) => console.log(`  ${u} xor ${v} → ${out[i].toFixed(4)}  (rounds to ${Math.round(out[i])}, want ${targets[i][0]})`));
learned.dispose();

// 2. Hand-built (course notes, Playground question 5): Dense kernels are [inputs, units].
const hand = nn.sequential({
  layers: [
    nn.layers.dense({ units: 2, activation: 'relu', inputShape: [2] }),
    nn.layers.dense({ units: 1, activation: 'relu' }),
  ],
});
hand.setWeights([
  { shape: [2, 2], data: [1, -1, -1, 1] }, // x = relu(u − v), y = relu(−u + v)
  { shape: [2], data: [0, 0] },
  { shape: [2, 1], data: [1, 1] },         // f = relu(x + y)
  { shape: [1], data: [0] },
]);
const f = Array.from(hand.predict(inputs).data);
console.log('\nHand-built ReLU network: x = relu(u − v), y = relu(v − u), f = relu(x + y)');
console.log('  u v | f');
inputs.forEach(([u, v], i) => console.log(`  ${u} ${v} | ${f[i]}`));
console.log(`outputs: [${f.join(', ')}]`);
hand.dispose();
