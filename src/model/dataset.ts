/**
 * fitDataset() and evaluateDataset(): training and scoring on data that arrives in batches — any
 * iterable or async iterable of `{ xs, ys }` (or `[xs, ys]`) batches, a TensorFlow.js `tf.data`
 * Dataset (an object with `iterator()`), or `nn.data.csv(...)`. Only one batch is held at a time:
 * memory is bounded by the batch, not the data set. Each batch is checked (shape, widths, finite
 * values, class ids) before the step that would train on it, so a bad batch ends the run with an
 * Error naming it and the weights are those after the previous batch. The loop is fit()'s
 * (./loop.ts): the same batches, seed and order give the same weights as fit(shuffle: false).
 */
import type { Callback } from '../callbacks.js';
import type { Layer } from '../layers/layer.js';
import { isSparse } from '../losses.js';
import { Tensor2D, describe, tensor2d, type Tensor2DLike } from '../tensor.js';
import { checkOptionKeys, optionKeys } from '../util/options.js';
import type { Compiled } from './compile.js';
import { checkFeatures, checkPositiveInt, checkTargets, type Labels } from './data.js';
import { evaluateRows, finishEvaluation, scoreBatch, type Evaluation } from './evaluate.js';
import { metricTrackers } from './metric-tracker.js';
import type { ModelMemory } from './layout.js';
import { checkEpochs, normalizeCallbacks, runLoop, type BatchFeeder, type FitSession, type History } from './loop.js';
import { verboseLogger } from './verbose.js';
import { classWeightTable, writeClassWeights, writeSampleWeights, type ClassWeight, type SampleWeight } from './weighting.js';

/**
 * One batch: features [rows, inputUnits] and targets (as fit's y), as an object or a pair; with
 * optional per-row loss weights (`sampleWeight`, or a third element as in Keras's
 * `(x, y, sample_weight)`), which fitDataset trains with and validation ignores.
 */
export type Batch =
  | { xs: Tensor2DLike | TensorLike; ys: Labels | TensorLike; sampleWeight?: SampleWeight | TensorLike }
  | [Tensor2DLike | TensorLike, Labels | TensorLike]
  | [Tensor2DLike | TensorLike, Labels | TensorLike, SampleWeight | TensorLike];

/** A batch's parts, whichever form it came in (one reading for fitDataset, evaluateDataset and the worker). */
export function batchParts(value: unknown): { xs: unknown; ys: unknown; sampleWeight: unknown } {
  if (Array.isArray(value) && (value.length === 2 || value.length === 3)) return { xs: value[0], ys: value[1], sampleWeight: value[2] };
  if (value && typeof value === 'object' && 'xs' in value && 'ys' in value) {
    const v = value as { xs: unknown; ys: unknown; sampleWeight?: unknown };
    return { xs: v.xs, ys: v.ys, sampleWeight: v.sampleWeight };
  }
  throw new Error(`expected a batch { xs, ys[, sampleWeight] } (or [xs, ys[, sampleWeight]]), got ${describe(value)}`);
}

/** A TensorFlow.js tensor as far as wasm-mlp reads it. */
export interface TensorLike {
  shape: number[];
  dataSync(): ArrayLike<number>;
}

/**
 * Anything batches can be drawn from: an iterable or async iterable (arrays, generators, streams,
 * `nn.data.csv`), or a `tf.data`-style object whose `iterator()` returns (a promise of) an iterator.
 */
export type Dataset<T = Batch> =
  | Iterable<T>
  | AsyncIterable<T>
  | { iterator(): Iterator<T> | AsyncIterator<T> | Promise<Iterator<T> | AsyncIterator<T>> };

export interface FitDatasetArgs {
  /**
   * The epoch to stop before (default 1), as in Keras and TensorFlow.js: training runs epochs
   * `initialEpoch` … `epochs - 1`, so `epochs - initialEpoch` of them.
   */
  epochs?: number;
  /**
   * Batches per epoch. Unset: each epoch is one full pass, starting the dataset over (it must be
   * re-iterable: an array, an object whose [Symbol.asyncIterator]() starts a new pass, a tf.data
   * Dataset, nn.data.csv). Set: epochs take this many batches from one iterator that runs on
   * across epochs (a one-shot generator works); if it runs dry, training stops with a warning.
   */
  batchesPerEpoch?: number;
  /** [x, y] in memory, or a dataset of batches, scored after every epoch. */
  validationData?: [Tensor2DLike, Labels] | Dataset;
  /** With a dataset as validationData: score only this many of its batches. */
  validationBatches?: number;
  callbacks?: Callback | Callback[];
  /** 0 = silent (default), 1 = one line per epoch on the console. */
  verbose?: 0 | 1;
  /** The epoch to start from (default 0), e.g. `model.savedEpoch` to resume a checkpoint; `epochs` stays the last epoch's index + 1. */
  initialEpoch?: number;
  /** Give the event loop a turn at least this often, in ms (default 16; 0 = after every batch). */
  yieldEvery?: number;
  /**
   * As fit's (and TensorFlow.js's fitDataset): a loss weight per class id, applied to every
   * training batch; every class the batches hold needs one. Not with batches that carry sampleWeight.
   */
  classWeight?: ClassWeight;
}

