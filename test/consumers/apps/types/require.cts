// A CommonJS TypeScript file: require('wasm-mlp') gets the package's declarations, CommonJS by dist/types/package.json.
import nn = require('wasm-mlp');

const m = nn.sequential({ layers: [nn.layers.dense({ units: 1, inputShape: [2] })] });
m.compile({ optimizer: 'sgd', loss: 'mse' });
// @ts-expect-error: 'adma' is not an optimizer
m.compile({ optimizer: 'adma', loss: 'mse' });
export = m;
