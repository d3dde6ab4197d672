export { Layer, type LayerArgs, type Param } from './layer.js';
export { Dense, dense, type DenseArgs } from './dense.js';
export { Dropout, dropout, type DropoutArgs } from './dropout.js';
export { Activation, activation, type ActivationArgs } from './activation.js';
export { LeakyReLU, leakyRelu, type LeakyReluArgs } from './leaky-relu.js';
export { PReLU, prelu, type PreluArgs } from './prelu.js';
export { ELU, elu, type EluArgs } from './elu.js';
export { activationNames, type ActivationName } from './activation-kernels.js';
