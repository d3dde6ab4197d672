// The two reference models the demo, the benchmarks and the tests share, built with whichever
// `nn` module the caller imported (the dist bundle or the TypeScript sources).

/**
 * The seeds' two Keras classifiers, as plain data so the native peers (bench/native.py: PyTorch,
 * Keras-on-JAX) build exactly these: Dense(hidden[0], relu) → Dropout → Dense(hidden[1], relu) →
 * Dropout → Dense(outputs, softmax), Adam, categorical cross-entropy.
 *   mnist:  the course's MNIST classifier (`npm start`);
 *   intent: the bag-of-words chatbot intent classifier (examples/intent-classifier.mjs) over the
 *           2,000-word vocabulary of examples/lib/intent-data.mjs.
 */
export const CLASSIFIERS = {
  mnist: { inputs: 784, hidden: [256, 128], dropout: 0.5, outputs: 10, learningRate: 0.001 },
  intent: { inputs: 2000, hidden: [256, 128], dropout: 0.5, outputs: 20, learningRate: 0.001 },
};

/** A model of CLASSIFIERS (`spec`), in wasm-mlp. */
export function classifierModel(nn, spec, { seed = 1 } = {}) {
  const m = nn.sequential({ seed });
  spec.hidden.forEach((units, i) => {
    m.add(nn.layers.dense({ units, activation: 'relu', ...(i === 0 ? { inputShape: [spec.inputs] } : {}) }));
    if (spec.dropout) m.add(nn.layers.dropout({ rate: spec.dropout }));
  });
  m.add(nn.layers.dense({ units: spec.outputs, activation: 'softmax' }));
  m.compile({ optimizer: nn.optimizers.adam({ learningRate: spec.learningRate }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

/** The course's Keras classifier: Dense(w1, relu) → Dropout → Dense(w2, relu) → Dropout → Dense(10, softmax), Adam. */
export function mnistModel(nn, { width1 = 256, width2 = 128, dropout = true, seed = 1 } = {}) {
  return classifierModel(nn, { ...CLASSIFIERS.mnist, hidden: [width1, width2], dropout: dropout ? CLASSIFIERS.mnist.dropout : 0 }, { seed });
}

/** The bag-of-words intent classifier: 2,000 → 256 → 128 → 20 with dropout 0.5, Adam. */
export function intentModel(nn, { seed = 1 } = {}) {
  return classifierModel(nn, CLASSIFIERS.intent, { seed });
}

/** The tiny Playground net of the benchmarks: 2-8-8-1 tanh, SGD 0.03, MSE. */
export function tinyModel(nn, { seed = 1 } = {}) {
  const m = nn.sequential({ seed });
  m.add(nn.layers.dense({ units: 8, activation: 'tanh', inputShape: [2] }));
  m.add(nn.layers.dense({ units: 8, activation: 'tanh' }));
  m.add(nn.layers.dense({ units: 1, activation: 'tanh' }));
  m.compile({ optimizer: nn.optimizers.sgd({ learningRate: 0.03 }), loss: 'meanSquaredError' });
  return m;
}

/** The same MNIST classifier in TensorFlow.js (`tf` = tfjs-core, `tfl` = tfjs-layers), for comparisons. */
export function tfjsMnistModel(tf, tfl) {
  const m = tfl.sequential();
  m.add(tfl.layers.dense({ units: 256, activation: 'relu', inputShape: [784] }));
  m.add(tfl.layers.dropout({ rate: 0.5 }));
  m.add(tfl.layers.dense({ units: 128, activation: 'relu' }));
  m.add(tfl.layers.dropout({ rate: 0.5 }));
  m.add(tfl.layers.dense({ units: 10, activation: 'softmax' }));
  m.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}
