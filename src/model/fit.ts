/**
 * fit(): the argument checks (all before any weight changes), then the shared loop (./loop.ts)
 * fed from in-memory data. The dataset is copied into the arena once per fit; batches are
 * gathered from it by index, so a batch costs kernel calls and no allocation.
 */
import type { Callback } from '../callbacks.js';
import { Tensor2D, describe, type Tensor2DLike } from '../tensor.js';
import { checkOptionKeys, optionKeys } from '../util/options.js';
import type { Compiled } from './compile.js';
import { checkFeatures, checkFinite, checkPositiveInt, checkTargets, type Labels } from './data.js';
import { chunkRows, evaluateRows } from './evaluate.js';
import type { ArenaLedger } from './memory.js';
import { checkFits } from './memory.js';
import { checkEpochs, normalizeCallbacks, runLoop, type BatchFeeder, type FitSession, type History } from './loop.js';
import { verboseLogger } from './verbose.js';
import { isSparse } from '../losses.js';
import { rowWeights, type ClassWeight, type SampleWeight } from './weighting.js';

export interface FitArgs {
  /**
   * The epoch to stop before (default 1), as in Keras and TensorFlow.js: training runs epochs
   * `initialEpoch` … `epochs - 1`, so `epochs - initialEpoch` of them.
   */
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
  /** The epoch to start from (default 0), e.g. `model.savedEpoch` to resume a checkpoint; `epochs` stays the last epoch's index + 1. */
  initialEpoch?: number;
  /** Give the event loop a turn at least this often, in ms (default 16; 0 = after every batch). */
  yieldEvery?: number;
  /**
   * A loss weight per class id, e.g. `{ 0: 1, 1: 5 }` (TensorFlow.js semantics: the class is the
   * label's id, or the argmax of a one-hot row; every class in the data needs a weight). The
   * training loss becomes Σ w·ℓ / n; validation losses stay unweighted.
   */
  classWeight?: ClassWeight;
  /** One weight ≥ 0 per row of x (Keras semantics: loss = Σ w_i·ℓ_i / n). Not with classWeight. */
  sampleWeight?: SampleWeight;
}

export const fitKeys = optionKeys<FitArgs>()([
  'epochs', 'batchSize', 'shuffle', 'validationSplit', 'validationData', 'callbacks', 'verbose', 'initialEpoch', 'yieldEvery',
  'classWeight', 'sampleWeight',
]);
/** Keras fit() options wasm-mlp does not have: named as such when given or misspelt. */
export const fitKerasOnlyKeys = ['stepsPerEpoch', 'validationSteps', 'validationBatchSize', 'validationFreq'] as const;

/** fit()'s arguments, checked: the training and validation data as tensors, the options resolved. */
export interface FitPlan {
  x: Tensor2D;
  y: Tensor2D;
  val: [Tensor2D, Tensor2D] | undefined;
  epochs: number;
  /** As given (History.params reports it); the loop uses min(batchSize, samples). */
  batchSize: number;
  shuffle: boolean;
  yieldEvery: number;
  initialEpoch: number;
  /** The user's callbacks, after the console logger when verbose. */
  callbacks: Callback[];
  /** One loss weight per training row (classWeight / sampleWeight), or undefined. */
  weights: Float32Array | undefined;
}

