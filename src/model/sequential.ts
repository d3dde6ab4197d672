/**
 * Sequential: a stack of layers trained with one loss and one optimizer.
 *
 * Memory (all in the backend's arena, laid out once):
 *   params  — every layer's parameters back to back (16-byte aligned each);
 *   grads   — the same layout, written by backward;
 *   optimizer block (after compile) — 0–3 state slots, then a second set of params and of
 *             slots, each the same layout again. Side A is (params, the first slots), side B the
 *             second set; a step reads the current side and writes the other (double buffering)
 *             and only a step that stayed finite makes the other side current, so a diverging
 *             step leaves the weights and optimizer state exactly as they were, with no copy;
 *   per layer — output and output-gradient buffers for `capacity` rows;
 *   x, y    — the current batch.
 * A training step is kernel calls on those offsets: it allocates nothing in JS or in the arena.
 * Every block goes through an ArenaLedger (./memory.ts) so dispose() — or, failing that, the
 * garbage collector — returns all of it.
 */
import { getBackend, ready } from '../backend/index.js';
import type { AccuracyCode, Backend, LossCode, OptimizerParams } from '../backend/contract.js';
import { EarlyStopping, type Callback, type Logs, type ModelAwareCallback, type TrainingModel } from '../callbacks.js';
import { Layer, type Param, type PassContext } from '../layers/layer.js';
import { accuracyKind, getLossName, isSparse, lossKernel, type LossName, type LossSpec } from '../losses.js';
import { getOptimizer, type Optimizer, type OptimizerName } from '../optimizers/index.js';
import { newOptimizerParams } from '../optimizers/optimizer.js';
import { Tensor2D, describe, type Tensor2DLike } from '../tensor.js';
import { Rng } from '../util/random.js';
import { nextMacrotask, now } from '../util/yield.js';
import { checkFeatures, checkPositiveInt, checkTargets, type Labels } from './data.js';
import { formatSummary } from './summary.js';
import { ArenaLedger, checkFits, freeWhenCollected, releaseNow } from './memory.js';
import { modelToArtifacts, saveModel, type ModelArtifacts, type SaveResult } from '../io/index.js';

export interface SequentialArgs {
  layers?: Layer[];
  /** Seeds weight init, shuffling and dropout: the same seed replays a run exactly. */
  seed?: number;
  name?: string;
}

/** The metric names `compile({ metrics })` accepts ('acc' is Keras's short form). */
export type MetricName = 'accuracy' | 'acc';

export interface CompileArgs {
  /** A name ('adam', 'sgd', … or Keras's 'Adam'; any case at run time) or an `nn.optimizers.*` object. */
  optimizer: OptimizerName | Optimizer;
  /** A loss name ('binaryCrossentropy', …) or its Keras spelling ('binary_crossentropy', 'mse', …). */
  loss: LossSpec;
  metrics?: MetricName[];
}

export interface FitArgs {
  /** Default 1. */
  epochs?: number;
  /** Default 32. batchSize = dataset size is batch gradient descent, 1 is stochastic. */
  batchSize?: number;
  /** Default true. */
  shuffle?: boolean;
  /** Fraction of the data, taken from the end before shuffling (as Keras), held out for validation. */
  validationSplit?: number;
  validationData?: [Tensor2DLike, Labels];
  callbacks?: Callback | Callback[];
  /** 0 = silent (default), 1 = one line per epoch on the console. */
  verbose?: 0 | 1;
  /** Epoch to start counting from (to resume). */
  initialEpoch?: number;
  /** Give the event loop a turn at least this often, in ms (default 16; 0 = after every batch). */
  yieldEvery?: number;
}

export interface History {
  epoch: number[];
  history: Record<string, number[]>;
  params: { epochs: number; batchSize: number; samples: number };
}

/** A weight as returned by getWeights: `shape` [in, units] for kernels, [units] for biases. */
export interface WeightTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** What setWeights accepts: { shape, data } (e.g. from getWeights) or a TensorFlow.js tensor. */
export interface WeightLike {
  shape: readonly number[];
  data?: ArrayLike<number> | (() => unknown);
  dataSync?: () => ArrayLike<number>;
}

interface Compiled {
  optimizer: Optimizer;
  lossName: LossName;
  lossCode: LossCode;
  fused: boolean;
  accuracy: AccuracyCode | undefined;
  metrics: string[];
}

