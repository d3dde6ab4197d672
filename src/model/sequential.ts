/**
 * Sequential: a stack of layers trained with one loss and one optimizer. A thin facade: each
 * job is a module of its own —
 *   ./layout.ts    where parameters, gradients, the double-buffered optimizer state and the
 *                  batch buffers live in the backend's arena;
 *   ./compile.ts   the loss kernel, optimizer and metrics resolved by compile();
 *   ./step.ts      the forward pass and one training step (kernel calls, no allocation);
 *   ./fit.ts       fit(): argument checks, the epoch/batch loop, callbacks, history;
 *   ./verbose.ts   the console line per epoch (a callback);
 *   ./evaluate.ts  predict() and evaluate() in chunks of rows;
 *   ./weights.ts   getWeights()/setWeights();
 *   ./persistence.ts  save()/toArtifacts() through the serializer src/io installs.
 * This class checks the model's state (usable, compiled, not training), validates inputs and
 * routes each call.
 */
import type { SaveResult, ModelArtifacts } from '../artifacts.js';
import { getBackend, ready } from '../backend/index.js';
import type { OptimizerParams } from '../backend/contract.js';
import { EarlyStopping, type TrainingModel } from '../callbacks.js';
import { Layer, type Param } from '../layers/layer.js';
import { isSparse } from '../losses.js';
import { newOptimizerParams, type Optimizer } from '../optimizers/optimizer.js';
import { Tensor2D, describe, type Tensor2DLike } from '../tensor.js';
import { checkOptionKeys } from '../util/options.js';
import { Rng } from '../util/random.js';
import { compileSpec, type CompileArgs, type Compiled } from './compile.js';
import { checkFeatures, checkTargets, type Labels } from './data.js';
import { chunkRows, evaluateRows, predictRows, type Evaluation } from './evaluate.js';
import { planFit, runFit, type FitArgs, type History } from './fit.js';
import { BatchReader, planFitDataset, runFitDataset, scoreDataset, type Batch, type Dataset, type FitDatasetArgs } from './dataset.js';
import { ModelMemory } from './layout.js';
import { serializer, type SavableModel, type SaveOptions, type TrainingSetup } from './persistence.js';
import { readOptimizerState, writeOptimizerState, type OptimizerState } from './optimizer-state.js';
import { metricTrackers } from './metric-tracker.js';
import { DivergenceError, trainStep } from './step.js';
import { formatSummary } from './summary.js';
import { writeSampleWeights, type ClassWeight, type SampleWeight } from './weighting.js';
import { checkWeights, readWeights, storeWeights, type WeightLike, type WeightTensor } from './weights.js';

const trainOnBatchKeys = ['sampleWeight'] as const;

export interface SequentialArgs {
  layers?: Layer[];
  /** Seeds weight init, shuffling and dropout: the same seed replays a run exactly. */
  seed?: number;
  name?: string;
}

export class Sequential implements TrainingModel, SavableModel {
  readonly layers: Layer[] = [];
  readonly name: string;
  /** Set by callbacks (e.g. early stopping) to end `fit` after the current epoch. */
  stopTraining = false;
  /** Epochs completed when the checkpoint this model was loaded from was saved (by modelCheckpoint); pass it to fit as `initialEpoch`. */
  savedEpoch: number | undefined;
  private readonly rng: Rng;
  private readonly seed: number;
  /** The arena layout; undefined until the model is built (first fit, predict, weights access). */
  private memory: ModelMemory | undefined;
  private compiled: Compiled | undefined;
  private fitting = false;
  private disposed = false;
  private readonly names = new Map<string, number>();
  private readonly optParams: OptimizerParams = newOptimizerParams();