/** Check fit()'s data and options against the model's widths and loss; nothing is touched yet. */
export function planFit(xIn: Tensor2DLike, yIn: Labels, args: FitArgs, c: Compiled, inputUnits: number, outputUnits: number): FitPlan {
  if (!args || typeof args !== 'object') throw new Error(`fit: expected options { epochs, batchSize, … }, got ${describe(args)}`);
  checkOptionKeys(args, fitKeys, 'fit', fitKerasOnlyKeys);
  const { epochs, initialEpoch } = checkEpochs(args, 'fit');
  const batchSize = args.batchSize === undefined ? 32 : checkPositiveInt(args.batchSize, 'batchSize', 'fit');
  const shuffle = args.shuffle ?? true;
  const verbose = args.verbose ?? 0;
  const yieldEvery = args.yieldEvery ?? 16;
  const sparse = isSparse(c.lossName);
  // The training rows' finiteness is checked on the arena copy (the feeder's open()): a SIMD scan split over the threads.
  let x = checkFeatures(xIn, inputUnits, 'fit x', false);
  let y = checkTargets(yIn, x.rows, outputUnits, sparse, 'fit y');
  // Sample weights are checked against every row of x, class weights against the training rows.
  let weights = rowWeights(undefined, args.sampleWeight, y, sparse, outputUnits);
  let val: [Tensor2D, Tensor2D] | undefined;
  if (args.validationData !== undefined) {
    if (!Array.isArray(args.validationData) || args.validationData.length !== 2) throw new Error(`fit: validationData must be [x, y], got ${describe(args.validationData)}`);
    const vx = checkFeatures(args.validationData[0], inputUnits, 'fit validationData x');
    val = [vx, checkTargets(args.validationData[1], vx.rows, outputUnits, sparse, 'fit validationData y')];
  } else if (args.validationSplit !== undefined) {
    const split = args.validationSplit;
    if (typeof split !== 'number' || !(split > 0 && split < 1)) throw new Error(`fit: validationSplit must be a number in (0, 1), got ${describe(split)}`);
    const nTrain = Math.floor(x.rows * (1 - split));
    if (nTrain < 1 || nTrain >= x.rows) throw new Error(`fit: validationSplit ${split} of ${x.rows} samples leaves no ${nTrain < 1 ? 'training' : 'validation'} samples`);
    val = [sliceRows(x, nTrain, x.rows), sliceRows(y, nTrain, y.rows)];
    checkFinite(val[0].data, x.cols, 'fit x', '', nTrain);
    x = sliceRows(x, 0, nTrain);
    y = sliceRows(y, 0, nTrain);
    weights = weights?.subarray(0, nTrain);
  }
  if (args.classWeight !== undefined) weights = rowWeights(args.classWeight, args.sampleWeight, y, sparse, outputUnits);
  const callbacks = normalizeCallbacks(args.callbacks, 'fit');
  if (verbose) callbacks.unshift(verboseLogger(x.rows, epochs));
  return { x, y, val, epochs, batchSize, shuffle, yieldEvery, initialEpoch, callbacks, weights };
}

/** Train as planned. The memory must be built with optimizer state; the batch buffers grow here. */
export async function runFit(s: FitSession, plan: FitPlan): Promise<History> {
  const { layers, memory, compiled: c, rng } = s;
  const { x, y, val, shuffle, weights } = plan;
  const b = memory.backend;
  const inputUnits = layers[0]!.inUnits;
  const n = x.rows;
  const batchSize = Math.min(plan.batchSize, n);
  memory.ensureCapacity(batchSize, inputUnits, layers.at(-1)!.units);
  const blocks: number[] = [];
  let xAll = 0, yAll = 0, idx = 0, wAll = 0;
  // The data is copied into the arena once; a batch is two gathers by index (three with
  // weights), no allocation.
  const feeder: BatchFeeder = {
    open() {
      checkFits(b, (x.data.length + y.data.length + n + (weights ? n : 0)) * 4, `fit's copy of ${n} training samples`);
      xAll = allocCopy(memory.ledger, x.data, blocks);
      if (b.anyNonFinite(x.data.length, xAll)) checkFinite(x.data, x.cols, 'fit x');
      yAll = allocCopy(memory.ledger, y.data, blocks);
      idx = memory.ledger.alloc(n * 4);
      blocks.push(idx);
      if (weights) {
        wAll = allocCopy(memory.ledger, weights, blocks);
      }
    },
    beginEpoch() {
      const order = b.i32();
      for (let i = 0; i < n; i++) order[(idx >>> 2) + i] = i;
      if (shuffle) rng.shuffle(order.subarray(idx >>> 2, (idx >>> 2) + n));
    },
    next(_epoch, batch) {
      const start = batch * batchSize;
      if (start >= n) return 0;
      const rows = Math.min(batchSize, n - start);
      b.gatherRows(rows, inputUnits, xAll, idx + start * 4, memory.xBuf);
      b.gatherRows(rows, y.cols, yAll, idx + start * 4, memory.yBuf);
      if (wAll) b.gatherRows(rows, 1, wAll, idx + start * 4, memory.wBuf);
      return rows;
    },
    close() {
      for (const o of blocks) memory.ledger.free(o);
    },
    // Read per batch: validation may grow (re-allocate) the batch buffers between epochs.
    get weights() {
      return wAll ? memory.wBuf : 0;
    },
  };
  if (val) {
    feeder.validate = (epoch) => {
      const chunk = chunkRows(layers, memory, val[0].rows, batchSize, 'evaluate', true);
      return evaluateRows(layers, memory, c, val[0], val[1], chunk, `fit: at epoch ${epoch + 1}, the validation`);
    };
  }
  return runLoop(s, { ...plan, what: 'fit', params: { epochs: plan.epochs, batchSize: plan.batchSize, samples: n } }, feeder);
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

export type { FitSession, History };
