/**
 * Child process of test/alloc-free.test.ts (bundled with esbuild, run with --expose-gc and a 64 MiB
 * young generation so no scavenge happens while it measures). For each model it warms
 * trainOnBatch up until V8 has optimised it, then counts the young-generation bytes allocated
 * over many steps — once as is, once with a control that allocates one small array per step, so
 * the test can tell the instrument sees allocations. Prints one JSON line.
 *
 * argv: backend ('js' | 'wasm'), threads (wasm), steps to measure.
 */
import v8 from 'node:v8';
// The Node entry's view of the library (Node's platform registered: worker_threads for the pool).
import * as nn from '../../src/index-node.js';

const [backend = 'js', threadsArg = '1', stepsArg = '3000'] = process.argv.slice(2);
const threads = Number(threadsArg);
/** Steps measured; as many again (twice) to warm up, so V8 has optimised the loop before counting. */
const STEPS = Number(stepsArg);
const WARMUP = STEPS;
const ROUNDS = 6;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

function youngBytes(): number {
  return v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;
}

let sink: unknown;

/** Bytes allocated per step over STEPS steps; undefined when a scavenge ran in between (retry). */
function measure(step: (i: number) => void): number | undefined {
  gc!();
  const before = youngBytes();
  for (let i = 0; i < STEPS; i++) step(i);
  const after = youngBytes();
  return after < before ? undefined : (after - before) / STEPS;
}

/**
 * The least bytes per step over ROUNDS rounds, of the step and of the control (interleaved). While V8 still (re)optimises, a round can count
 * the interpreter's boxes and iterators; an allocation the code really makes is in every round.
 */
function bytesPerStep(step: (i: number) => void, control: (i: number) => void): [number, number] {
  let least = Infinity, leastControl = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const b = measure(step);
    if (b !== undefined) least = Math.min(least, b);
    const c = measure(control);
    if (c !== undefined) leastControl = Math.min(leastControl, c);
  }
  if (least === Infinity || leastControl === Infinity) throw new Error('a scavenge ran during every measurement');
  return [least, leastControl];
}

// minParallelWork 0: on 2 threads every gemm and optimizer step is split over the pool.
await nn.setBackend(backend as 'js' | 'wasm', backend === 'wasm' ? ({ threads, minParallelWork: 0 } as nn.BackendOptions) : {});

const ROWS = 24, IN = 13, OUT = 5;
const x = nn.tensor2d(Float32Array.from({ length: ROWS * IN }, (_, i) => Math.sin(i * 0.7)), [ROWS, IN]);
const oneHot = nn.tensor2d(Float32Array.from({ length: ROWS * OUT }, (_, i) => (i % OUT === Math.floor(i / OUT) % OUT ? 1 : 0)), [ROWS, OUT]);
const ids = nn.tensor2d(Float32Array.from({ length: ROWS }, (_, r) => r % OUT), [ROWS, 1]);

