/**
 * The messages between a WorkerModel (main thread) and serveWorker (inside the worker), and the
 * plain-data model description both sides understand. Everything here survives structured
 * clone: numbers, strings, plain objects and Float32Arrays (transferred, not copied, where we can).
 */
import type { LayerTypeName } from '../layers/index.js';
import type { BackendName, BackendOptions } from '../backend/index.js';
import type { Logs } from '../callbacks.js';
import type { LossSpec } from '../losses.js';
import type { History } from '../model/sequential.js';
import type { MetricSpec as MetricName } from '../metrics.js';
import type { OptimizerName } from '../optimizers/index.js';
import { LearningRateSchedule } from '../optimizers/schedules.js';

/** One layer as plain data: `type` names an `nn.layers.*` factory, the rest are its options. */
export interface LayerSpec {
  type: LayerTypeName;
  [option: string]: unknown;
}

/**
 * An optimizer by name, or `{ name, ...options }` for `nn.optimizers[name](options)`. A
 * `learningRate` may be an `nn.schedules.*` schedule: it crosses as its Keras config
 * (`toJSON()`), which the worker reads back with the schedules' own loader.
 */
export type OptimizerSpec = OptimizerName | { name: OptimizerName; [option: string]: unknown };

/** The spec as posted: a schedule object (which structured clone would strip of its class) becomes its Keras config. */
export function postableSpec(spec: ModelSpec): ModelSpec {
  const opt = spec?.compile?.optimizer;
  if (!opt || typeof opt !== 'object' || !(opt.learningRate instanceof LearningRateSchedule)) return spec;
  return { ...spec, compile: { ...spec.compile, optimizer: { ...opt, learningRate: opt.learningRate.toJSON() } } };
}

/** A whole model as plain data, so it can be posted to a worker. */
export interface ModelSpec {
  layers: LayerSpec[];
  seed?: number;
  compile: { optimizer: OptimizerSpec; loss: LossSpec; metrics?: MetricName[] };
  /** Backend to train on inside the worker (default: `nn.ready()`'s choice). */
  backend?: BackendName;
  backendOptions?: BackendOptions;
}

/** A tensor as posted: row-major data and its shape. */
export interface PlainTensor {
  shape: number[];
  data: Float32Array;
}

/** A batch as posted (targets as a tensor: flat class ids become a column). */
export interface PlainBatch {
  xs: PlainTensor;
  ys: PlainTensor;
  /** The batch's per-row loss weights, when it carries them. */
  sampleWeight?: Float32Array;
}

/** Main thread → worker. `id` pairs a request with its reply. */
export type Request =
  | { id: number; op: 'init'; spec: ModelSpec }
  | { id: number; op: 'fit'; x: PlainTensor; y: PlainTensor; args: WorkerFitArgs }
  | { id: number; op: 'fitDataset'; args: WorkerFitDatasetArgs }
  /** The answer to a `pull` of fitDataset `id`'s dataset `stream` (0 training, 1 validation): a batch, the end of the pass, or its error. */
  | { id: number; op: 'batch'; stream: number; value?: PlainBatch; done?: boolean; error?: string }
  | { id: number; op: 'predict'; x: PlainTensor }
  | { id: number; op: 'evaluate'; x: PlainTensor; y: PlainTensor }
  | { id: number; op: 'getWeights' }
  | { id: number; op: 'setWeights'; weights: PlainTensor[] }
  | { id: number; op: 'stop' }
  | { id: number; op: 'dispose' };

/** Worker → main thread. */
export type Reply =
  | { id: number; type: 'result'; value: unknown }
  | { id: number; type: 'error'; message: string }
  | { id: number; type: 'epoch'; epoch: number; logs: Logs; weights?: PlainTensor[] }
  | { id: number; type: 'batch'; batch: number; logs: Logs }
  /** fitDataset asks the main thread for its dataset `stream`: start a pass, the next batch, or close the pass. */
  | { id: number; type: 'pull'; stream: number; action: 'open' | 'next' | 'close' };

/** `fit` options that can cross the thread boundary (callbacks stay on the main thread). */
export interface WorkerFitArgs {
  epochs?: number;
  batchSize?: number;
  shuffle?: boolean;
  validationSplit?: number;
  validationData?: [PlainTensor, PlainTensor];
  initialEpoch?: number;
  yieldEvery?: number;
  /** Post every batch's logs (default: only when an onBatchEnd callback is given). */
  batchLogs?: boolean;
  /** Attach a copy of the weights to every n-th epoch message (0 = never; default 0). */
  weightsEvery?: number;
  /** As fit's: a loss weight per class id. */
  classWeight?: Record<number, number>;
  /** As fit's: one loss weight per row of x. */
  sampleWeight?: number[] | Float32Array;
}

/** `fitDataset` options that can cross the thread boundary; the datasets stay on the main thread. */
export interface WorkerFitDatasetArgs {
  epochs?: number;
  batchesPerEpoch?: number;
  validationBatches?: number;
  initialEpoch?: number;
  yieldEvery?: number;
  batchLogs?: boolean;
  weightsEvery?: number;
  /** [x, y] in memory, or 'dataset': a second stream of pulled batches. */
  validationData?: [PlainTensor, PlainTensor] | 'dataset';
  /** The training dataset is a one-shot iterator (a generator object). */
  oneShot?: boolean;
  /** As fitDataset's: a loss weight per class id. */
  classWeight?: Record<number, number>;
}

export type { History, Logs };