  constructor(args: SequentialArgs = {}) {
    checkOptionKeys(args, ['layers', 'seed', 'name'] satisfies (keyof SequentialArgs)[], 'sequential');
    if (args.seed !== undefined && (!Number.isInteger(args.seed) || args.seed < 0 || args.seed > 0xffffffff)) {
      throw new Error(`sequential: seed must be an integer in [0, 2^32), got ${describe(args.seed)}`);
    }
    this.seed = args.seed ?? (Math.random() * 2 ** 32) >>> 0;
    this.rng = new Rng(this.seed);
    this.name = args.name ?? 'sequential';
    for (const layer of args.layers ?? []) this.add(layer);
  }

  /** Append a layer. The first layer must declare `inputShape`. */
  add(layer: Layer): this {
    this.checkUsable();
    if (!(layer instanceof Layer)) throw new Error(`add: expected a layer from nn.layers.*, got ${describe(layer)}`);
    if (this.memory) throw new Error(`add: the model is already built (weights exist); add layers before training or predicting`);
    if (this.layers.length === 0 && layer.declaredInputUnits === undefined) {
      throw new Error(`add: the first layer (${layer.name}) needs inputShape, e.g. { inputShape: [784] }`);
    }
    if (this.layers.length > 0 && layer.declaredInputUnits !== undefined && layer.declaredInputUnits !== this.layers.at(-1)!.units) {
      // Only the first layer's inputShape is used; a later one must at least agree.
      if (this.layers.at(-1)!.units) throw new Error(`add: ${layer.name} declares inputShape [${layer.declaredInputUnits}] but the previous layer outputs ${this.layers.at(-1)!.units}`);
    }
    // Unique names: 'dense', 'dense_1', … as Keras.
    const base = layer.name;
    const count = this.names.get(base) ?? 0;
    this.names.set(base, count + 1);
    if (count > 0 || this.layers.some((l) => l.name === base)) layer.name = `${base}_${count}`;
    const inUnits = this.layers.length === 0 ? layer.declaredInputUnits! : this.layers.at(-1)!.units;
    layer.build(inUnits);
    this.layers.push(layer);
    return this;
  }

  /** Input and output widths. */
  get inputUnits(): number {
    return this.layers[0]?.inUnits ?? 0;
  }
  get outputUnits(): number {
    return this.layers.at(-1)?.units ?? 0;
  }

  /** Set the optimizer, loss and metrics. Can be called again (optimizer state restarts). */
  compile(args: CompileArgs): void {
    this.checkUsable();
    // Swapping the loss or optimizer under a running fit would mix two trainings' buffers.
    if (this.fitting) throw new Error('compile: this model is training in fit(); compile before or after it');
    this.compiled = compileSpec(args, this.layers);
    if (this.memory) this.memory.resetOptimizerState(this.compiled.optimizer);
  }

  /** The compiled optimizer, loss name and metrics (undefined before compile). */
  get trainingConfig(): TrainingSetup | undefined {
    const c = this.compiled;
    return c && { optimizer: c.optimizer, loss: c.lossName, metrics: c.metrics };
  }

  /** The compiled optimizer (undefined before compile); its `learningRate` may be set between steps. */
  get optimizer(): Optimizer | undefined {
    return this.compiled?.optimizer;
  }

  /** Lay out parameters in the arena and initialise them (once). Needs a ready backend. */
  private build(): ModelMemory {
    this.checkUsable();
    if (this.memory) return this.memory;
    if (this.layers.length === 0) throw new Error('The model has no layers; add layers first');
    const optimizer = this.compiled?.optimizer;
    const memory = ModelMemory.build(getBackend(), this.layers, this.rng, optimizer, this, () => this.describeSize());
    this.memory = memory;
    if (optimizer) memory.resetOptimizerState(optimizer);
    return memory;
  }

  /** Built, with optimizer state for the compiled optimizer. */
  private buildForTraining(c: Compiled): ModelMemory {
    const memory = this.build();
    if (!memory.hasOptimizerState) memory.resetOptimizerState(c.optimizer);
    return memory;
  }

  /** "the model 'name' (123 parameters)" for out-of-memory messages. */
  private describeSize(): string {
    return `the model '${this.name}' (${this.countParams()} parameters)`;
  }

