/**
 * The training loop shared by fit() and fitDataset(): epochs, batches, callbacks, validation,
 * history, divergence reporting and yielding to the event loop. Where batches come from is a
 * BatchFeeder: fit's gathers rows of the arena copy of in-memory data (./fit.ts), fitDataset's
 * copies each batch of an (async) iterable into the batch buffers (./dataset.ts). The step itself
 * (./step.ts) is the same kernel calls either way, so the same batches give the same weights.
 */
import type { OptimizerParams } from '../backend/contract.js';
import type { Callback, Logs, ModelAwareCallback, TrainingModel } from '../callbacks.js';
import type { Layer } from '../layers/layer.js';
import { describe } from '../tensor.js';
import type { Rng } from '../util/random.js';
import { nextMacrotask, now } from '../util/yield.js';
import type { Compiled } from './compile.js';
import type { Evaluation } from './evaluate.js';
import type { ModelMemory } from './layout.js';
import { metricTrackers } from './metric-tracker.js';
import { DivergenceError, trainStep } from './step.js';
import { checkPositiveInt } from './data.js';

/**
 * fit's and fitDataset's `epochs` and `initialEpoch`, read as Keras and TensorFlow.js read them:
 * `epochs` is the index of the epoch to stop before, so training runs epochs initialEpoch …
 * epochs - 1 (none when they are equal: a resumed run that has already reached its end). An
 * `epochs` below `initialEpoch` is refused rather than silently training nothing.
 */
export function checkEpochs(args: { epochs?: unknown; initialEpoch?: unknown }, what: string): { epochs: number; initialEpoch: number } {
  const epochs = args.epochs === undefined ? 1 : checkPositiveInt(args.epochs, 'epochs', what);
  const initialEpoch = args.initialEpoch ?? 0;
  if (typeof initialEpoch !== 'number' || !Number.isInteger(initialEpoch) || initialEpoch < 0) throw new Error(`${what}: initialEpoch must be an integer >= 0, got ${describe(initialEpoch)}`);
  if (epochs < initialEpoch) {
    throw new Error(
      `${what}: epochs (${epochs}) is below initialEpoch (${initialEpoch}); as in Keras and TensorFlow.js, epochs is the index of the last epoch, ` +
        `not a count: to train ${epochs} more epochs pass epochs: ${initialEpoch + epochs}`,
    );
  }
  return { epochs, initialEpoch };
}