export const fitDatasetKeys = optionKeys<FitDatasetArgs>()([
  'epochs', 'batchesPerEpoch', 'validationData', 'validationBatches', 'callbacks', 'verbose', 'initialEpoch', 'yieldEvery', 'classWeight',
]);
/** Keras/TensorFlow.js options fitDataset does not have. */
const notSupported = ['batchSize', 'shuffle', 'validationSplit', 'stepsPerEpoch', 'validationSteps'];

export interface FitDatasetPlan {
  dataset: Dataset;
  epochs: number;
  batchesPerEpoch: number | undefined;
  val: [Tensor2D, Tensor2D] | undefined;
  valDataset: Dataset | undefined;
  validationBatches: number | undefined;
  initialEpoch: number;
  yieldEvery: number;
  callbacks: Callback[];
  /** classWeight as a table over class ids, or undefined. */
  classTable: Float64Array | undefined;
}

/** Check fitDataset()'s options; nothing is read from the dataset yet. */
export function planFitDataset(dataset: unknown, args: FitDatasetArgs, c: Compiled, inputUnits: number, outputUnits: number): FitDatasetPlan {
  const what = 'fitDataset';
  if (!args || typeof args !== 'object') throw new Error(`${what}: expected options { epochs, batchesPerEpoch, … }, got ${describe(args)}`);
  checkOptionKeys(args, fitDatasetKeys, what, notSupported);
  checkDataset(dataset, what);
  const { epochs, initialEpoch } = checkEpochs(args, what);
  const batchesPerEpoch = args.batchesPerEpoch === undefined ? undefined : checkPositiveInt(args.batchesPerEpoch, 'batchesPerEpoch', what);
  const validationBatches = args.validationBatches === undefined ? undefined : checkPositiveInt(args.validationBatches, 'validationBatches', what);
  const yieldEvery = args.yieldEvery ?? 16;
  if (typeof yieldEvery !== 'number' || !(yieldEvery >= 0)) throw new Error(`${what}: yieldEvery must be a number of ms >= 0, got ${describe(yieldEvery)}`);
  if (batchesPerEpoch === undefined && epochs - initialEpoch > 1 && isOneShot(dataset)) {
    throw new Error(
      `${what}: the dataset is a one-shot iterator (e.g. a generator object), so epochs ${initialEpoch + 2} to ${epochs} would find it empty. ` +
        `Pass an iterable that starts over (e.g. { [Symbol.asyncIterator]: makeBatches }, an array, nn.data.csv(...)), or set batchesPerEpoch`,
    );
  }
  let val: [Tensor2D, Tensor2D] | undefined;
  let valDataset: Dataset | undefined;
  const v = args.validationData;
  if (v !== undefined) {
    if (Array.isArray(v) && v.length === 2 && !isBatch(v[0])) {
      const vx = checkFeatures(v[0] as Tensor2DLike, inputUnits, `${what} validationData x`);
      val = [vx, checkTargets(v[1] as Labels, vx.rows, outputUnits, isSparse(c.lossName), `${what} validationData y`)];
    } else {
      checkDataset(v, `${what} validationData`);
      if (isOneShot(v) && epochs - initialEpoch > 1) throw new Error(`${what}: validationData is a one-shot iterator (e.g. a generator object); it is read after every epoch, so pass one that starts over, or [x, y]`);
      valDataset = v as Dataset;
    }
  } else if (validationBatches !== undefined) {
    throw new Error(`${what}: validationBatches needs validationData (a dataset)`);
  }
  const callbacks = normalizeCallbacks(args.callbacks, what);
  if (args.verbose) callbacks.unshift(verboseLogger(undefined, epochs));
  const classTable = args.classWeight === undefined ? undefined : classWeightTable(args.classWeight, outputUnits, what);
  return { dataset: dataset as Dataset, epochs, batchesPerEpoch, val, valDataset, validationBatches, initialEpoch, yieldEvery, callbacks, classTable };
}