  // ---- training -------------------------------------------------------------------------------

  /**
   * Train for `epochs` passes over (x, y). Yields to the event loop between batches often enough
   * to keep a page responsive. Throws (before changing any weight) on bad input, and stops with an
   * Error naming the epoch and batch if the loss or gradients stop being finite — the weights
   * then are those from before the bad step.
   */
  async fit(x: Tensor2DLike, y: Labels, args: FitArgs = {}): Promise<History> {
    this.checkUsable();
    if (this.fitting) throw new Error('fit: this model is already training; wait for the running fit() to finish');
    this.fitting = true;
    try {
      if (!this.memory) await ready();
      const c = this.requireCompiled('fit');
      const plan = planFit(x, y, args, c, this.inputUnits, this.outputUnits);
      const memory = this.buildForTraining(c);
      return await runFit({ model: this, layers: this.layers, memory, compiled: c, rng: this.rng, optParams: this.optParams }, plan);
    } finally {
      this.fitting = false;
    }
  }

  /**
   * Train on a dataset of batches — an iterable or async iterable of `{ xs, ys }` (a generator, a
   * stream, `nn.data.csv(...)`) or a TensorFlow.js `tf.data` Dataset — holding one batch in
   * memory at a time (as TensorFlow.js `model.fitDataset`). Each epoch is a full pass (the dataset
   * starts over), or `batchesPerEpoch` batches from one running iterator. Every batch is checked
   * before the step that would use it: a bad one (wrong width, shape and data disagreeing,
   * NaN/Infinity, a bad class id) ends training with an Error naming its epoch and batch, and the
   * weights are those after the previous batch. Given the same batches in the same order, the
   * weights equal those of `fit(x, y, { shuffle: false })` with the same seed.
   */
  async fitDataset(dataset: Dataset, args: FitDatasetArgs = {}): Promise<History> {
    this.checkUsable();
    if (this.fitting) throw new Error('fitDataset: this model is already training; wait for the running fit() to finish');
    this.fitting = true;
    try {
      if (!this.memory) await ready();
      const c = this.requireCompiled('fitDataset');
      const plan = planFitDataset(dataset, args, c, this.inputUnits, this.outputUnits);
      const memory = this.buildForTraining(c);
      return await runFitDataset({ model: this, layers: this.layers, memory, compiled: c, rng: this.rng, optParams: this.optParams }, plan);
    } finally {
      this.fitting = false;
    }
  }

  /**
   * One optimisation step on one batch; returns the loss (with regularisation penalties).
   * `sampleWeight`: one weight ≥ 0 per row, the loss becoming Σ w·ℓ / rows (Keras's train_on_batch).
   */
  trainOnBatch(x: Tensor2DLike, y: Labels, args?: { sampleWeight?: SampleWeight }): number {
    this.checkUsable();
    if (this.fitting) throw new Error('trainOnBatch: this model is training in fit(); wait for it to finish');
    const c = this.requireCompiled('trainOnBatch');
    // for…in, not Object.keys: a step with weights must not allocate.
    if (args !== undefined) for (const k in args) if (k !== 'sampleWeight') checkOptionKeys(args, trainOnBatchKeys, 'trainOnBatch');
    const xt = checkFeatures(x, this.inputUnits, 'trainOnBatch x');
    const yt = checkTargets(y, xt.rows, this.outputUnits, isSparse(c.lossName), 'trainOnBatch y');
    const memory = this.buildForTraining(c);
    memory.ensureCapacity(xt.rows, this.inputUnits, this.outputUnits);
    const f32 = memory.backend.f32();
    f32.set(xt.data, memory.xBuf >>> 2);
    f32.set(yt.data, memory.yBuf >>> 2);
    // The batch's metrics are computed as in fit (the same kernels; what the allocation test measures).
    const metrics = metricTrackers(memory.ledger, c).train;
    metrics.reset();
    const sw = args?.sampleWeight;
    if (sw !== undefined) writeSampleWeights(sw, xt.rows, f32, memory.wBuf >>> 2, 'trainOnBatch');
    try {
      return trainStep(this.layers, memory, c, this.optParams, xt.rows, metrics.active ? metrics : undefined, sw === undefined ? 0 : memory.wBuf);
    } catch (e) {
      if (e instanceof DivergenceError) throw new Error(`trainOnBatch: ${e.message}; the weights were not changed`);
      throw e;
    }
  }

