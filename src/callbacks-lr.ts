/**
 * The learning-rate callbacks (Keras 3 semantics): `reduceLROnPlateau` and
 * `learningRateScheduler`. Both set the compiled optimizer's constant `learningRate` between
 * epochs; the next training step passes the new rate to the update kernel. An optimizer built
 * with a schedule (`nn.schedules.*`) cannot be driven by them (as in Keras): they say so.
 */
import type { Logs, ModelAwareCallback, TrainingModel } from './callbacks.js';
import type { Optimizer } from './optimizers/optimizer.js';
import { checkOptionKeys } from './util/options.js';

/** The model's optimizer, with a constant rate the callback may set. */
function constantRateOptimizer(model: TrainingModel | undefined, what: string): Optimizer & { learningRate: number } {
  const opt = model?.optimizer;
  if (!opt) throw new Error(`${what}: the model has no optimizer; compile it first`);
  if (typeof opt.learningRate !== 'number') {
    throw new Error(`${what}: the optimizer's learning rate follows a ${opt.learningRate.className} schedule, which a callback cannot change; use a constant learningRate with ${what}, or the schedule alone`);
  }
  return opt as Optimizer & { learningRate: number };
}

export interface ReduceLROnPlateauOptions {
  /** The epoch log to watch; default 'val_loss'. */
  monitor?: string;
  /** New rate = rate · factor; default 0.1, must be in (0, 1). */
  factor?: number;
  /** Epochs without improvement before the rate is reduced; default 10. */
  patience?: number;
  /** Smallest change that counts as an improvement; default 1e-4. */
  minDelta?: number;
  /** Epochs to wait after a reduction before counting again; default 0. */
  cooldown?: number;
  /** The rate never goes below this; default 0. */
  minLr?: number;
  /** 'min' for losses, 'max' for accuracies; 'auto' (default) picks 'max' for accuracy, precision, recall and AUC. */
  mode?: 'auto' | 'min' | 'max';
  /** 1 = print a line when the rate is reduced; default 0. */
  verbose?: 0 | 1;
}

const reduceKeys = ['monitor', 'factor', 'patience', 'minDelta', 'cooldown', 'minLr', 'mode', 'verbose'] as const;

/** 'auto' mode: up for the metrics where higher is better (accuracies, precision, recall, AUC), down otherwise (losses, errors). */
function autoMode(monitor: string): 'min' | 'max' {
  return /acc|precision|recall|auc/i.test(monitor.replace(/^val_/, '')) ? 'max' : 'min';
}

function nonNegativeInt(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new Error(`${what}: expected an integer >= 0, got ${JSON.stringify(v) ?? String(v)}`);
  return v;
}

/**
 * Multiply the learning rate by `factor` once `monitor` has not improved (by more than minDelta)
 * for `patience` epochs, then wait `cooldown` epochs before counting again (Keras's
 * ReduceLROnPlateau, step by step: improvement resets the wait; in cooldown the wait stays 0;
 * the rate never drops below minLr).
 */
export class ReduceLROnPlateau implements ModelAwareCallback {
  readonly monitor: string;
  readonly factor: number;
  readonly patience: number;
  readonly minDelta: number;
  readonly cooldown: number;
  readonly minLr: number;
  readonly mode: 'min' | 'max';
  readonly verbose: 0 | 1;
  private model: TrainingModel | undefined;
  private best = Infinity;
  private wait = 0;
  private cooldownCounter = 0;

  constructor(options: ReduceLROnPlateauOptions = {}) {
    const what = 'callbacks.reduceLROnPlateau';
    checkOptionKeys(options, reduceKeys, what);
    this.monitor = options.monitor ?? 'val_loss';
    if (typeof this.monitor !== 'string' || !this.monitor) throw new Error(`${what} monitor: expected a log name such as 'val_loss', got ${JSON.stringify(this.monitor)}`);
    this.factor = options.factor ?? 0.1;
    if (typeof this.factor !== 'number' || !(this.factor > 0 && this.factor < 1)) throw new Error(`${what} factor: expected a number in (0, 1), got ${String(this.factor)}`);
    this.patience = nonNegativeInt(options.patience ?? 10, `${what} patience`);
    this.cooldown = nonNegativeInt(options.cooldown ?? 0, `${what} cooldown`);
    const minDelta = options.minDelta ?? 1e-4;
    if (typeof minDelta !== 'number' || !Number.isFinite(minDelta)) throw new Error(`${what} minDelta: expected a finite number, got ${String(minDelta)}`);
    this.minDelta = Math.abs(minDelta);
    this.minLr = options.minLr ?? 0;
    if (typeof this.minLr !== 'number' || !Number.isFinite(this.minLr) || this.minLr < 0) throw new Error(`${what} minLr: expected a finite number >= 0, got ${String(this.minLr)}`);
    const mode = options.mode ?? 'auto';
    if (mode !== 'auto' && mode !== 'min' && mode !== 'max') throw new Error(`${what} mode: expected 'auto', 'min' or 'max', got ${JSON.stringify(mode)}`);
    this.mode = mode === 'auto' ? autoMode(this.monitor) : mode;
    this.verbose = options.verbose ?? 0;
  }