/** Train as planned, one batch in memory at a time. */
export async function runFitDataset(s: FitSession, plan: FitDatasetPlan): Promise<History> {
  const { layers, memory, compiled: c } = s;
  const what = 'fitDataset';
  const params = { epochs: plan.epochs, batchSize: 0, samples: 0 };
  const reader = new BatchReader(layers, memory, c, what);
  let it: AnyIterator | undefined;
  let ranDry = false;
  const feeder: BatchFeeder = {
    open() {},
    async beginEpoch() {
      if (plan.batchesPerEpoch === undefined || !it) {
        await closeIterator(it);
        it = await openIterator(plan.dataset, what);
      }
    },
    async next(epoch, batch) {
      if (ranDry || (plan.batchesPerEpoch !== undefined && batch >= plan.batchesPerEpoch)) return 0;
      const r = await it!.next();
      if (r.done) {
        if (plan.batchesPerEpoch !== undefined) {
          ranDry = true;
          s.model.stopTraining = true;
          console.warn(`${what}: the dataset ran out of batches at epoch ${epoch + 1}, batch ${batch + 1}; training stops. It must yield at least batchesPerEpoch × epochs = ${plan.batchesPerEpoch * plan.epochs} batches`);
        } else if (batch === 0) {
          throw new Error(`${what}: the dataset yielded no batches in epoch ${epoch + 1}${epoch > plan.initialEpoch ? ' (a one-shot iterator is empty after the first pass; pass one that starts over, or set batchesPerEpoch)' : ''}`);
        }
        return 0;
      }
      const rows = reader.load(r.value, (w) => `${w}: epoch ${epoch + 1}, batch ${batch + 1} (index ${batch})`, plan.classTable ?? true);
      if (rows > params.batchSize) params.batchSize = rows;
      return rows;
    },
    async close() {
      await closeIterator(it);
    },
    get weights() {
      return reader.weighted ? memory.wBuf : 0;
    },
  };
  if (plan.val) {
    const [vx, vy] = plan.val;
    feeder.validate = (epoch) => scoreRows(reader, vx, vy, `${what}: at epoch ${epoch + 1}, the validation`);
  } else if (plan.valDataset) {
    const valDataset = plan.valDataset;
    feeder.validate = (epoch) => scoreDataset(reader, valDataset, plan.validationBatches, `${what} validationData at epoch ${epoch + 1}`);
  }
  return runLoop(s, { epochs: plan.epochs, initialEpoch: plan.initialEpoch, yieldEvery: plan.yieldEvery, callbacks: plan.callbacks, what, params }, feeder);
}

/** Mean loss and the compiled metrics over a dataset's batches (evaluateDataset, validation). */
export async function scoreDataset(reader: BatchReader, dataset: Dataset, batches: number | undefined, what: string): Promise<Evaluation> {
  const it = await openIterator(dataset, what);
  const { layers, memory, compiled } = reader;
  const tracker = metricTrackers(memory.ledger, compiled).eval;
  tracker.reset();
  let lossSum = 0, rowsSum = 0, batch = 0;
  try {
    for (; batches === undefined || batch < batches; batch++) {
      const r = await it.next();
      if (r.done) break;
      const rows = reader.load(r.value, () => `${what}: batch ${batch + 1} (index ${batch})`);
      const loss = scoreBatch(layers, memory, compiled, rows, tracker);
      // A batch whose loss is not finite is named (finishEvaluation throws).
      if (!Number.isFinite(loss)) finishEvaluation(loss, compiled, tracker, `${what}: batch ${batch + 1}, the`);
      lossSum += loss;
      rowsSum += rows;
    }
  } finally {
    await closeIterator(it);
  }
  if (rowsSum === 0) throw new Error(`${what}: the dataset yielded no batches`);
  return finishEvaluation(lossSum / rowsSum, compiled, tracker, what);
}

function scoreRows(reader: BatchReader, x: Tensor2D, y: Tensor2D, what: string): Evaluation {
  const { layers, memory, compiled } = reader;
  const chunk = Math.max(1, memory.capacity);
  return evaluateRows(layers, memory, compiled, x, y, chunk, what);
}

/** Checks a batch and copies it into the model's batch buffers. */
export class BatchReader {
  private readonly sparse: boolean;
  private readonly inputUnits: number;
  private readonly outputUnits: number;
  constructor(readonly layers: readonly Layer[], readonly memory: ModelMemory, readonly compiled: Compiled, private readonly what: string) {
    this.sparse = isSparse(compiled.lossName);
    this.inputUnits = layers[0]!.inUnits;
    this.outputUnits = layers.at(-1)!.units;
  }

  /** Whether the last batch loaded for training put loss weights in wBuf. */
  weighted = false;

