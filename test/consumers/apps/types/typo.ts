// Must fail: the typos of the issue, without @ts-expect-error. tsc has to name both.
import * as nn from 'wasm-mlp';

nn.sequential().compile({ optimizer: 'adma', loss: 'binaryCrossentropy' });
nn.sequential().compile({ optimizer: 'adam', loss: 'binaryCrosentropy' });
