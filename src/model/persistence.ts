/**
 * How a model is saved without knowing any file format. The model exposes what a serializer
 * reads (SavableModel); src/io installs the serializer here when it is loaded, so `model.save()`
 * and `model.toArtifacts()` work while src/model never imports src/io (no import cycle for
 * bundlers or madge). src/io builds models from artifacts through `sequential()` from
 * ./sequential.ts: the dependency runs one way, io → model.
 */
import type { ModelArtifacts, SaveResult } from '../artifacts.js';
import type { Layer } from '../layers/layer.js';
import type { LossName } from '../losses.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import type { WeightTensor } from './weights.js';
import type { OptimizerState } from './optimizer-state.js';

/** The optimizer, loss name and metrics of a compiled model. */
export interface TrainingSetup {
  optimizer: Optimizer;
  loss: LossName;
  metrics: string[];
}

/** What a serializer reads from a model: topology (layers and their configs), weights, training setup. */
export interface SavableModel {
  readonly name: string;
  readonly inputUnits: number;
  readonly layers: readonly Layer[];
  getWeights(): WeightTensor[];
  readonly trainingConfig: TrainingSetup | undefined;
  /** The optimizer state and random position (for `includeOptimizer`). */
  getTrainingState(): { optimizer: OptimizerState; rng: number[] } | undefined;
}

/** Options of `model.save()` / `toArtifacts()`. */
export interface SaveOptions {
  /**
   * Also save the optimizer state (TensorFlow.js's optimizer weights: 'iter' and one weight per
   * parameter and state slot, group 'optimizer') and the random generator's position
   * (userDefinedMetadata.wasmMlp.rng), so training resumes exactly. Default false.
   */
  includeOptimizer?: boolean;
  /** Epochs completed, recorded for resuming (`model.savedEpoch` after loading); modelCheckpoint sets it. */
  epoch?: number;
}

/** The serializer src/io installs. */
export interface ModelSerializer {
  toArtifacts(model: SavableModel, options?: SaveOptions): ModelArtifacts;
  save(model: SavableModel, url: string, options?: SaveOptions): Promise<SaveResult>;
}

let installed: ModelSerializer | undefined;

/** Called by src/io when it is loaded. */
export function installSerializer(serializer: ModelSerializer): void {
  installed = serializer;
}

/** The installed serializer; `what` names the method in the error when there is none. */
export function serializer(what: string): ModelSerializer {
  if (!installed) {
    throw new Error(`${what}: saving is not loaded; import the library's main entry (import * as nn from 'wasm-mlp'), which includes it`);
  }
  return installed;
}