  setModel(model: TrainingModel): void {
    this.model = model;
  }

  onTrainBegin(): void {
    constantRateOptimizer(this.model, 'callbacks.reduceLROnPlateau');
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.wait = 0;
    this.cooldownCounter = 0;
  }

  private improved(current: number): boolean {
    return this.mode === 'min' ? current < this.best - this.minDelta : current > this.best + this.minDelta;
  }

  onEpochEnd(epoch: number, logs: Logs = {}): void {
    const current = logs[this.monitor];
    if (current === undefined) {
      throw new Error(`callbacks.reduceLROnPlateau: monitor '${this.monitor}' is not in the epoch logs (available: ${Object.keys(logs).join(', ') || 'none'}); use validationSplit/validationData for val_* metrics`);
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.wait = 0;
    }
    if (this.improved(current)) {
      this.best = current;
      this.wait = 0;
      return;
    }
    if (this.cooldownCounter > 0) return;
    this.wait++;
    if (this.wait < this.patience) return;
    const opt = constantRateOptimizer(this.model, 'callbacks.reduceLROnPlateau');
    const old = opt.learningRate;
    // Keras compares with min_lr in float32; the rate itself reaches the kernel as float32 too.
    if (!(Math.fround(old) > Math.fround(this.minLr))) return;
    const next = Math.max(old * this.factor, this.minLr);
    // A minLr of 0 cannot be a rate (it must stay > 0), and old·factor > 0 anyway.
    opt.learningRate = next;
    if (this.verbose) console.log(`Epoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${next}.`);
    this.cooldownCounter = this.cooldown;
    this.wait = 0;
  }
}

/** `schedule(epoch, lr)`: the rate for epoch `epoch` (0-based) given the current rate. */
export type EpochSchedule = (epoch: number, learningRate: number) => number | Promise<number>;

/**
 * At the start of every epoch, set the learning rate to `schedule(epoch, currentRate)` (Keras's
 * LearningRateScheduler). The function must return a finite number > 0.
 */
export class LearningRateScheduler implements ModelAwareCallback {
  private model: TrainingModel | undefined;
  constructor(readonly schedule: EpochSchedule, readonly verbose: 0 | 1 = 0) {
    if (typeof schedule !== 'function') throw new Error(`callbacks.learningRateScheduler: expected a function (epoch, lr) => lr, got ${JSON.stringify(schedule) ?? String(schedule)}`);
  }

  setModel(model: TrainingModel): void {
    this.model = model;
  }

  onTrainBegin(): void {
    constantRateOptimizer(this.model, 'callbacks.learningRateScheduler');
  }

  async onEpochBegin(epoch: number): Promise<void> {
    const opt = constantRateOptimizer(this.model, 'callbacks.learningRateScheduler');
    let rate = this.schedule(epoch, opt.learningRate);
    if (rate && typeof (rate as Promise<number>).then === 'function') rate = await rate;
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0) {
      throw new Error(`callbacks.learningRateScheduler: the schedule returned ${typeof rate === 'number' ? rate : JSON.stringify(rate) ?? String(rate)} for epoch ${epoch}; expected a finite number > 0`);
    }
    opt.learningRate = rate;
    if (this.verbose) console.log(`Epoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${rate}.`);
  }
}

/** `nn.callbacks.reduceLROnPlateau({ monitor: 'val_loss', factor: 0.1, patience: 10, … })`. */
export const reduceLROnPlateau = (options?: ReduceLROnPlateauOptions): ReduceLROnPlateau => new ReduceLROnPlateau(options);

/** `nn.callbacks.learningRateScheduler((epoch, lr) => epoch < 10 ? lr : lr * 0.9)`. */
export const learningRateScheduler = (schedule: EpochSchedule, verbose: 0 | 1 = 0): LearningRateScheduler => new LearningRateScheduler(schedule, verbose);
