/**
 * modelCheckpoint (Keras ModelCheckpoint): save the model during fit — every epoch, every N
 * batches, or only when the monitored value improves — through the model's own save() (file://,
 * indexeddb://, localstorage://, downloads://; file:// writes the files atomically), with the
 * optimizer state and the random generator's position, so `nn.loadModel` + `fit(…, { initialEpoch:
 * model.savedEpoch })` continues exactly as an uninterrupted run would.
 */
import type { SaveOptions } from './model/persistence.js';
import { higherIsBetter } from './metrics.js';
import { describe } from './tensor.js';
import { checkOptionKeys, optionKeys } from './util/options.js';

export interface ModelCheckpointOptions {
  /**
   * Where to save: a URL model.save() takes ('file://./ckpt', 'indexeddb://run1', …). Keras
   * placeholders are filled in per save: `{epoch}` (1-based), `{epoch:02d}`, and any log value,
   * e.g. `{val_loss:.4f}`.
   */
  filepath: string;
  /** The log value saveBestOnly compares; default 'val_loss'. */
  monitor?: string;
  /** Save only when `monitor` improves on the best so far; default false (save every time). */
  saveBestOnly?: boolean;
  /** 'min', 'max', or 'auto' (default): 'max' for accuracies, AUC, precision and recall, else 'min'. */
  mode?: 'auto' | 'min' | 'max';
  /** 'epoch' (default) saves at the end of every epoch; a number N saves after every N batches. */
  saveFreq?: 'epoch' | number;
  /** Save the weights without the optimizer state (Keras saveWeightsOnly); default false. */
  saveWeightsOnly?: boolean;
  /** 1 logs each save (and each skipped one with saveBestOnly) on the console; default 0. */
  verbose?: 0 | 1;
}

export const modelCheckpointKeys = optionKeys<ModelCheckpointOptions>()(['filepath', 'monitor', 'saveBestOnly', 'mode', 'saveFreq', 'saveWeightsOnly', 'verbose']);

// The callback shapes of ./callbacks.ts, structurally (that module re-exports this one).
type Logs = Record<string, number>;
/** What the checkpoint needs of the model: its save() with options. */
interface SavingModel {
  save(url: string, options?: SaveOptions): Promise<unknown>;
}

/**
 * Fill Keras's placeholders: `{name}` or `{name:spec}` with spec `[0][width]d` or `.Nf` (Python's
 * str.format for ints and fixed-point numbers). An unknown name throws, naming the available ones.
 */
export function formatFilepath(template: string, values: Record<string, number>): string {
  return template.replace(/\{(\w+)(?::([^}]*))?\}/g, (_m, name: string, spec: string | undefined) => {
    const v = values[name];
    if (v === undefined) throw new Error(`modelCheckpoint: filepath placeholder {${name}} is not in the logs (available: ${Object.keys(values).join(', ')})`);
    if (!spec) return String(v);
    const int = /^(0?)(\d*)d$/.exec(spec);
    if (int) return String(Math.trunc(v)).padStart(Number(int[2] || 0), int[1] ? '0' : ' ');
    const fixed = /^(0?)(\d*)\.(\d+)f$/.exec(spec);
    if (fixed) return v.toFixed(Number(fixed[3])).padStart(Number(fixed[2] || 0), fixed[1] ? '0' : ' ');
    throw new Error(`modelCheckpoint: unsupported format '{${name}:${spec}}'; use d, 02d, .4f and the like`);
  });
}

/** Save the model while it trains (Keras ModelCheckpoint). */
export class ModelCheckpoint {
  readonly filepath: string;
  readonly monitor: string;
  readonly saveBestOnly: boolean;
  readonly mode: 'min' | 'max';
  readonly saveFreq: 'epoch' | number;
  readonly saveWeightsOnly: boolean;
  readonly verbose: 0 | 1;
  /** The best monitored value so far (saveBestOnly). */
  best: number;
  /** The URL of the last save. */
  lastSaved: string | undefined;
  private model: SavingModel | undefined;
  private epoch = 0;
  private batchesSinceSave = 0;