  // ---- inference ------------------------------------------------------------------------------

  /** Outputs for every row of x (in inference mode: dropout off). */
  predict(x: Tensor2DLike, args: { batchSize?: number } = {}): Tensor2D {
    this.checkUsable();
    checkOptionKeys(args, ['batchSize'], 'predict');
    const xt = checkFeatures(x, this.inputUnits, 'predict x');
    const memory = this.build();
    const chunk = chunkRows(this.layers, memory, xt.rows, args.batchSize, 'predict', this.fitting);
    return predictRows(this.layers, memory, xt, chunk);
  }

  /**
   * Mean loss (without regularisation penalties, as TensorFlow.js) and every compiled metric, by
   * the name it was compiled with: `{ loss, accuracy?, auc?, … }`.
   */
  evaluate(x: Tensor2DLike, y: Labels, args: { batchSize?: number } = {}): Evaluation {
    this.checkUsable();
    const c = this.requireCompiled('evaluate');
    checkOptionKeys(args, ['batchSize'], 'evaluate');
    const xt = checkFeatures(x, this.inputUnits, 'evaluate x');
    const yt = checkTargets(y, xt.rows, this.outputUnits, isSparse(c.lossName), 'evaluate y');
    const memory = this.build();
    const chunk = chunkRows(this.layers, memory, xt.rows, args.batchSize, 'evaluate', this.fitting);
    return evaluateRows(this.layers, memory, c, xt, yt, chunk, 'evaluate: the');
  }

  /**
   * Mean loss (without regularisation penalties) and accuracy over a dataset of batches, one
   * batch in memory at a time; `batches` limits how many are read. Bad batches are refused as in
   * fitDataset.
   */
  async evaluateDataset(dataset: Dataset, args: { batches?: number } = {}): Promise<Evaluation> {
    this.checkUsable();
    const c = this.requireCompiled('evaluateDataset');
    checkOptionKeys(args, ['batches'], 'evaluateDataset');
    if (args.batches !== undefined && !(Number.isInteger(args.batches) && args.batches >= 1)) throw new Error(`evaluateDataset: batches must be an integer >= 1, got ${describe(args.batches)}`);
    if (!this.memory) await ready();
    const reader = new BatchReader(this.layers, this.build(), c, 'evaluateDataset');
    return scoreDataset(reader, dataset, args.batches, 'evaluateDataset');
  }

  // ---- weights --------------------------------------------------------------------------------

  /**
   * Copies of every weight in TensorFlow.js's order: the trainable ones layer by layer (kernel
   * [in, units], bias [units], PReLU alpha, normalization gamma/beta [units]), then the
   * non-trainable ones (batch normalization's moving_mean, moving_variance).
   */
  getWeights(): WeightTensor[] {
    this.checkUsable();
    return readWeights(this.layers, this.build());
  }

  /**
   * Replace every parameter (same order and shapes as getWeights). Accepts { shape, data } objects
   * or TensorFlow.js tensors. Everything is checked before anything is written.
   */
  setWeights(weights: ArrayLike<WeightLike>): void {
    this.checkUsable();
    const values = checkWeights(this.layers, weights);
    // Only now, with every weight checked, build (lay out) the model if it was not built yet.
    storeWeights(this.layers, this.build(), values);
  }

  /** All weights (the moving statistics included) as one flat copy (early stopping's best weights). */
  snapshotWeights(): Float32Array {
    return this.build().snapshot();
  }

  restoreWeights(snapshot: Float32Array): void {
    this.build().restore(snapshot);
  }

