/**
 * Parsing in a worker thread, so it overlaps training: the worker (./csv-worker-main.ts, run from
 * this same CLI bundle) reads and encodes the CSV and posts ready batches to the training thread.
 * The slower of the two sets the pace instead of their sum.
 *
 * StreamedCsv plans the passes of `train --stream` so the text is parsed twice in all: once for
 * the statistics, once in the first epoch, which also writes every encoded row (both splits) to a
 * row cache on disk; later epochs, the validation passes and the final scores read the cache, in
 * the training thread (no worker to start per pass).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import * as nn from '../index.js';
import type { Part, WorkerJob, WorkerMessage } from './csv-worker-main.js';
import { cachedBatches } from './row-cache.js';

export interface StreamOptions {
  label: string;
  preprocessing: nn.data.Preprocessing;
  batchSize: number;
  shuffleBufferSize: number;
  seed: number;
  /** Share of rows held out for validation (nn.data.splitRows with `seed`). */
  validation: number;
  /** Directory for the row cache, or undefined to parse the file on every pass. */
  cacheDir: string | undefined;
}

/** nn.data.fitPreprocessing on the training rows in a worker thread (its heap holds the pass's garbage); `rows` counts both splits. */
export async function fitInWorker(file: string, options: { label: string; validation: number; seed: number; task?: nn.data.Task; categorical?: string[] }, progress: nn.data.ByteProgress): Promise<{ pre: nn.data.Preprocessing; rows: number }> {
  const { label, validation, seed, ...fit } = options;
  const worker = spawnWorker({ csvWorker: true, kind: 'fit', file, label, split: { share: validation, seed }, fit });
  try {
    return await new Promise((resolve, reject) => {
      worker.on('message', (m: WorkerMessage) => {
        if ('error' in m) reject(workerError(m.error));
        else if ('pre' in m) {
          progress.bytes = m.bytes;
          progress.totalBytes = m.total;
          resolve({ pre: m.pre, rows: m.rows });
        } else if ('progress' in m) Object.assign(progress, m.progress);
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`the CSV worker exited with code ${code}`)));
    });
  } finally {
    await worker.terminate();
  }
}

export class StreamedCsv {
  /** Bytes of the pass in progress (of the CSV file, or of the row cache): for the progress bar. */
  readonly progress: nn.data.ByteProgress = { bytes: 0, totalBytes: undefined };
  private readonly cache: Partial<Record<Part, string>> = {};
  private readonly cached: Partial<Record<Part, number>> = {};
  private trainPasses = 0;
  private dir: string | undefined;
  /** Bytes read from the CSV (parsing) and from the cache, over every pass: for the run's summary. */
  readonly read = { csvBytes: 0, cacheBytes: 0, parsePasses: 0, cachePasses: 0 };

  constructor(private readonly file: string, private readonly o: StreamOptions) {
    if (o.cacheDir) {
      const dir = mkdtempSync(join(o.cacheDir, 'wasm-mlp-rows-'));
      this.cache = { train: join(dir, 'train.f32'), ...(o.validation > 0 ? { validation: join(dir, 'validation.f32') } : {}) };
      this.dir = dir;
    }
  }

  /** The training rows, shuffled: one pass per iteration (an epoch). */
  get training(): AsyncIterable<nn.data.CsvBatch> {
    return { [Symbol.asyncIterator]: () => this.pass('train', this.o.batchSize, this.o.shuffleBufferSize, this.trainPasses++, this.progress) };
  }

  /** The validation rows (none when validation is 0), in file order. */
  get validation(): AsyncIterable<nn.data.CsvBatch> | undefined {
    if (!(this.o.validation > 0)) return undefined;
    return { [Symbol.asyncIterator]: () => this.pass('validation', 1024, 0, 0, { bytes: 0, totalBytes: undefined }) };
  }

  /** One split in file order, for scoring. */
  scoring(part: Part): AsyncIterable<nn.data.CsvBatch> {
    return { [Symbol.asyncIterator]: () => this.pass(part, 1024, 0, 0, { bytes: 0, totalBytes: undefined }) };
  }

