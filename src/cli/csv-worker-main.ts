/**
 * The worker-thread side of `train --stream` (./csv-worker.ts starts it from the CLI bundle itself):
 * a job is one pass over the data, posting batches (buffers transferred, not copied) at most
 * IN_FLIGHT ahead of the training thread.
 *   fit:   nn.data.fitPreprocessing on the training rows (the statistics pass);
 *   parse: read and encode the CSV once, post one split's batches, and write the encoded rows of
 *          each split to a row cache (./row-cache.ts) on the way (passes over the cache run in the
 *          training thread: they need no parsing).
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as nn from '../index.js';
import { RowBatcher, passRng, type RawBatch, type RowWriter } from '../data/batcher.js';
import { CHUNK_ROWS, RowCacheWriter } from './row-cache.js';

const IN_FLIGHT = 4;

export type Part = 'train' | 'validation';

export interface WorkerJob {
  csvWorker: true;
  kind: 'fit' | 'parse';
  file: string;
  label: string;
  /** The seeded hash split (nn.data.splitRows): functions cannot cross to a worker. */
  split: { share: number; seed: number };
  /** fit: the statistics' options. */
  fit?: { task?: nn.data.Task; categorical?: string[] };
  /** parse: */
  preprocessing?: nn.data.Preprocessing;
  part?: Part;
  batchSize?: number;
  shuffleBufferSize?: number;
  seed?: number;
  /** Which pass over this split (each shuffles differently). */
  pass?: number;
  /** Write each split's encoded rows here. */
  cacheTo?: Partial<Record<Part, string>>;
}

export type WorkerMessage =
  | { progress: nn.data.ByteProgress }
  /** rows: every data row, both splits. */
  | { pre: nn.data.Preprocessing; rows: number; bytes: number; total: number | undefined }
  | { xs: Float32Array; rows: number; cols: number; ys: Int32Array | Float32Array; yCols: number; bytes: number; total: number | undefined }
  | { done: true; bytes: number; total: number | undefined; cached: Partial<Record<Part, number>> }
  | { error: { name?: string; message: string; line?: number; column?: string } };

export function isCsvWorker(): boolean {
  return Boolean(parentPort && (workerData as WorkerJob | undefined)?.csvWorker);
}

export async function csvWorkerMain(): Promise<void> {
  const job = workerData as WorkerJob;
  const port = parentPort!;
  const send = (m: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
  let inFlight = 0;
  let wake: (() => void) | undefined;
  port.on('message', () => { inFlight--; wake?.(); });
  const isVal = nn.data.splitRows(job.split.share, job.split.seed);
  try {
    if (job.kind === 'fit') {
      const progress: nn.data.ByteProgress = { bytes: 0, totalBytes: undefined };
      const tick = setInterval(() => send({ progress }), 200);
      let rows = 0;
      const pre = await nn.data.fitPreprocessing(job.file, { label: job.label, ...job.fit, progress, filter: (r) => ++rows > 0 && !isVal(r) });
      clearInterval(tick);
      return send({ pre, rows, bytes: progress.bytes, total: progress.totalBytes });
    }
    const pre = job.preprocessing!;
    const sparse = pre.task === 'classification';
    const width = pre.inputUnits, yCols = 1;
    const batcher = new RowBatcher(width, yCols, job.batchSize!, job.shuffleBufferSize ?? 0, passRng(job.seed ?? 0, job.pass ?? 0));
    const post = async (b: RawBatch, bytes: number, total: number | undefined) => {
      const ys = sparse ? Int32Array.from(b.y) : b.y;
      send({ xs: b.x, rows: b.rows, cols: width, ys, yCols, bytes, total }, [b.x.buffer as ArrayBuffer, ys.buffer as ArrayBuffer]);
      if (++inFlight >= IN_FLIGHT) await new Promise<void>((r) => { wake = r; });
    };
    // parse: one read of the file (nn.data.csv in file order, every row) feeds the batches of one
    // split and the caches of both; the row index decides the split, as nn.data.splitRows does.
    const ds = nn.data.csv(job.file, { label: job.label, preprocessing: pre, batchSize: CHUNK_ROWS });
    const caches: Partial<Record<Part, RowCacheWriter>> = {};
    for (const p of ['train', 'validation'] as const) {
      const path = job.cacheTo?.[p];
      if (path) caches[p] = new RowCacheWriter(path, width, yCols);
    }
    let xs: Float32Array, ys: Float32Array | Int32Array, i = 0, row = 0;
    const copy: RowWriter = (x, xo, y, yo) => {
      x.set(xs.subarray(i * width, (i + 1) * width), xo);
      y[yo] = ys[i]!;
    };
    for await (const b of ds) {
      xs = b.xs.data;
      ys = b.ys instanceof Int32Array ? b.ys : b.ys.data;
      for (i = 0; i < b.xs.rows; i++, row++) {
        const part: Part = job.split.share > 0 && isVal(row) ? 'validation' : 'train';
        caches[part]?.appendRow(copy);
        if (part === job.part) {
          const out = batcher.add(copy);
          if (out) await post(out, ds.progress.bytes, ds.progress.totalBytes);
        }
      }
    }
    for (const b of batcher.drain()) await post(b, ds.progress.bytes, ds.progress.totalBytes);
    const cached: Partial<Record<Part, number>> = {};
    for (const [p, w] of Object.entries(caches) as [Part, RowCacheWriter][]) {
      w.close();
      cached[p] = w.rows;
    }
    send({ done: true, bytes: ds.progress.bytes, total: ds.progress.totalBytes, cached });
  } catch (e) {
    const err = e as nn.data.CsvError;
    send({ error: { name: err?.name, message: String(err?.message ?? e), ...(err?.line !== undefined ? { line: err.line } : {}), ...(err?.column !== undefined ? { column: err.column } : {}) } });
  }
}