  constructor(options: ModelCheckpointOptions) {
    if (!options || typeof options !== 'object') throw new Error(`modelCheckpoint: expected { filepath, … }, got ${describe(options)}`);
    checkOptionKeys(options, modelCheckpointKeys, 'modelCheckpoint');
    if (typeof options.filepath !== 'string' || options.filepath === '') throw new Error(`modelCheckpoint: filepath must be a URL string such as 'file://./ckpt', got ${describe(options.filepath)}`);
    this.filepath = options.filepath;
    this.monitor = options.monitor ?? 'val_loss';
    if (typeof this.monitor !== 'string') throw new Error(`modelCheckpoint: monitor must be a log name such as 'val_loss', got ${describe(this.monitor)}`);
    this.saveBestOnly = options.saveBestOnly ?? false;
    const mode = options.mode ?? 'auto';
    if (mode !== 'auto' && mode !== 'min' && mode !== 'max') throw new Error(`modelCheckpoint: mode must be 'auto', 'min' or 'max', got ${JSON.stringify(mode)}`);
    this.mode = mode === 'auto' ? (higherIsBetter(this.monitor) ? 'max' : 'min') : mode;
    const freq = options.saveFreq ?? 'epoch';
    if (freq !== 'epoch' && !(Number.isInteger(freq) && (freq as number) >= 1)) throw new Error(`modelCheckpoint: saveFreq must be 'epoch' or an integer >= 1 (batches), got ${describe(freq)}`);
    this.saveFreq = freq;
    this.saveWeightsOnly = options.saveWeightsOnly ?? false;
    this.verbose = options.verbose ?? 0;
    if (this.verbose !== 0 && this.verbose !== 1) throw new Error(`modelCheckpoint: verbose must be 0 or 1, got ${describe(options.verbose)}`);
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  setModel(model: object): void {
    if (typeof (model as Partial<SavingModel>).save !== 'function') throw new Error('modelCheckpoint: the model cannot save itself');
    this.model = model as SavingModel;
  }

  onEpochBegin(epoch: number): void {
    this.epoch = epoch;
  }

  async onBatchEnd(_batch: number, logs: Logs = {}): Promise<void> {
    if (this.saveFreq === 'epoch') return;
    if (++this.batchesSinceSave < this.saveFreq) return;
    this.batchesSinceSave = 0;
    // Mid-epoch: the epoch is not complete, so a resume starts this epoch over.
    await this.save(this.epoch, logs, this.epoch);
  }

  async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    if (this.saveFreq === 'epoch') await this.save(epoch, logs, epoch + 1);
  }

  private async save(epoch: number, logs: Logs, completed: number): Promise<void> {
    const model = this.model;
    if (!model) throw new Error('modelCheckpoint: not attached to a model (pass it in fit({ callbacks }))');
    const url = formatFilepath(this.filepath, { epoch: epoch + 1, ...logs });
    if (this.saveBestOnly) {
      const value = logs[this.monitor];
      if (value === undefined) {
        throw new Error(`modelCheckpoint: monitor '${this.monitor}' is not in the logs (available: ${Object.keys(logs).join(', ') || 'none'}); use validationSplit/validationData for val_* values`);
      }
      const better = this.mode === 'min' ? value < this.best : value > this.best;
      if (!better) {
        if (this.verbose) console.log(`Epoch ${epoch + 1}: ${this.monitor} did not improve from ${this.best.toFixed(5)}`);
        return;
      }
      if (this.verbose) console.log(`Epoch ${epoch + 1}: ${this.monitor} improved from ${this.best.toFixed(5)} to ${value.toFixed(5)}, saving model to ${url}`);
      this.best = value;
    } else if (this.verbose) console.log(`Epoch ${epoch + 1}: saving model to ${url}`);
    await model.save(url, this.saveWeightsOnly ? {} : { includeOptimizer: true, epoch: completed });
    this.lastSaved = url;
  }
}

/** Save the model during fit (Keras ModelCheckpoint); see {@link ModelCheckpointOptions}. */
export const modelCheckpoint = (options: ModelCheckpointOptions): ModelCheckpoint => new ModelCheckpoint(options);
