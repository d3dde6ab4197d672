/**
 * nn.data.csv(source, options): a CSV file as a dataset of { xs, ys } batches for
 * model.fitDataset / evaluateDataset, streamed — one batch (plus the shuffle buffer) in memory,
 * whatever the file's size. Each iteration reads the source again (a new pass: an epoch); a
 * ReadableStream or iterator source can be read once.
 */
import { Tensor2D, describe } from '../tensor.js';
import { checkOptionKeys, optionKeys } from '../util/options.js';
import { RowBatcher, passRng, type RawBatch, type RowWriter } from './batcher.js';
import { PreprocessingFitter, RowEncoder, type FitOptions, type Preprocessing, type Task } from './preprocessing.js';
import { CsvError, openRecords, type CsvRecord, type RecordOptions } from './records.js';
import { checkSource, reopenable, type ByteProgress, type CsvSource } from './source.js';

export interface CsvOptions {
  /** The column to predict. */
  label: string;
  /** Feature columns, in input order (default: every column but the label). */
  columns?: string[];
  /** Columns to one-hot encode even if they look numeric. */
  categorical?: string[];
  /** classification or regression (default: inferred from the label column, as the CLI). */
  task?: Task;
  /** A fitted preprocessing (e.g. the training set's, or one loaded with a model). Default: fitted on this source in one extra pass before the first batch. */
  preprocessing?: Preprocessing;
  /** Rows per batch (default 32); the last batch of a pass may be shorter. */
  batchSize?: number;
  /** Shuffle through a buffer of this many rows (as tf.data shuffle); default 0 = file order. */
  shuffleBufferSize?: number;
  /** Seeds the shuffle; each pass shuffles differently, the same seed replays the same passes. */
  seed?: number;
  /** Classification targets as one-hot rows (for categoricalCrossentropy) instead of class ids (sparseCategoricalCrossentropy). */
  oneHot?: boolean;
  /** Keep only the data rows for which this returns true (0-based data row index), e.g. a train/validation split. Applies to fitting too. */
  filter?: (row: number) => boolean;
  /** Field delimiter, default ','. */
  delimiter?: string;
  /** Called for a category the preprocessing has not seen, which is then encoded as all zeros; without it, such a value is an error. */
  onUnknownCategory?: (column: string, value: string, line: number) => void;
  /** false: the file need not have the label column and batches are { xs } only (for predict); needs `preprocessing`. Default true. */
  labels?: boolean;
  /** Refuse columns the preprocessing does not know (other than the label). Default false: extra columns are ignored. */
  strictColumns?: boolean;
  /** Longest record accepted, in characters (default 1 MiB): a file without line breaks fails instead of filling memory. */
  maxLineLength?: number;
}

export const csvKeys = optionKeys<CsvOptions>()([
  'label', 'columns', 'categorical', 'task', 'preprocessing', 'batchSize', 'shuffleBufferSize', 'seed', 'oneHot', 'filter', 'delimiter', 'maxLineLength', 'onUnknownCategory', 'labels', 'strictColumns',
]);

/** A batch from CsvDataset: features [rows, inputUnits]; class ids, or [rows, classes] one-hot, or [rows, 1] standardized targets. */
export interface CsvBatch {
  xs: Tensor2D;
  /** Absent with `labels: false`. */
  ys: Int32Array | Tensor2D;
}

export class CsvDataset implements AsyncIterable<CsvBatch> {
  /** Bytes read by the pass in progress, and the source's size when known: for progress bars. */
  readonly progress: ByteProgress = { bytes: 0, totalBytes: undefined };
  private pre: Preprocessing | undefined;
  private passes = 0;
  private readonly recordOpts: RecordOptions;
  private readonly batchSize: number;
  private readonly shuffleBufferSize: number;
  private readonly seed: number;