export class Sequential implements TrainingModel {
  readonly layers: Layer[] = [];
  readonly name: string;
  /** Set by callbacks (e.g. early stopping) to end `fit` after the current epoch. */
  stopTraining = false;
  private readonly rng: Rng;
  private readonly seed: number;
  private backend: Backend | undefined;
  private ledger: ArenaLedger | undefined;
  private compiled: Compiled | undefined;
  private paramFloats = 0;
  /** The current parameters: side A's (the block allocated by build) or side B's. */
  private params = 0;
  private grads = 0;
  /** Side A's state slots, then side B's params and slots, one block (0 until compiled and built). */
  private optBlock = 0;
  /** Offsets of each side's params and first state slot (slot k follows at k·paramFloats·4). */
  private readonly sideParams: [number, number] = [0, 0];
  private readonly sideState: [number, number] = [0, 0];
  /** The side holding the current params and state: 0 = A, 1 = B. */
  private side = 0;
  private capacity = 0;
  private xBuf = 0;
  private yBuf = 0;
  private iterations = 0;
  private fitting = false;
  private disposed = false;
  private readonly names = new Map<string, number>();
  private readonly optParams: OptimizerParams = newOptimizerParams();
  private readonly ctx: { -readonly [K in keyof PassContext]: PassContext[K] };

  constructor(args: SequentialArgs = {}) {
    if (args.seed !== undefined && (!Number.isInteger(args.seed) || args.seed < 0 || args.seed > 0xffffffff)) {
      throw new Error(`sequential: seed must be an integer in [0, 2^32), got ${describe(args.seed)}`);
    }
    this.seed = args.seed ?? (Math.random() * 2 ** 32) >>> 0;
    this.rng = new Rng(this.seed);
    this.name = args.name ?? 'sequential';
    const rng = this.rng;
    this.ctx = { backend: undefined as unknown as Backend, training: false, nextSeed: () => rng.nextU32() };
    for (const layer of args.layers ?? []) this.add(layer);
  }

  /** Append a layer. The first layer must declare `inputShape`. */
  add(layer: Layer): this {
    this.checkUsable();
    if (!(layer instanceof Layer)) throw new Error(`add: expected a layer from nn.layers.*, got ${describe(layer)}`);
    if (this.backend) throw new Error(`add: the model is already built (weights exist); add layers before training or predicting`);
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
    if (!args || typeof args !== 'object') throw new Error(`compile: expected { optimizer, loss, metrics? }, got ${describe(args)}`);
    if (this.layers.length === 0) throw new Error('compile: the model has no layers; add layers first');
    const optimizer = getOptimizer(args.optimizer);
    const lossName = getLossName(args.loss);
    const metrics = args.metrics ?? [];
    if (!Array.isArray(metrics)) throw new Error(`compile: metrics must be an array like ['accuracy'], got ${describe(metrics)}`);
    for (const m of metrics) {
      if (m !== 'accuracy' && m !== 'acc') throw new Error(`compile: unknown metric ${JSON.stringify(m)}; supported: 'accuracy'`);
    }
    const last = this.layers.at(-1)!;
    if (isSparse(lossName) && last.units < 2) throw new Error(`compile: sparseCategoricalCrossentropy needs an output layer with >= 2 units, got ${last.units}`);
    const { code, fused } = lossKernel(lossName, last.outputActivation);
    for (const l of this.layers) l.fusedOutputGrad = false;
    last.fusedOutputGrad = fused;
    this.compiled = {
      optimizer, lossName, lossCode: code, fused,
      accuracy: metrics.length ? accuracyKind(lossName, last.units) : undefined,
      metrics: metrics.map(() => 'accuracy'),
    };
    if (this.backend) this.resetOptimizerState();
  }

  /** The compiled optimizer, loss name and metrics (undefined before compile). */
  get trainingConfig(): { optimizer: Optimizer; loss: LossName; metrics: string[] } | undefined {
    const c = this.compiled;
    return c && { optimizer: c.optimizer, loss: c.lossName, metrics: c.metrics };
  }

  // ---- building and memory --------------------------------------------------------------------