  /**
   * Check `value` as a batch and put it in xBuf/yBuf; returns its rows. `where(...)` names the
   * batch in errors, built only when there is one (a good batch allocates no message strings).
   * `weights`: false when scoring (a batch's sampleWeight is not read: validation and evaluation
   * are unweighted, as fit's); true to take the batch's sampleWeight; a classWeight table to
   * weight every row by its class (then a batch with sampleWeight is refused).
   */
  load(value: unknown, where: (what: string) => string, weights: boolean | Float64Array = false): number {
    let x: Tensor2D, y: Tensor2D, f32: Float32Array;
    let sw: unknown;
    const memory = this.memory;
    try {
      const parts = batchParts(value);
      sw = weights === false ? undefined : fromTensorLike(parts.sampleWeight, true, 'sampleWeight');
      x = checkFeatures(fromTensorLike(parts.xs, false, 'xs') as Tensor2DLike, this.inputUnits, 'xs');
      y = checkTargets(fromTensorLike(parts.ys, true, 'ys') as Labels, x.rows, this.outputUnits, this.sparse, 'ys');
      if (sw !== undefined && weights instanceof Float64Array) {
        throw new Error('the batch carries sampleWeight and classWeight is set; give one or the other (as Keras 3), multiplying the class weights into sampleWeight to combine them');
      }
      memory.ensureCapacity(x.rows, this.inputUnits, this.outputUnits);
      f32 = memory.backend.f32();
      if (weights instanceof Float64Array) writeClassWeights(weights, y, this.sparse, f32, memory.wBuf >>> 2, '');
      else if (sw !== undefined) writeSampleWeights(sw, x.rows, f32, memory.wBuf >>> 2, '');
    } catch (e) {
      throw new Error(`${where(this.what)}: ${(e as Error).message}; nothing was trained on this batch`);
    }
    this.weighted = weights instanceof Float64Array || sw !== undefined;
    f32.set(x.data, memory.xBuf >>> 2);
    f32.set(y.data, memory.yBuf >>> 2);
    return x.rows;
  }
}

/** A TensorFlow.js tensor becomes a Tensor2D (or, for 1-D targets, a flat Float32Array); anything else passes. */
function fromTensorLike(v: unknown, target: boolean, what: string): unknown {
  const t = v as TensorLike | undefined;
  if (!t || typeof t !== 'object' || typeof t.dataSync !== 'function' || !Array.isArray(t.shape)) return v;
  const raw = t.dataSync();
  const data = raw instanceof Float32Array ? raw : Float32Array.from(raw);
  if (t.shape.length === 2) return tensor2d(data, t.shape as [number, number]);
  if (t.shape.length === 1 && target) return data;
  throw new Error(`${what}: expected a 2-D tensor${target ? ' (or 1-D class ids)' : ''}, got a tensor of shape [${t.shape}]`);
}

type AnyIterator = Iterator<unknown> | AsyncIterator<unknown>;

export function checkDataset(d: unknown, what: string): void {
  const o = d as Record<PropertyKey, unknown> | null;
  const ok = o !== null && (typeof o === 'object' || typeof o === 'function') &&
    (typeof o[Symbol.asyncIterator] === 'function' || typeof o[Symbol.iterator] === 'function' || typeof o.iterator === 'function');
  if (!ok || typeof d === 'string') {
    throw new Error(`${what}: expected a dataset — an iterable or async iterable of { xs, ys } batches, or a tf.data Dataset — got ${describe(d)}`);
  }
}

/** A generator object (or any iterator that is its own iterable) can be walked once. */
export function isOneShot(d: unknown): boolean {
  const o = d as Record<PropertyKey, unknown>;
  if (typeof o.iterator === 'function' && typeof o[Symbol.asyncIterator] !== 'function' && typeof o[Symbol.iterator] !== 'function') return false;
  return typeof o.next === 'function';
}

function isBatch(v: unknown): boolean {
  return !!v && typeof v === 'object' && !Array.isArray(v) && 'xs' in v && 'ys' in v;
}

export async function openIterator(d: Dataset | unknown, what: string): Promise<AnyIterator> {
  const o = d as Record<PropertyKey, unknown>;
  let it: unknown;
  if (typeof o[Symbol.asyncIterator] === 'function') it = (o[Symbol.asyncIterator] as () => unknown)();
  else if (typeof o[Symbol.iterator] === 'function') it = (o[Symbol.iterator] as () => unknown)();
  else it = await (o.iterator as () => unknown)();
  if (!it || typeof (it as AnyIterator).next !== 'function') throw new Error(`${what}: the dataset's iterator has no next(), got ${describe(it)}`);
  return it as AnyIterator;
}

export async function closeIterator(it: AnyIterator | undefined): Promise<void> {
  if (it && typeof it.return === 'function') await it.return();
}
