/**
 * fit(): the argument checks (all before any weight changes), then the loop over epochs and
 * batches with callbacks, validation and history. The dataset is copied into the arena once per
 * fit; batches are gathered from it by index, so a batch costs kernel calls and no allocation.
 */
import type { OptimizerParams } from '../backend/contract.js';
import type { Callback, Logs, ModelAwareCallback, TrainingModel } from '../callbacks.js';
import type { Layer } from '../layers/layer.js';
import { Tensor2D, describe, type Tensor2DLike } from '../tensor.js';
import type { Rng } from '../util/random.js';
import { checkOptionKeys, optionKeys } from '../util/options.js';
import { nextMacrotask, now } from '../util/yield.js';
import type { Compiled } from './compile.js';
import { checkFeatures, checkPositiveInt, checkTargets, type Labels } from './data.js';
import { chunkRows, evaluateRows } from './evaluate.js';
import type { ArenaLedger } from './memory.js';
import { checkFits } from './memory.js';
import type { ModelMemory } from './layout.js';
import { DivergenceError, trainStep } from './step.js';
import { verboseLogger } from './verbose.js';
import { isSparse } from '../losses.js';

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

export const fitKeys = optionKeys<FitArgs>()([
  'epochs', 'batchSize', 'shuffle', 'validationSplit', 'validationData', 'callbacks', 'verbose', 'initialEpoch', 'yieldEvery',
]);
/** Keras fit() options wasm-mlp does not have: named as such when given or misspelt. */
export const fitKerasOnlyKeys = ['classWeight', 'sampleWeight', 'stepsPerEpoch', 'validationSteps', 'validationBatchSize', 'validationFreq'] as const;

export interface History {
  epoch: number[];
  history: Record<string, number[]>;
  params: { epochs: number; batchSize: number; samples: number };
}

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
}

/** Check fit()'s data and options against the model's widths and loss; nothing is touched yet. */
export function planFit(xIn: Tensor2DLike, yIn: Labels, args: FitArgs, c: Compiled, inputUnits: number, outputUnits: number): FitPlan {
  if (!args || typeof args !== 'object') throw new Error(`fit: expected options { epochs, batchSize, … }, got ${describe(args)}`);
  checkOptionKeys(args, fitKeys, 'fit', fitKerasOnlyKeys);
  const epochs = args.epochs === undefined ? 1 : checkPositiveInt(args.epochs, 'epochs', 'fit');
  const batchSize = args.batchSize === undefined ? 32 : checkPositiveInt(args.batchSize, 'batchSize', 'fit');
  const shuffle = args.shuffle ?? true;
  const verbose = args.verbose ?? 0;
  const yieldEvery = args.yieldEvery ?? 16;
  const initialEpoch = args.initialEpoch ?? 0;
  const sparse = isSparse(c.lossName);
  let x = checkFeatures(xIn, inputUnits, 'fit x');
  let y = checkTargets(yIn, x.rows, outputUnits, sparse, 'fit y');
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
    x = sliceRows(x, 0, nTrain);
    y = sliceRows(y, 0, nTrain);
  }
  const callbacks = normalizeCallbacks(args.callbacks);
  if (verbose) callbacks.unshift(verboseLogger(x.rows, initialEpoch + epochs));
  return { x, y, val, epochs, batchSize, shuffle, yieldEvery, initialEpoch, callbacks };
}

/** What the loop trains: the model callbacks see, its layers, memory, compiled setup and generator. */
export interface FitSession {
  model: TrainingModel;
  layers: readonly Layer[];
  memory: ModelMemory;
  compiled: Compiled;
  rng: Rng;
  /** The step's reused hyperparameter record. */
  optParams: OptimizerParams;
}