  /** Whether later passes read the cache (it is written by the first training pass). */
  get caching(): boolean {
    return this.dir !== undefined;
  }

  /** Delete the row cache. */
  dispose(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  private async *pass(part: Part, batchSize: number, shuffleBufferSize: number, pass: number, progress: nn.data.ByteProgress): AsyncGenerator<nn.data.CsvBatch> {
    const o = this.o;
    const pre = o.preprocessing;
    const batch = (xs: Float32Array, ys: Float32Array | Int32Array, rows: number): nn.data.CsvBatch => ({
      xs: nn.tensor2d(xs, [rows, pre.inputUnits]),
      ys: pre.task === 'classification' ? (ys instanceof Int32Array ? ys : Int32Array.from(ys)) : nn.tensor2d(ys as Float32Array, [rows, 1]),
    });
    if (this.cached[part] !== undefined) {
      for (const b of cachedBatches(this.cache[part]!, pre.inputUnits, 1, { batchSize, shuffleBufferSize, seed: o.seed, pass }, progress)) yield batch(b.x, b.y, b.rows);
      this.read.cacheBytes += progress.bytes;
      this.read.cachePasses++;
      return;
    }
    // The first parse fills the caches of both splits; a pass that fails or stops early leaves them unused.
    const fill = this.dir && this.cached.train === undefined ? this.cache : undefined;
    const job: WorkerJob = { csvWorker: true, kind: 'parse', file: this.file, label: o.label, split: { share: o.validation, seed: o.seed }, preprocessing: pre, part, batchSize, shuffleBufferSize, seed: o.seed, pass, ...(fill ? { cacheTo: fill } : {}) };
    let done: Extract<WorkerMessage, { done: true }> | undefined;
    for await (const m of messages(spawnWorker(job))) {
      progress.bytes = m.bytes;
      progress.totalBytes = m.total;
      if ('done' in m) done = m;
      else yield batch(m.xs, m.ys, m.rows);
    }
    if (!done) return;
    this.read.csvBytes += done.bytes;
    this.read.parsePasses++;
    Object.assign(this.cached, done.cached);
  }
}

function spawnWorker(job: WorkerJob): Worker {
  return new Worker(new URL(import.meta.url), {
    workerData: job,
    // Its live data is a read chunk, the parser's records and a few batches (a few MiB): small
    // heap limits make V8 collect the garbage early instead of letting the heap grow with the file.
    resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 64 },
  });
}

/** A worker's batches and its final message, in order; its error as a CsvError when it was one. Ends (and stops the worker) when the consumer stops. */
async function* messages(worker: Worker): AsyncGenerator<Extract<WorkerMessage, { bytes: number; xs: Float32Array }> | Extract<WorkerMessage, { done: true }>> {
  const queue: WorkerMessage[] = [];
  let wake: (() => void) | undefined;
  let exitError: Error | undefined;
  worker.on('message', (m: WorkerMessage) => { queue.push(m); wake?.(); });
  worker.on('error', (e: Error) => { exitError = e; wake?.(); });
  worker.on('exit', (code) => { exitError ??= new Error(`the CSV worker exited with code ${code} before the end of the pass`); wake?.(); });
  try {
    for (;;) {
      while (queue.length === 0) {
        if (exitError) throw exitError;
        await new Promise<void>((r) => { wake = r; });
      }
      const m = queue.shift()!;
      if ('error' in m) throw workerError(m.error);
      if ('done' in m) return yield m;
      if (!('xs' in m)) continue;
      worker.postMessage(0); // one batch consumed: the worker may read ahead another
      yield m;
    }
  } finally {
    await worker.terminate();
  }
}

function workerError(e: { name?: string; message: string; line?: number; column?: string }): Error {
  return e.name === 'CsvError' ? new nn.data.CsvError(e.message, e.line, e.column) : new Error(e.message);
}