  /** Lay out parameters in the arena and initialise them. Needs a ready backend. */
  private build(): Backend {
    this.checkUsable();
    if (this.backend) return this.backend;
    if (this.layers.length === 0) throw new Error('The model has no layers; add layers first');
    const b = getBackend();
    let floats = 0;
    for (const layer of this.layers) for (const p of layer.params) floats += Math.ceil(p.size / 4) * 4;
    const bytes = Math.max(16, floats * 4);
    // Weights and gradients, plus the optimizer block when compiled: refused before any allocation.
    const slots = this.compiled?.optimizer.slots;
    const total = 2 * bytes + (slots === undefined ? 0 : optimizerBlockBytes(floats, slots));
    checkFits(b, total, `${this.describeSize()} (weights, gradients${slots === undefined ? '' : ', optimizer state and a second copy of both for the next step'})`);
    const ledger = new ArenaLedger(b);
    try {
      this.params = ledger.alloc(bytes);
      this.grads = ledger.alloc(bytes);
    } catch (e) {
      ledger.freeAll();
      throw e;
    }
    this.paramFloats = floats;
    this.sideParams[0] = this.params;
    this.side = 0;
    this.ledger = ledger;
    freeWhenCollected(this, ledger);
    this.backend = b;
    this.ctx.backend = b;
    let at = 0;
    const f32 = b.f32();
    f32.fill(0, this.params >>> 2, (this.params >>> 2) + floats);
    f32.fill(0, this.grads >>> 2, (this.grads >>> 2) + floats);
    for (const layer of this.layers) {
      for (const p of layer.params) {
        p.offset = this.params + at * 4;
        p.grad = this.grads + at * 4;
        const init = new Float32Array(p.size);
        p.initializer.fill(init, p.fanIn, p.fanOut, this.rng);
        f32.set(init, p.offset >>> 2);
        at += Math.ceil(p.size / 4) * 4;
      }
    }
    if (this.compiled) this.resetOptimizerState();
    return b;
  }

  /** "dense (4×5) → … : 123 parameters" for out-of-memory messages. */
  private describeSize(): string {
    return `the model '${this.name}' (${this.countParams()} parameters)`;
  }

  /**
   * (Re)allocate the optimizer block: side A's slots set to their initial values, side B's params
   * and slots. The current weights are moved to side A first (the block being replaced may hold them).
   */
  private resetOptimizerState(): void {
    const ledger = this.ledger!;
    const n = this.paramFloats;
    if (this.side !== 0) {
      const f32 = ledger.backend.f32();
      f32.copyWithin(this.sideParams[0] >>> 2, this.params >>> 2, (this.params >>> 2) + n);
      this.useSide(0);
    }
    if (this.optBlock) ledger.free(this.optBlock);
    this.optBlock = this.sideParams[1] = this.sideState[0] = this.sideState[1] = 0;
    const opt = this.compiled!.optimizer;
    const bytes = optimizerBlockBytes(n, opt.slots);
    checkFits(ledger.backend, bytes, `the ${opt.className} state of ${this.describeSize()}`);
    this.optBlock = ledger.alloc(bytes);
    const f32 = ledger.backend.f32();
    for (let s = 0; s < opt.slots; s++) {
      const start = (this.optBlock >>> 2) + s * n;
      f32.fill(opt.initialState(s), start, start + n);
    }
    // sgd has no slots: its state offsets stay 0 ("none").
    if (opt.slots) this.sideState[0] = this.optBlock;
    this.sideParams[1] = this.optBlock + opt.slots * n * 4;
    if (opt.slots) this.sideState[1] = this.sideParams[1] + n * 4;
    this.iterations = 0;
  }

  /** Make `side` current: the model's params offset and every Param.offset move to it. */
  private useSide(side: number): void {
    const delta = this.sideParams[side]! - this.params;
    this.side = side;
    this.params += delta;
    for (const layer of this.layers) for (const p of layer.params) p.offset += delta;
  }

  /** Make sure activation buffers hold at least `rows` rows. */
  private ensureCapacity(rows: number): void {
    if (rows <= this.capacity) return;
    const ledger = this.ledger!;
    this.releaseActivations();
    const yCols = Math.max(this.outputUnits, 1);
    // Input, targets, and each layer's output and output gradient (dropout masks come on top).
    const floatsPerRow = this.inputUnits + yCols + this.layers.reduce((s, l) => s + 2 * l.units, 0);
    checkFits(ledger.backend, rows * floatsPerRow * 4, `a batch of ${rows} rows for ${this.describeSize()}`);
    try {
      this.xBuf = ledger.alloc(rows * this.inputUnits * 4);
      this.yBuf = ledger.alloc(rows * yCols * 4);
      for (const layer of this.layers) layer.allocate(ledger.tracked, rows);
    } catch (e) {
      this.releaseActivations();
      throw e;
    }
    this.capacity = rows;
  }

