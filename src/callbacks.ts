/**
 * Training callbacks (Keras names). A callback is a plain object with any of the hooks below;
 * hooks may return a Promise, which `fit` awaits. Built in: `earlyStopping` and `modelCheckpoint`
 * (./checkpoint.ts).
 */
export { modelCheckpoint, ModelCheckpoint, formatFilepath, type ModelCheckpointOptions } from './checkpoint.js';
import { higherIsBetter } from './metrics.js';
import type { Optimizer } from './optimizers/optimizer.js';

export type Logs = Record<string, number>;

export interface Callback {
  onTrainBegin?(logs?: Logs): void | Promise<void>;
  onTrainEnd?(logs?: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs?: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs?: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs?: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs?: Logs): void | Promise<void>;
}

/** What a callback may ask of the model it is attached to. */
export interface TrainingModel {
  stopTraining: boolean;
  /** The compiled optimizer (the LR callbacks read and set its learningRate). */
  readonly optimizer: Optimizer | undefined;
  snapshotWeights(): Float32Array;
  restoreWeights(snapshot: Float32Array): void;
}

/** Callbacks that need the model implement this; `fit` calls it first. */
export interface ModelAwareCallback extends Callback {
  setModel(model: TrainingModel): void;
}

export interface EarlyStoppingOptions {
  /** Default 'val_loss'. */
  monitor?: string;
  /** Smallest change that counts as an improvement; default 0. */
  minDelta?: number;
  /** Epochs without improvement before stopping; default 0. */
  patience?: number;
  /** 'min' for losses, 'max' for accuracies, AUC, precision and recall; 'auto' (default) picks from the name. */
  mode?: 'auto' | 'min' | 'max';
  /** Put back the weights of the best epoch when stopping (or at the end); default false. */
  restoreBestWeights?: boolean;
  /** Value the metric must beat before patience starts counting. */
  baseline?: number;
}

/** Stop `fit` when the monitored metric stops improving (Keras EarlyStopping). */
export class EarlyStopping implements ModelAwareCallback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly mode: 'min' | 'max';
  readonly restoreBestWeights: boolean;
  readonly baseline: number | undefined;
  /** Epoch at which training was stopped (0 = ran to the end). */
  stoppedEpoch = 0;
  /** Epoch whose weights were best. */
  bestEpoch = 0;
  private model: TrainingModel | undefined;
  private best = Infinity;
  private wait = 0;
  private bestWeights: Float32Array | undefined;

  constructor(options: EarlyStoppingOptions = {}) {
    this.monitor = options.monitor ?? 'val_loss';
    this.minDelta = Math.abs(options.minDelta ?? 0);
    this.patience = options.patience ?? 0;
    if (!Number.isInteger(this.patience) || this.patience < 0) throw new Error(`earlyStopping: patience must be an integer >= 0, got ${options.patience}`);
    const mode = options.mode ?? 'auto';
    if (mode !== 'auto' && mode !== 'min' && mode !== 'max') throw new Error(`earlyStopping: mode must be 'auto', 'min' or 'max', got ${JSON.stringify(mode)}`);
    this.mode = mode === 'auto' ? (higherIsBetter(this.monitor) ? 'max' : 'min') : mode;
    this.restoreBestWeights = options.restoreBestWeights ?? false;
    this.baseline = options.baseline;
  }

  setModel(model: TrainingModel): void {
    this.model = model;
  }

  onTrainBegin(): void {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.bestEpoch = 0;
    this.bestWeights = undefined;
    this.best = this.baseline !== undefined ? this.sign() * this.baseline : Infinity;
  }

  /** Lower is better after multiplying by this. */
  private sign(): number {
    return this.mode === 'min' ? 1 : -1;
  }

  onEpochEnd(epoch: number, logs: Logs = {}): void {
    const value = logs[this.monitor];
    if (value === undefined) {
      throw new Error(`earlyStopping: monitor '${this.monitor}' is not in the epoch logs (available: ${Object.keys(logs).join(', ') || 'none'}); use validationSplit/validationData for val_* metrics`);
    }
    const score = this.sign() * value;
    if (score < this.best - this.minDelta) {
      this.best = score;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBestWeights) this.bestWeights = this.model?.snapshotWeights();
      return;
    }
    this.wait++;
    // Keras: stop once `patience` epochs in a row brought no improvement.
    if (this.wait >= Math.max(1, this.patience)) {
      this.stoppedEpoch = epoch;
      if (this.model) this.model.stopTraining = true;
    }
  }

  onTrainEnd(): void {
    if (this.restoreBestWeights && this.bestWeights && this.model) this.model.restoreWeights(this.bestWeights);
  }
}

export const earlyStopping = (options?: EarlyStoppingOptions): EarlyStopping => new EarlyStopping(options);
