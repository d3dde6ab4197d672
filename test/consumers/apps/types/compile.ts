// compile()'s names are unions of the known names: right spellings pass, typos must fail.
import * as nn from 'wasm-mlp';

const m = nn.sequential({ layers: [nn.layers.dense({ units: 1, inputShape: [2] })] });
m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
m.compile({ optimizer: 'RMSprop', loss: 'mse', metrics: ['acc'] });
m.compile({ optimizer: nn.optimizers.sgd({ learningRate: 0.1 }), loss: 'categorical_crossentropy' });
const loss: nn.LossName = nn.lossNames[0];
m.compile({ optimizer: 'adamw', loss });

// @ts-expect-error: 'adma' is not an optimizer
m.compile({ optimizer: 'adma', loss: 'binaryCrossentropy' });
// @ts-expect-error: 'binaryCrosentropy' is not a loss
m.compile({ optimizer: 'adam', loss: 'binaryCrosentropy' });
// @ts-expect-error: 'precison' is not a metric ('precision' is, since issue 15)
m.compile({ optimizer: 'adam', loss: 'mse', metrics: ['precison'] });
m.compile({ optimizer: 'adam', loss: 'mse', metrics: ['precision', 'auc', 'mae'] });

export const spec: nn.worker.ModelSpec = {
  layers: [{ type: 'dense', units: 1, inputShape: [2] }],
  compile: { optimizer: { name: 'adam', learningRate: 0.01 }, loss: 'meanSquaredError' },
};
export const badSpec: nn.worker.ModelSpec = {
  layers: [{ type: 'dense', units: 1, inputShape: [2] }],
  // @ts-expect-error: 'meanSquaredEror' is not a loss
  compile: { optimizer: 'sgd', loss: 'meanSquaredEror' },
};