  private releaseActivations(): void {
    const ledger = this.ledger!;
    for (const layer of this.layers) layer.release(ledger.tracked);
    if (this.xBuf) ledger.free(this.xBuf);
    if (this.yBuf) ledger.free(this.yBuf);
    this.xBuf = this.yBuf = 0;
    this.capacity = 0;
  }

  // ---- passes ---------------------------------------------------------------------------------

  private forward(x: number, rows: number, training: boolean): number {
    this.ctx.training = training;
    let cur = x;
    for (const layer of this.layers) cur = layer.forward(this.ctx, cur, rows);
    return cur;
  }

  /**
   * One optimisation step on the batch already in xBuf/yBuf. Returns the loss (with the
   * regularisation penalty). Throws before updating anything if the loss or gradient is not finite.
   */
  private step(rows: number, out: { accuracy: number }): number {
    const b = this.backend!;
    const c = this.compiled!;
    const layers = this.layers;
    const last = layers[layers.length - 1]!;
    const y = this.forward(this.xBuf, rows, true);
    const loss = b.loss(c.lossCode, rows, last.units, y, this.yBuf, last.dOut);
    out.accuracy = c.accuracy === undefined ? 0 : b.accuracyCount(c.accuracy, rows, last.units, y, this.yBuf);
    if (!Number.isFinite(loss)) throw new DivergenceError(`the loss became ${loss}`);
    for (let i = layers.length - 1; i >= 0; i--) layers[i]!.backward(b, rows, i > 0 ? layers[i - 1]!.dOut : 0);
    let penalty = 0;
    const opt = c.optimizer;
    for (const layer of layers) {
      for (const p of layer.params) {
        if (p.regularizer) penalty += b.regularize(p.size, p.offset, p.grad, p.regularizer.l1, p.regularizer.l2);
        if (opt.clipNorm > 0) {
          const norm = Math.sqrt(b.sumSquares(p.size, p.grad));
          if (norm > opt.clipNorm) b.scale(p.size, p.grad, opt.clipNorm / norm);
        }
      }
    }
    // Double buffering: read the current side, write the other. The kernel's fused check says
    // whether every new weight and state value is finite; only then does the other side become
    // current. Otherwise the current side still holds the exact pre-step weights and state.
    const n = this.paramFloats;
    const from = this.side, to = 1 - from;
    opt.fill(this.optParams, this.iterations + 1);
    const bad = b.optimizerStep(n, this.params, this.grads, this.sideState[from]!, this.sideParams[to]!, this.sideState[to]!, this.optParams);
    if (bad !== 0) {
      // The failure path only: tell a bad gradient from an overflow. Σx² is accumulated in f64
      // by both backends, so it is finite exactly when every value is.
      const gradientOk = Number.isFinite(b.sumSquares(n, this.grads));
      const weightsOk = Number.isFinite(b.sumSquares(n, this.sideParams[to]!));
      throw new DivergenceError(
        !gradientOk ? 'the gradient became NaN or Infinity'
          : !weightsOk ? 'the update overflowed the weights (beyond float32 range)'
            : `the ${opt.className} state overflowed (beyond float32 range)`,
      );
    }
    this.iterations++;
    this.useSide(to);
    return loss + penalty;
  }