const configs: { name: string; optimizer: () => nn.optimizers.Optimizer; loss: string; dropout: boolean; norm?: boolean; weighted?: boolean }[] = [
  { name: 'sgd + mse', optimizer: () => nn.optimizers.sgd({ learningRate: 0.01 }), loss: 'meanSquaredError', dropout: false },
  { name: 'adam + dropout + categorical + accuracy', optimizer: () => nn.optimizers.adam({ learningRate: 0.001 }), loss: 'categoricalCrossentropy', dropout: true },
  { name: 'rmsprop + sparse', optimizer: () => nn.optimizers.rmsprop({ learningRate: 0.001 }), loss: 'sparseCategoricalCrossentropy', dropout: false },
  { name: 'momentum + l2', optimizer: () => nn.optimizers.sgd({ learningRate: 0.01, momentum: 0.9 }), loss: 'meanSquaredError', dropout: false },
  { name: 'adagrad', optimizer: () => nn.optimizers.adagrad({ learningRate: 0.01 }), loss: 'categoricalCrossentropy', dropout: false },
  { name: 'adam + batchNorm + layerNorm + gaussianNoise', optimizer: () => nn.optimizers.adam({ learningRate: 0.001 }), loss: 'categoricalCrossentropy', dropout: false, norm: true },
  { name: 'adam + every metric', optimizer: () => nn.optimizers.adam({ learningRate: 0.001 }), loss: 'binaryCrossentropy', dropout: false },
  { name: 'adam (scheduled rate) + sample weights + sparse', optimizer: () => nn.optimizers.adam({ learningRate: nn.schedules.cosineDecay({ initialLearningRate: 0.001, decaySteps: 1000, warmupTarget: 0.01, warmupSteps: 100 }) }), loss: 'sparseCategoricalCrossentropy', dropout: false, weighted: true },
  { name: 'sgd (exponential decay) + sample weights + mse', optimizer: () => nn.optimizers.sgd({ learningRate: nn.schedules.exponentialDecay({ initialLearningRate: 0.01, decaySteps: 100, decayRate: 0.9 }) }), loss: 'meanSquaredError', dropout: false, weighted: true },
];
// Every metric whose kernel returns a count or writes the arena. mse / mae are left out: they sum
// through the loss kernel, whose double result V8 boxes (16 bytes each per step, like the step's own
// loss), which the 128-byte allowance cannot absorb twice more on every backend (138.5 measured on js).
const allMetrics = ['accuracy', 'binaryAccuracy', 'categoricalAccuracy', 'topKCategoricalAccuracy', 'precision', 'recall', 'auc'];
// One weight per row, and the options object, made once: the caller's objects are not the step's.
const weightArgs = { sampleWeight: Float32Array.from({ length: ROWS }, (_, r) => 0.5 + (r % 3)) };

const results: { name: string; bytesPerStep: number; controlBytesPerStep: number }[] = [];
for (const c of configs) {
  const model = nn.sequential({
    seed: 5,
    layers: [
      nn.layers.dense({ units: 37, activation: 'relu', inputShape: [IN], kernelRegularizer: nn.regularizers.l2({ l2: 1e-4 }) }),
      ...(c.dropout ? [nn.layers.dropout({ rate: 0.2 })] : []),
      ...(c.norm ? [nn.layers.batchNormalization(), nn.layers.gaussianNoise({ stddev: 0.1 })] : []),
      nn.layers.dense({ units: 19, activation: 'tanh' }),
      ...(c.norm ? [nn.layers.layerNormalization()] : []),
      nn.layers.dense({ units: OUT, activation: c.loss === 'meanSquaredError' ? 'linear' : c.loss === 'binaryCrossentropy' ? 'sigmoid' : 'softmax' }),
    ],
  });
  model.compile({ optimizer: c.optimizer(), loss: c.loss, metrics: c.loss === 'meanSquaredError' ? [] : c.loss === 'binaryCrossentropy' ? allMetrics : ['accuracy'] });
  const y = c.loss === 'sparseCategoricalCrossentropy' ? ids : oneHot;
  // The losses are summed in a typed array: a double in a closure's variable would be boxed anew
  // on every assignment, which is the harness allocating, not the step.
  const total = new Float64Array(1);
  const args = c.weighted ? weightArgs : undefined;
  const step = (): void => {
    total[0] += model.trainOnBatch(x, y, args);
  };
  const control = (i: number): void => {
    total[0] += model.trainOnBatch(x, y, args);
    sink = [i, i, i, i, i, i, i, i, i, i, i, i, i, i, i, i]; // escapes: V8 cannot remove it (~176 bytes)
  };
  // The first model also pays for V8 optimising the library's shared code: warm it up longer.
  for (let i = 0; i < (results.length === 0 ? 4 * WARMUP : WARMUP); i++) {
    step();
    control(i);
  }
  const [bytes, controlBytes] = bytesPerStep(step, control);
  if (!Number.isFinite(total[0])) throw new Error(`${c.name}: the loss is not finite`);
  results.push({ name: c.name, bytesPerStep: bytes, controlBytesPerStep: controlBytes });
  model.dispose();
}
void sink;
console.log(JSON.stringify({ info: nn.backendInfo(), results }));
