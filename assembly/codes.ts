// Numeric codes shared with src/backend/contract.ts (keep the two in sync; the wasm tests check them).

/** Matrix layouts for `gemm`. */
export enum Layout { NN = 0, TN = 1, NT = 2 }

/** Elementwise activations. */
export enum Act {
  linear = 0, step = 1, sigmoid = 2, tanh = 3, relu = 4, leakyRelu = 5,
  elu = 6, selu = 7, softplus = 8, swish = 9, gelu = 10,
}

/** Losses; the *Fused* kinds write the gradient with respect to the logits. */
export enum Loss {
  meanSquaredError = 0, meanAbsoluteError = 1,
  binaryCrossentropy = 2, binaryCrossentropyFusedSigmoid = 3,
  categoricalCrossentropy = 4, categoricalCrossentropyFusedSoftmax = 5,
  sparseCategoricalCrossentropy = 6, sparseCategoricalCrossentropyFusedSoftmax = 7,
}

/** Optimizer update rules. */
export enum Opt { sgd = 0, momentum = 1, nesterov = 2, adagrad = 3, rmsprop = 4, rmspropCentered = 5, adam = 6, adamw = 7 }

/** Accuracy kinds for `accuracyCount`. */
export enum Accuracy { binary = 0, categorical = 1, sparse = 2 }