export interface History {
  epoch: number[];
  history: Record<string, number[]>;
  /** fitDataset: batchSize is the largest batch seen, samples the samples of the last epoch. */
  params: { epochs: number; batchSize: number; samples: number };
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

/** Where the batches come from. Each method may be async; the in-memory feeder never is. */
export interface BatchFeeder {
  /** Allocate what the epochs need (fit: the arena copy of the data). */
  open(): void | Promise<void>;
  /** Start epoch `epoch` (fit: the order of the rows). */
  beginEpoch(epoch: number): void | Promise<void>;
  /**
   * Put the next batch of the epoch in memory.xBuf / yBuf (growing them if needed) and return its
   * rows; 0 when the epoch is over. Throws, before anything is trained on it, on a bad batch.
   */
  next(epoch: number, batch: number): number | Promise<number>;
  /** The epoch's validation scores, if there is validation data. */
  validate?(epoch: number): Evaluation | Promise<Evaluation>;
  /** Free what open() took; called whatever happened. */
  close(): void | Promise<void>;
  /** Offset of the current batch's per-row loss weights (classWeight / sampleWeight), 0 = unweighted. */
  weights?: number;
}

/** The loop's options, resolved by planFit / planFitDataset. */
export interface LoopPlan {
  epochs: number;
  initialEpoch: number;
  yieldEvery: number;
  callbacks: Callback[];
  /** What to call the run in errors ('fit', 'fitDataset'). */
  what: string;
  /** History.params before the first epoch (fitDataset updates it as batches arrive). */
  params: History['params'];
}

/** Run the epochs. A batch the feeder refuses, or a step that diverges, ends the run with an Error. */
export async function runLoop(s: FitSession, plan: LoopPlan, feeder: BatchFeeder): Promise<History> {
  const { model, layers, memory, compiled: c, optParams } = s;
  const { epochs, yieldEvery, initialEpoch, callbacks } = plan;
  const history: History = { epoch: [], history: {}, params: plan.params };
  // Batch hooks are awaited per batch: only for the callbacks that have them.
  const onBatchBegin = callbacks.filter((cb) => typeof cb.onBatchBegin === 'function');
  const onBatchEnd = callbacks.filter((cb) => typeof cb.onBatchEnd === 'function');
  const trackers = metricTrackers(memory.ledger, c);
  const metrics = trackers.train.active ? trackers.train : undefined;
  try {
    await feeder.open();
    model.stopTraining = false;
    for (const cb of callbacks) if ('setModel' in cb) (cb as ModelAwareCallback).setModel(model);
    await fire(callbacks, 'onTrainBegin');
    let lastYield = now();
    for (let epoch = initialEpoch; epoch < epochs && !model.stopTraining; epoch++) {
      await fire(callbacks, 'onEpochBegin', epoch);
      await feeder.beginEpoch(epoch);
      metrics?.reset();
      let lossSum = 0;
      let samples = 0;
      for (let batch = 0; ; batch++) {
        let rows = feeder.next(epoch, batch);
        if (typeof rows !== 'number') rows = await rows;
        if (rows === 0) break;
        if (onBatchBegin.length) await fire(onBatchBegin, 'onBatchBegin', batch, { batch, size: rows });
        let loss: number;
        try {
          loss = trainStep(layers, memory, c, optParams, rows, metrics, feeder.weights ?? 0);
        } catch (e) {
          if (e instanceof DivergenceError) {
            throw new Error(`${plan.what}: training diverged at epoch ${epoch + 1}, batch ${batch + 1}: ${e.message}. The weights are those from before this step; try a lower learning rate, clipNorm/clipValue, or scaled inputs`);
          }
          throw e;
        }
        lossSum += loss * rows;
        samples += rows;
        if (onBatchEnd.length) {
          const logs: Logs = { batch, size: rows, loss };
          metrics?.writeBatch(logs);
          await fire(onBatchEnd, 'onBatchEnd', batch, logs);
        }
        if (now() - lastYield >= yieldEvery) {
          await nextMacrotask();
          lastYield = now();
        }
      }
      if (samples === 0) {
        // Only a dataset can run dry (fit's feeder always has rows); the feeder decides whether that is an error.
        break;
      }
      const logs: Logs = { loss: lossSum / samples };
      metrics?.write(logs);
      if (feeder.validate) {
        const v = await feeder.validate(epoch);
        for (const [k, value] of Object.entries(v)) if (value !== undefined) logs[`val_${k}`] = value;
      }
      // The optimizer's rate now (Keras's optimizer.learning_rate): the constant rate, or the
      // schedule at the next step. Epoch-end callbacks (reduceLROnPlateau) may change it after this.
      logs.learning_rate = c.optimizer.rateAt(memory.iterations);
      history.params.samples = samples;
      history.epoch.push(epoch);
      for (const [k, v] of Object.entries(logs)) (history.history[k] ??= []).push(v);
      await fire(callbacks, 'onEpochEnd', epoch, logs);
      await nextMacrotask();
      lastYield = now();
    }
    await fire(callbacks, 'onTrainEnd', lastLogs(history));
    return history;
  } finally {
    await feeder.close();
  }
}

export function normalizeCallbacks(cbs: Callback | Callback[] | undefined, what: string): Callback[] {
  if (cbs === undefined) return [];
  const list = Array.isArray(cbs) ? cbs.slice() : [cbs];
  for (const cb of list) if (!cb || typeof cb !== 'object') throw new Error(`${what}: callbacks must be objects with onEpochEnd etc., got ${describe(cb)}`);
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