  // ---- public training API --------------------------------------------------------------------

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
      if (!this.backend) await ready();
      return await this.fitLoop(x, y, args);
    } finally {
      this.fitting = false;
    }
  }

  private async fitLoop(xIn: Tensor2DLike, yIn: Labels, args: FitArgs): Promise<History> {
    const c = this.requireCompiled('fit');
    if (!args || typeof args !== 'object') throw new Error(`fit: expected options { epochs, batchSize, … }, got ${describe(args)}`);
    const epochs = args.epochs === undefined ? 1 : checkPositiveInt(args.epochs, 'epochs', 'fit');
    const batchSizeArg = args.batchSize === undefined ? 32 : checkPositiveInt(args.batchSize, 'batchSize', 'fit');
    const shuffle = args.shuffle ?? true;
    const verbose = args.verbose ?? 0;
    const yieldEvery = args.yieldEvery ?? 16;
    const initialEpoch = args.initialEpoch ?? 0;
    const sparse = isSparse(c.lossName);
    let x = checkFeatures(xIn, this.inputUnits, 'fit x');
    let y = checkTargets(yIn, x.rows, this.outputUnits, sparse, 'fit y');
    let val: [Tensor2D, Tensor2D] | undefined;
    if (args.validationData !== undefined) {
      if (!Array.isArray(args.validationData) || args.validationData.length !== 2) throw new Error(`fit: validationData must be [x, y], got ${describe(args.validationData)}`);
      const vx = checkFeatures(args.validationData[0], this.inputUnits, 'fit validationData x');
      val = [vx, checkTargets(args.validationData[1], vx.rows, this.outputUnits, sparse, 'fit validationData y')];
    } else if (args.validationSplit !== undefined) {
      const split = args.validationSplit;
      if (typeof split !== 'number' || !(split > 0 && split < 1)) throw new Error(`fit: validationSplit must be a number in (0, 1), got ${describe(split)}`);
      const nTrain = Math.floor(x.rows * (1 - split));
      if (nTrain < 1 || nTrain >= x.rows) throw new Error(`fit: validationSplit ${split} of ${x.rows} samples leaves no ${nTrain < 1 ? 'training' : 'validation'} samples`);
      val = [sliceRows(x, nTrain, x.rows), sliceRows(y, nTrain, y.rows)];
      x = sliceRows(x, 0, nTrain);
      y = sliceRows(y, 0, nTrain);
    }
    const callbacks = normalizeCallbacks(args.callbacks);
    const b = this.build();
    if (!this.optBlock) this.resetOptimizerState();
    const n = x.rows;
    const batchSize = Math.min(batchSizeArg, n);
    this.ensureCapacity(batchSize);

    // The dataset is copied into the arena once per fit; batches are gathered from it by index.
    const blocks: number[] = [];
    const history: History = { epoch: [], history: {}, params: { epochs, batchSize: batchSizeArg, samples: n } };
    try {
      const ledger = this.ledger!;
      checkFits(b, (x.data.length + y.data.length + n) * 4, `fit's copy of ${n} training samples`);
      const xAll = allocCopy(ledger, x.data, blocks);
      const yAll = allocCopy(ledger, y.data, blocks);
      const idx = ledger.alloc(n * 4);
      blocks.push(idx);
      const yCols = y.cols;
      const stepOut = { accuracy: 0 };
      const hasAcc = c.accuracy !== undefined;
      const accDenominator = c.accuracy === 0 ? this.outputUnits : 1;
      this.stopTraining = false;
      for (const cb of callbacks) if ('setModel' in cb) (cb as ModelAwareCallback).setModel(this);
      await fire(callbacks, 'onTrainBegin');
      let lastYield = now();
      for (let epoch = initialEpoch; epoch < initialEpoch + epochs && !this.stopTraining; epoch++) {
        const t0 = now();
        await fire(callbacks, 'onEpochBegin', epoch);
        const order = b.i32();
        for (let i = 0; i < n; i++) order[(idx >>> 2) + i] = i;
        if (shuffle) this.rng.shuffle(order.subarray(idx >>> 2, (idx >>> 2) + n));
        let lossSum = 0;
        let correct = 0;
        let batch = 0;
        for (let start = 0; start < n; start += batchSize, batch++) {
          const rows = Math.min(batchSize, n - start);
          if (callbacks.length) await fire(callbacks, 'onBatchBegin', batch, { batch, size: rows });
          b.gatherRows(rows, this.inputUnits, xAll, idx + start * 4, this.xBuf);
          b.gatherRows(rows, yCols, yAll, idx + start * 4, this.yBuf);
          let loss: number;
          try {
            loss = this.step(rows, stepOut);
          } catch (e) {
            if (e instanceof DivergenceError) {
              throw new Error(`fit: training diverged at epoch ${epoch + 1}, batch ${batch + 1}: ${e.message}. The weights are those from before this step; try a lower learning rate, clipNorm/clipValue, or scaled inputs`);
            }
            throw e;
          }
          lossSum += loss * rows;
          correct += stepOut.accuracy;
          if (callbacks.length) {
            const logs: Logs = { batch, size: rows, loss };
            if (hasAcc) logs.accuracy = stepOut.accuracy / (rows * accDenominator);
            await fire(callbacks, 'onBatchEnd', batch, logs);
          }
          if (now() - lastYield >= yieldEvery) {
            await nextMacrotask();
            lastYield = now();
          }
        }
        const logs: Logs = { loss: lossSum / n };
        if (hasAcc) logs.accuracy = correct / (n * accDenominator);
        if (val) {
          const v = this.evaluateChecked(val[0], val[1], batchSize, `fit: at epoch ${epoch + 1}, the validation`);
          logs.val_loss = v.loss;
          if (v.accuracy !== undefined) logs.val_accuracy = v.accuracy;
        }
        history.epoch.push(epoch);
        for (const [k, v] of Object.entries(logs)) (history.history[k] ??= []).push(v);
        if (verbose) {
          const secs = (now() - t0) / 1000;
          const parts = Object.entries(logs).map(([k, v]) => `${k}: ${v.toFixed(4)}`);
          console.log(`Epoch ${epoch + 1}/${initialEpoch + epochs} - ${secs.toFixed(2)}s - ${parts.join(' - ')} - ${Math.round(n / secs)} samples/s`);
        }
        await fire(callbacks, 'onEpochEnd', epoch, logs);
        await nextMacrotask();
        lastYield = now();
      }
      await fire(callbacks, 'onTrainEnd', lastLogs(history));
      return history;
    } finally {
      for (const o of blocks) this.ledger?.free(o);
    }
  }

  /** One optimisation step on one batch; returns the loss (with regularisation penalties). */
  trainOnBatch(x: Tensor2DLike, y: Labels): number {
    this.checkUsable();
    if (this.fitting) throw new Error('trainOnBatch: this model is training in fit(); wait for it to finish');
    const c = this.requireCompiled('trainOnBatch');
    const xt = checkFeatures(x, this.inputUnits, 'trainOnBatch x');
    const yt = checkTargets(y, xt.rows, this.outputUnits, isSparse(c.lossName), 'trainOnBatch y');
    const b = this.build();
    if (!this.optBlock) this.resetOptimizerState();
    this.ensureCapacity(xt.rows);
    const f32 = b.f32();
    f32.set(xt.data, this.xBuf >>> 2);
    f32.set(yt.data, this.yBuf >>> 2);
    try {
      return this.step(xt.rows, { accuracy: 0 });
    } catch (e) {
      if (e instanceof DivergenceError) throw new Error(`trainOnBatch: ${e.message}; the weights were not changed`);
      throw e;
    }
  }

  /** Outputs for every row of x (in inference mode: dropout off). */
  predict(x: Tensor2DLike, args: { batchSize?: number } = {}): Tensor2D {
    this.checkUsable();
    const b = this.build();
    const xt = checkFeatures(x, this.inputUnits, 'predict x');
    const chunk = this.chunkRows(xt.rows, args.batchSize, 'predict');
    const units = this.outputUnits;
    const result = new Float32Array(xt.rows * units);
    for (let start = 0; start < xt.rows; start += chunk) {
      const rows = Math.min(chunk, xt.rows - start);
      b.f32().set(xt.data.subarray(start * this.inputUnits, (start + rows) * this.inputUnits), this.xBuf >>> 2);
      const out = this.forward(this.xBuf, rows, false);
      result.set(b.f32().subarray(out >>> 2, (out >>> 2) + rows * units), start * units);
    }
    // Inputs and weights are finite, but their products can still overflow float32.
    for (let i = 0; i < result.length; i++) {
      const v = result[i]!;
      if (v - v !== 0) {
        throw new Error(
          `predict: the output at row ${Math.floor(i / units)}, column ${i % units} is ${v} (float32 overflow): the inputs or weights are ` +
            `too large — scale the inputs, or retrain with a lower learning rate or clipNorm/clipValue`,
        );
      }
    }
    return new Tensor2D(result, [xt.rows, units]);
  }

  /** Mean loss (without regularisation penalties, as TensorFlow.js) and accuracy if compiled with it. */
  evaluate(x: Tensor2DLike, y: Labels, args: { batchSize?: number } = {}): { loss: number; accuracy?: number } {
    this.checkUsable();
    const c = this.requireCompiled('evaluate');
    const xt = checkFeatures(x, this.inputUnits, 'evaluate x');
    const yt = checkTargets(y, xt.rows, this.outputUnits, isSparse(c.lossName), 'evaluate y');
    this.build();
    return this.evaluateChecked(xt, yt, args.batchSize, 'evaluate: the');
  }

  private chunkRows(rows: number, batchSize: number | undefined, what: string): number {
    if (batchSize !== undefined) checkPositiveInt(batchSize, 'batchSize', what);
    // While fit() runs, reuse its buffers rather than reallocating under it.
    const want = this.fitting ? this.capacity : Math.min(rows, batchSize ?? Math.max(this.capacity, 256));
    this.ensureCapacity(want);
    return Math.min(want, this.capacity);
  }

  /** Mean loss and accuracy; throws (starting the message with `what`) when the loss is not finite. */
  private evaluateChecked(x: Tensor2D, y: Tensor2D, batchSize: number | undefined, what: string): { loss: number; accuracy?: number } {
    const b = this.backend!;
    const c = this.compiled!;
    const chunk = this.chunkRows(x.rows, batchSize, 'evaluate');
    const units = this.outputUnits;
    let lossSum = 0;
    let correct = 0;
    for (let start = 0; start < x.rows; start += chunk) {
      const rows = Math.min(chunk, x.rows - start);
      const f32 = b.f32();
      f32.set(x.data.subarray(start * x.cols, (start + rows) * x.cols), this.xBuf >>> 2);
      f32.set(y.data.subarray(start * y.cols, (start + rows) * y.cols), this.yBuf >>> 2);
      const out = this.forward(this.xBuf, rows, false);
      lossSum += b.loss(c.lossCode, rows, units, out, this.yBuf, 0) * rows;
      if (c.accuracy !== undefined) correct += b.accuracyCount(c.accuracy, rows, units, out, this.yBuf);
    }
    const result: { loss: number; accuracy?: number } = { loss: lossSum / x.rows };
    if (!Number.isFinite(result.loss)) {
      throw new Error(
        `${what} loss is ${result.loss}: the outputs do not suit loss '${c.lossName}' (cross-entropy losses need probabilities, ` +
          `e.g. a softmax or sigmoid output layer), or the weights have grown too large`,
      );
    }
    if (c.accuracy !== undefined) result.accuracy = correct / (x.rows * (c.accuracy === 0 ? units : 1));
    return result;
  }

  // ---- weights --------------------------------------------------------------------------------

  /** Copies of every parameter in layer order: kernel [in, units], bias [units], PReLU alpha [units]. */
  getWeights(): WeightTensor[] {
    this.checkUsable();
    const b = this.build();
    const f32 = b.f32();
    const out: WeightTensor[] = [];
    for (const layer of this.layers) {
      for (const p of layer.params) {
        out.push({ name: `${layer.name}/${p.name}`, shape: p.shape.slice(), data: f32.slice(p.offset >>> 2, (p.offset >>> 2) + p.size) });
      }
    }
    return out;
  }

  /**
   * Replace every parameter (same order and shapes as getWeights). Accepts { shape, data } objects
   * or TensorFlow.js tensors. Everything is checked before anything is written.
   */
  setWeights(weights: ArrayLike<WeightLike>): void {
    this.checkUsable();
    const b = this.build();
    const params = this.layers.flatMap((l) => l.params.map((p) => [l, p] as const));
    if (!weights || typeof weights.length !== 'number') throw new Error(`setWeights: expected an array of ${params.length} weights, got ${describe(weights)}`);
    if (weights.length !== params.length) {
      throw new Error(`setWeights: the model has ${params.length} weights (${params.map(([l, p]) => `${l.name}/${p.name}`).join(', ')}), got ${weights.length}`);
    }
    const datas: ArrayLike<number>[] = [];
    for (let i = 0; i < params.length; i++) {
      const [layer, p] = params[i]!;
      const w = weights[i];
      const where = `setWeights: weight ${i} (${layer.name}/${p.name})`;
      if (!w || !Array.isArray(w.shape)) throw new Error(`${where}: expected { shape, data }, got ${describe(w)}`);
      if (w.shape.length !== p.shape.length || w.shape.some((d, k) => d !== p.shape[k])) {
        throw new Error(`${where}: expected shape [${p.shape}], got [${w.shape}]`);
      }
      const data = typeof w.dataSync === 'function' ? w.dataSync() : typeof w.data === 'function' ? undefined : w.data;
      if (!data || data.length !== p.size) throw new Error(`${where}: expected ${p.size} values, got ${data ? data.length : describe(data)}`);
      for (let k = 0; k < data.length; k++) {
        const v = data[k]!;
        // fround: a finite double beyond ±3.4e38 would be stored as ±Infinity.
        if (typeof v !== 'number' || !Number.isFinite(Math.fround(v))) {
          throw new Error(`${where}: value ${k} is ${describe(v)}; weights must be finite numbers within the float32 range (±3.4e38)`);
        }
      }
      datas.push(data);
    }
    const f32 = b.f32();
    params.forEach(([, p], i) => f32.set(datas[i]!, p.offset >>> 2));
  }

  /** All parameters as one flat copy (early stopping's best weights). */
  snapshotWeights(): Float32Array {
    const b = this.build();
    return b.f32().slice(this.params >>> 2, (this.params >>> 2) + this.paramFloats);
  }

  restoreWeights(snapshot: Float32Array): void {
    const b = this.build();
    if (snapshot.length !== this.paramFloats) throw new Error(`restoreWeights: expected ${this.paramFloats} values, got ${snapshot.length}`);
    b.f32().set(snapshot, this.params >>> 2);
  }

  /** Number of trainable parameters. */
  countParams(): number {
    return this.layers.reduce((s, l) => s + l.params.reduce((t, p) => t + p.size, 0), 0);
  }

  /** A Keras-style table of layers, output shapes and parameter counts. */
  summary(): string {
    return formatSummary(this.name, this.layers);
  }

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
    if (this.ledger) {
      for (const layer of this.layers) layer.release(this.ledger.tracked);
      releaseNow(this.ledger);
    }
    this.ledger = undefined;
    this.params = this.grads = this.optBlock = this.xBuf = this.yBuf = this.capacity = 0;
    this.sideParams[0] = this.sideParams[1] = this.sideState[0] = this.sideState[1] = this.side = 0;
    this.backend = undefined;
    this.disposed = true;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Name of the backend the model's weights live on (after it is built). */
  get backendName(): string | undefined {
    return this.backend?.name;
  }

  private checkUsable(): void {
    if (this.disposed) throw new Error(`The model '${this.name}' was disposed and cannot be used`);
  }

  private requireCompiled(what: string): Compiled {
    if (!this.compiled) throw new Error(`${what}: compile the model first, e.g. model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' })`);
    return this.compiled;
  }

  // ---- saving (src/io) ------------------------------------------------------------------------

  /** The model in the TensorFlow.js layers format, in memory (what `tf.io.fromMemory` takes). */
  toArtifacts(): ModelArtifacts {
    return modelToArtifacts(this);
  }

  /** Save to 'file://dir' (Node), 'indexeddb://name', 'localstorage://name' or 'downloads://name'. */
  async save(url: string): Promise<SaveResult> {
    return saveModel(this, url);
  }
}

