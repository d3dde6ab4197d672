/**
 * Parsing in a worker thread, so it overlaps training: the worker reads and encodes the CSV
 * (nn.data.csv) and posts ready batches (buffers transferred, not copied) to the training thread,
 * at most IN_FLIGHT ahead. The slower of the two sets the pace instead of their sum.
 * The worker imports the library bundle beside the CLI's (dist/node/index.js).
 */
import { Worker } from 'node:worker_threads';
import * as nn from '../index.js';

const IN_FLIGHT = 4;

export interface WorkerCsvOptions {
  label: string;
  preprocessing: nn.data.Preprocessing;
  batchSize: number;
  shuffleBufferSize?: number;
  seed?: number;
  /** Rows kept: the seeded hash split (nn.data.splitRows) — functions cannot cross to a worker. */
  split?: { share: number; seed: number; take: 'train' | 'validation' };
}

const workerSource = `
import { parentPort, workerData } from 'node:worker_threads';
const nn = await import(workerData.lib);
const { split, ...opts } = workerData.options;
let inFlight = 0, wake;
parentPort.on('message', () => { inFlight--; wake?.(); });
try {
  const isVal = split && nn.data.splitRows(split.share, split.seed);
  const filter = split && (split.take === 'validation' ? isVal : (r) => !isVal(r));
  if (workerData.fit) {
    const progress = { bytes: 0, totalBytes: undefined };
    const tick = setInterval(() => parentPort.postMessage({ progress }), 200);
    const pre = await nn.data.fitPreprocessing(workerData.file, { ...opts, ...(filter ? { filter } : {}), progress });
    clearInterval(tick);
    parentPort.postMessage({ pre, bytes: progress.bytes, total: progress.totalBytes });
    process.exit(0);
  }
  const ds = nn.data.csv(workerData.file, { ...opts, ...(filter ? { filter } : {}) });
  for await (const b of ds) {
    const ys = b.ys instanceof Int32Array ? b.ys : b.ys.data;
    parentPort.postMessage({ xs: b.xs.data, rows: b.xs.rows, cols: b.xs.cols, ys, yCols: b.ys instanceof Int32Array ? 0 : b.ys.cols, bytes: ds.progress.bytes, total: ds.progress.totalBytes }, [b.xs.data.buffer, ys.buffer]);
    if (++inFlight >= ${IN_FLIGHT}) await new Promise((r) => { wake = r; });
  }
  parentPort.postMessage({ done: true, bytes: ds.progress.bytes, total: ds.progress.totalBytes });
} catch (e) {
  parentPort.postMessage({ error: { name: e?.name, message: String(e?.message ?? e), line: e?.line, column: e?.column } });
}
`;

type Message =
  | { progress: nn.data.ByteProgress }
  | { pre: nn.data.Preprocessing; bytes: number; total: number | undefined }
  | { xs: Float32Array; rows: number; cols: number; ys: Int32Array | Float32Array; yCols: number; bytes: number; total: number | undefined }
  | { done: true; bytes: number; total: number | undefined }
  | { error: { name?: string; message: string; line?: number; column?: string } };

/** nn.data.fitPreprocessing in a worker thread (its heap, not the training thread's, holds the pass's garbage). */
export async function fitInWorker(file: string, options: Omit<nn.data.CsvOptions, 'filter' | 'preprocessing'> & { split?: WorkerCsvOptions['split'] }, progress: nn.data.ByteProgress): Promise<nn.data.Preprocessing> {
  const worker = spawnWorker({ fit: true, file, options });
  try {
    return await new Promise<nn.data.Preprocessing>((resolve, reject) => {
      worker.on('message', (m: Message) => {
        if ('error' in m) reject(m.error.name === 'CsvError' ? new nn.data.CsvError(m.error.message, m.error.line, m.error.column) : new Error(m.error.message));
        else if ('pre' in m) {
          progress.bytes = m.bytes;
          progress.totalBytes = m.total;
          resolve(m.pre);
        } else if ('progress' in m) Object.assign(progress, m.progress);
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`the CSV worker exited with code ${code}`)));
    });
  } finally {
    await worker.terminate();
  }
}

function spawnWorker(workerData: object): Worker {
  const lib = new URL('../node/index.js', import.meta.url).href;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(workerSource)}`), {
    workerData: { lib, ...workerData },
    // Its live data is a read chunk, the parser's records and a few batches (a few MiB): small
    // heap limits make V8 collect the garbage early instead of letting the heap grow with the file.
    resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 64 },
  });
}

/** A dataset like nn.data.csv's whose parsing runs in a worker thread; one worker per pass. */
export class WorkerCsvDataset implements AsyncIterable<nn.data.CsvBatch> {
  readonly progress: nn.data.ByteProgress = { bytes: 0, totalBytes: undefined };
  constructor(private readonly file: string, private readonly options: WorkerCsvOptions) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<nn.data.CsvBatch> {
    const worker = spawnWorker({ file: this.file, options: this.options });
    const queue: Message[] = [];
    let wake: (() => void) | undefined;
    let exitError: Error | undefined;
    worker.on('message', (m: Message) => { queue.push(m); wake?.(); });
    worker.on('error', (e: Error) => { exitError = e; wake?.(); });
    worker.on('exit', (code) => { if (code !== 0) exitError ??= new Error(`the CSV worker exited with code ${code}`); wake?.(); });
    try {
      for (;;) {
        while (queue.length === 0) {
          if (exitError) throw exitError;
          await new Promise<void>((r) => { wake = r; });
        }
        const m = queue.shift()!;
        if ('error' in m) {
          if (m.error.name === 'CsvError') throw new nn.data.CsvError(m.error.message, m.error.line, m.error.column);
          throw new Error(m.error.message);
        }
        if ('progress' in m || 'pre' in m) continue;
        this.progress.bytes = m.bytes;
        this.progress.totalBytes = m.total;
        if ('done' in m) return;
        worker.postMessage(0); // one batch consumed: the worker may read ahead another
        const xs = nn.tensor2d(m.xs, [m.rows, m.cols]);
        yield { xs, ys: m.yCols === 0 ? (m.ys as Int32Array) : nn.tensor2d(m.ys as Float32Array, [m.rows, m.yCols]) };
      }
    } finally {
      await worker.terminate();
    }
  }
}