  /** Number of trainable parameters. */
  countParams(): number {
    return this.layers.reduce((s, l) => s + l.params.reduce((t, p) => t + p.size, 0), 0);
  }

  /** A Keras-style table of layers, output shapes and parameter counts. */
  summary(): string {
    return formatSummary(this.name, this.layers);
  }

  // ---- lifetime -------------------------------------------------------------------------------

  /**
   * Free the model's backend memory: weights, gradients, optimizer state and activation buffers,
   * all at once (the arena bytes in use go back to what they were before the model was built).
   * Afterwards every method except `dispose` (a no-op) throws an Error saying the model was
   * disposed; copies already taken (getWeights, predict results, toArtifacts) stay valid, as they
   * live in ordinary JS memory. Refused while `fit()` runs.
   *
   * A model that is never disposed has its memory freed some time after it is garbage-collected
   * (a FinalizationRegistry) — but when is up to the JS engine, so dispose models you are done
   * with, especially large ones or many in a loop.
   */
  dispose(): void {
    if (this.disposed) return;
    if (this.fitting) throw new Error('dispose: this model is training; wait for fit() to finish');
    this.memory?.free();
    this.memory = undefined;
    this.disposed = true;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Name of the backend the model's weights live on (after it is built). */
  get backendName(): string | undefined {
    return this.memory?.backend.name;
  }

  private checkUsable(): void {
    if (this.disposed) throw new Error(`The model '${this.name}' was disposed and cannot be used`);
  }

  private requireCompiled(what: string): Compiled {
    if (!this.compiled) throw new Error(`${what}: compile the model first, e.g. model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' })`);
    return this.compiled;
  }

  /**
   * The optimizer state (iteration count, every state slot) and the random generator's position
   * (next shuffle and dropout draws): what a checkpoint needs to resume a run exactly.
   * Undefined before compile().
   */
  getTrainingState(): { optimizer: OptimizerState; rng: number[] } | undefined {
    this.checkUsable();
    const c = this.compiled;
    return c && { optimizer: readOptimizerState(this.layers, this.buildForTraining(c), c.optimizer), rng: this.rng.getState() };
  }

  /** Restore what getTrainingState() returned (the optimizer weights as [name, values] in file order); checked before anything is written. */
  setTrainingState(iterations: number, optimizerWeights: readonly [string, Float32Array][], rng?: unknown): void {
    this.checkUsable();
    if (this.fitting) throw new Error('setTrainingState: this model is training in fit(); wait for it to finish');
    const c = this.requireCompiled('setTrainingState');
    if (rng !== undefined) new Rng(0).setState(rng); // check first
    writeOptimizerState(this.layers, this.buildForTraining(c), c.optimizer, iterations, optimizerWeights);
    if (rng !== undefined) this.rng.setState(rng);
  }

  // ---- saving (through the serializer src/io installs) ----------------------------------------

  /** The model in the TensorFlow.js layers format, in memory (what `tf.io.fromMemory` takes); `includeOptimizer` adds the optimizer state. */
  toArtifacts(options: SaveOptions = {}): ModelArtifacts {
    return serializer('toArtifacts').toArtifacts(this, options);
  }

  /**
   * Save to 'file://dir' (Node), 'indexeddb://name', 'localstorage://name' or 'downloads://name'.
   * `{ includeOptimizer: true }` also saves the optimizer state and the random generator's
   * position, as TensorFlow.js's `save(…, { includeOptimizer: true })`, so a loaded model
   * continues training exactly where this one stopped.
   */
  async save(url: string, options: SaveOptions = {}): Promise<SaveResult> {
    return serializer('save').save(this, url, options);
  }
}

export function sequential(args?: SequentialArgs): Sequential {
  return new Sequential(args);
}

export { EarlyStopping };
export type { ClassWeight, SampleWeight };
export type { Param, CompileArgs, FitArgs, FitDatasetArgs, Dataset, Batch, History, WeightTensor, WeightLike };