class DivergenceError extends Error {}

/** Side A's slots, then side B's params and slots: (1 + 2·slots) params-sized buffers. */
function optimizerBlockBytes(paramFloats: number, slots: number): number {
  return Math.max(16, (1 + 2 * slots) * paramFloats * 4);
}

export function sequential(args?: SequentialArgs): Sequential {
  return new Sequential(args);
}

function sliceRows(t: Tensor2D, from: number, to: number): Tensor2D {
  return new Tensor2D(t.data.subarray(from * t.cols, to * t.cols), [to - from, t.cols]);
}

function allocCopy(ledger: ArenaLedger, data: Float32Array, blocks: number[]): number {
  const o = ledger.alloc(data.length * 4);
  blocks.push(o);
  ledger.backend.f32().set(data, o >>> 2);
  return o;
}

function normalizeCallbacks(cbs: Callback | Callback[] | undefined): Callback[] {
  if (cbs === undefined) return [];
  const list = Array.isArray(cbs) ? cbs : [cbs];
  for (const cb of list) if (!cb || typeof cb !== 'object') throw new Error(`fit: callbacks must be objects with onEpochEnd etc., got ${describe(cb)}`);
  return list;
}

async function fire(cbs: Callback[], hook: keyof Callback, ...args: unknown[]): Promise<void> {
  for (const cb of cbs) {
    const f = cb[hook] as ((...a: unknown[]) => unknown) | undefined;
    if (typeof f === 'function') {
      const r = f.apply(cb, args);
      if (r && typeof (r as Promise<void>).then === 'function') await r;
    }
  }
}

function lastLogs(h: History): Logs {
  const logs: Logs = {};
  for (const [k, v] of Object.entries(h.history)) if (v.length) logs[k] = v[v.length - 1]!;
  return logs;
}

export { EarlyStopping };
export type { Param };