/** Train as planned. The memory must be built with optimizer state; the batch buffers grow here. */
export async function runFit(s: FitSession, plan: FitPlan): Promise<History> {
  const { model, layers, memory, compiled: c, rng, optParams } = s;
  const { x, y, val, epochs, shuffle, yieldEvery, initialEpoch, callbacks } = plan;
  const b = memory.backend;
  const inputUnits = layers[0]!.inUnits;
  const n = x.rows;
  const batchSize = Math.min(plan.batchSize, n);
  memory.ensureCapacity(batchSize, inputUnits, layers.at(-1)!.units);

  const blocks: number[] = [];
  const history: History = { epoch: [], history: {}, params: { epochs, batchSize: plan.batchSize, samples: n } };
  // Batch hooks are awaited per batch: only for the callbacks that have them.
  const onBatchBegin = callbacks.filter((cb) => typeof cb.onBatchBegin === 'function');
  const onBatchEnd = callbacks.filter((cb) => typeof cb.onBatchEnd === 'function');
  try {
    const ledger = memory.ledger;
    checkFits(b, (x.data.length + y.data.length + n) * 4, `fit's copy of ${n} training samples`);
    const xAll = allocCopy(ledger, x.data, blocks);
    const yAll = allocCopy(ledger, y.data, blocks);
    const idx = ledger.alloc(n * 4);
    blocks.push(idx);
    const yCols = y.cols;
    const stepOut = { accuracy: 0 };
    const hasAcc = c.accuracy !== undefined;
    model.stopTraining = false;
    for (const cb of callbacks) if ('setModel' in cb) (cb as ModelAwareCallback).setModel(model);
    await fire(callbacks, 'onTrainBegin');
    let lastYield = now();
    for (let epoch = initialEpoch; epoch < initialEpoch + epochs && !model.stopTraining; epoch++) {
      await fire(callbacks, 'onEpochBegin', epoch);
      const order = b.i32();
      for (let i = 0; i < n; i++) order[(idx >>> 2) + i] = i;
      if (shuffle) rng.shuffle(order.subarray(idx >>> 2, (idx >>> 2) + n));
      let lossSum = 0;
      let correct = 0;
      let batch = 0;
      for (let start = 0; start < n; start += batchSize, batch++) {
        const rows = Math.min(batchSize, n - start);
        if (onBatchBegin.length) await fire(onBatchBegin, 'onBatchBegin', batch, { batch, size: rows });
        b.gatherRows(rows, inputUnits, xAll, idx + start * 4, memory.xBuf);
        b.gatherRows(rows, yCols, yAll, idx + start * 4, memory.yBuf);
        let loss: number;
        try {
          loss = trainStep(layers, memory, c, optParams, rows, stepOut);
        } catch (e) {
          if (e instanceof DivergenceError) {
            throw new Error(`fit: training diverged at epoch ${epoch + 1}, batch ${batch + 1}: ${e.message}. The weights are those from before this step; try a lower learning rate, clipNorm/clipValue, or scaled inputs`);
          }
          throw e;
        }
        lossSum += loss * rows;
        correct += stepOut.accuracy;
        if (onBatchEnd.length) {
          const logs: Logs = { batch, size: rows, loss };
          if (hasAcc) logs.accuracy = stepOut.accuracy / (rows * c.accuracyPerRow);
          await fire(onBatchEnd, 'onBatchEnd', batch, logs);
        }
        if (now() - lastYield >= yieldEvery) {
          await nextMacrotask();
          lastYield = now();
        }
      }
      const logs: Logs = { loss: lossSum / n };
      if (hasAcc) logs.accuracy = correct / (n * c.accuracyPerRow);
      if (val) {
        const chunk = chunkRows(layers, memory, val[0].rows, batchSize, 'evaluate', true);
        const v = evaluateRows(layers, memory, c, val[0], val[1], chunk, `fit: at epoch ${epoch + 1}, the validation`);
        logs.val_loss = v.loss;
        if (v.accuracy !== undefined) logs.val_accuracy = v.accuracy;
      }
      history.epoch.push(epoch);
      for (const [k, v] of Object.entries(logs)) (history.history[k] ??= []).push(v);
      await fire(callbacks, 'onEpochEnd', epoch, logs);
      await nextMacrotask();
      lastYield = now();
    }
    await fire(callbacks, 'onTrainEnd', lastLogs(history));
    return history;
  } finally {
    for (const o of blocks) memory.ledger.free(o);
  }
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
  const list = Array.isArray(cbs) ? cbs.slice() : [cbs];
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