  constructor(private readonly source: CsvSource, private readonly opts: CsvOptions) {
    const what = 'data.csv';
    if (!opts || typeof opts !== 'object') throw new Error(`${what}: expected options { label, batchSize, … }, got ${describe(opts)}`);
    checkOptionKeys(opts, csvKeys, what);
    checkSource(source, what);
    if (typeof opts.label !== 'string' || opts.label === '') throw new Error(`${what}: label must name the column to predict, got ${describe(opts.label)}`);
    const int = (v: unknown, name: string, min: number, dflt: number) => {
      if (v === undefined) return dflt;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new Error(`${what}: ${name} must be an integer >= ${min}, got ${describe(v)}`);
      return v;
    };
    this.batchSize = int(opts.batchSize, 'batchSize', 1, 32);
    this.shuffleBufferSize = int(opts.shuffleBufferSize, 'shuffleBufferSize', 0, 0);
    this.seed = int(opts.seed, 'seed', 0, 0) >>> 0;
    const delimiter = opts.delimiter ?? ',';
    if (typeof delimiter !== 'string' || delimiter.length === 0 || /["\r\n]/.test(delimiter)) throw new Error(`${what}: delimiter must be a non-empty string without quotes or line breaks, got ${describe(delimiter)}`);
    this.recordOpts = { delimiter, maxLineLength: int(opts.maxLineLength, 'maxLineLength', 1, 1 << 20) };
    if (opts.filter !== undefined && typeof opts.filter !== 'function') throw new Error(`${what}: filter must be a function (row index) => boolean, got ${describe(opts.filter)}`);
    if (opts.task !== undefined && opts.task !== 'classification' && opts.task !== 'regression') throw new Error(`${what}: task must be 'classification' or 'regression', got ${describe(opts.task)}`);
    this.pre = opts.preprocessing;
    if (opts.labels === false && !opts.preprocessing) throw new Error(`${what}: labels: false needs options.preprocessing (statistics are fitted with labels)`);
  }

  /** The preprocessing batches are encoded with, fitted in one streaming pass on first use unless given. */
  async preprocessing(): Promise<Preprocessing> {
    if (!this.pre) {
      this.claimPass();
      this.pre = await fitOnSource(this.source, this.opts, this.progress, this.recordOpts, 'data.csv');
    }
    return this.pre;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<CsvBatch> {
    const pre = await this.preprocessing();
    const pass = this.claimPass();
    const { name, header, records, close } = await openRecords(this.source, this.recordOpts, this.progress, 'data.csv');
    const where = name;
    let enc: RowEncoder;
    try {
      enc = new RowEncoder(pre, header, `data.csv: ${where}`, {
        oneHot: this.opts.oneHot ?? false, labels: this.opts.labels ?? true, strictColumns: this.opts.strictColumns ?? false,
        ...(this.opts.onUnknownCategory ? { onUnknownCategory: this.opts.onUnknownCategory } : {}),
      });
    } catch (e) {
      await close();
      throw e;
    }
    const width = enc.inputUnits, yCols = enc.yCols;
    const sparse = pre.task === 'classification' && yCols === 1;
    const withLabels = enc.labels;
    const filter = this.opts.filter;
    const batcher = new RowBatcher(width, yCols, this.batchSize, this.shuffleBufferSize, passRng(this.seed, pass));
    const batch = (b: RawBatch): CsvBatch => ({
      xs: new Tensor2D(b.x, [b.rows, width]),
      ys: !withLabels ? (undefined as unknown as Int32Array) : sparse ? Int32Array.from(b.y) : new Tensor2D(b.y, [b.rows, yCols]),
    });
    let record: CsvRecord;
    const write: RowWriter = (x, xo, y, yo) => enc.encode(record, x, xo, y, yo);
    let row = -1;
    try {
      for await (const run of records) for (const r of run) {
        row++;
        if (r.cells.length !== header.length) throw new CsvError(`data.csv: ${where} line ${r.line}: expected ${header.length} fields, got ${r.cells.length}`, r.line);
        if (filter && !filter(row)) continue;
        record = r;
        const b = batcher.add(write);
        if (b) yield batch(b);
      }
    } catch (e) {
      throw e instanceof CsvError || !(e instanceof Error) ? e : new CsvError(`data.csv: ${where}: ${e.message}`);
    }
    for (const b of batcher.drain()) yield batch(b);
    if (row < 0) throw new CsvError(`data.csv: ${where} has a header (${header.join(', ')}) but no data rows`, 1);
  }

  private claimPass(): number {
    if (this.passes > 0 && !reopenable(this.source)) {
      throw new Error('data.csv: the source is a stream, which can be read once; pass a file path, URL or File/Blob to read it again (each epoch, or fitting statistics first — pass options.preprocessing to skip that pass)');
    }
    return this.passes++;
  }
}

/**
 * Fit standardisation and one-hot statistics on a CSV source in one streaming pass (the CLI's
 * preprocessing): column kinds, means and standard deviations, categories, classes or the target's
 * scale. Rows `filter` drops are not counted in means and stds (they still add categories).
 */
export async function fitPreprocessing(source: CsvSource, options: FitPreprocessingOptions): Promise<Preprocessing> {
  const what = 'data.fitPreprocessing';
  if (!options || typeof options !== 'object') throw new Error(`${what}: expected options { label, … }, got ${describe(options)}`);
  checkOptionKeys(options, fitKeys, what);
  checkSource(source, what);
  if (typeof options.label !== 'string' || options.label === '') throw new Error(`${what}: label must name the column to predict, got ${describe(options.label)}`);
  const progress = options.progress ?? { bytes: 0, totalBytes: undefined };
  return fitOnSource(source, options, progress, { delimiter: options.delimiter ?? ',', maxLineLength: options.maxLineLength ?? 1 << 20 }, what);
}

export interface FitPreprocessingOptions extends FitOptions, Pick<CsvOptions, 'filter' | 'delimiter' | 'maxLineLength'> {
  /** Updated as bytes are read (for a progress bar). */
  progress?: ByteProgress;
}
const fitKeys = optionKeys<FitPreprocessingOptions>()(['label', 'task', 'categorical', 'columns', 'filter', 'delimiter', 'maxLineLength', 'progress']);

async function fitOnSource(source: CsvSource, opts: FitOptions & Pick<CsvOptions, 'filter'>, progress: ByteProgress, recordOpts: RecordOptions, what: string): Promise<Preprocessing> {
  const { name, header, records, close } = await openRecords(source, recordOpts, progress, what);
  let fitter: PreprocessingFitter;
  try {
    fitter = new PreprocessingFitter(header, { label: opts.label, ...(opts.task ? { task: opts.task } : {}), ...(opts.categorical ? { categorical: opts.categorical } : {}), ...(opts.columns ? { columns: opts.columns } : {}) }, `${what}: ${name}`);
  } catch (e) {
    await close();
    throw e;
  }
  let row = -1;
  for await (const run of records) for (const r of run) {
    row++;
    if (r.cells.length !== header.length) throw new CsvError(`${what}: ${name} line ${r.line}: expected ${header.length} fields, got ${r.cells.length}`, r.line);
    fitter.add(r, !opts.filter || opts.filter(row));
  }
  return fitter.finish();
}

/**
 * A seeded split of rows by a hash of the row number: `splitRows(0.2, seed)(row)` is true for
 * about 20% of rows, the same ones for the same seed — a train/validation split for data streamed
 * in one pass (no row list). Use it (or its negation) as nn.data.csv's `filter`.
 */
export function splitRows(share: number, seed: number): (row: number) => boolean {
  if (typeof share !== 'number' || !(share >= 0 && share <= 1)) throw new Error(`data.splitRows: share must be a number in [0, 1], got ${describe(share)}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`data.splitRows: seed must be an integer in [0, 2^32), got ${describe(seed)}`);
  const cut = Math.floor(share * 2 ** 32);
  return (row) => {
    let z = (Math.imul(row ^ seed, 0x9e3779b1) + seed) >>> 0;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) < cut;
  };
}

/** A streaming CSV dataset: see CsvOptions. */
export function csv(source: CsvSource, options: CsvOptions): CsvDataset {
  return new CsvDataset(source, options);
}

export { CsvError, type Preprocessing, type Task, type CsvSource, type ByteProgress };
