/**
 * WorkerModel.fitDataset: the dataset stays on the main thread (a generator, nn.data.csv, a
 * tf.data Dataset — nothing that could be posted) and the model in the worker pulls its batches
 * one at a time: the worker asks ('open' a pass, 'next' batch, 'close'), the main thread answers
 * with a copy of the batch (transferred, so the data set is never held twice). Memory stays
 * bounded by a batch on both sides.
 */
import { batchParts, checkDataset, closeIterator, isOneShot, openIterator, type Dataset } from '../model/dataset.js';
import { Tensor2D, toTensor, type Tensor2DLike } from '../tensor.js';
import type { PlainBatch, PlainTensor, Reply, Request } from './protocol.js';

type PullAction = Extract<Reply, { type: 'pull' }>['action'];
type BatchRequest = Extract<Request, { op: 'batch' }>;
type AnyIterator = Awaited<ReturnType<typeof openIterator>>;

/** Main thread: one dataset, answering the worker's pulls in order. */
export class DatasetServer {
  private it: AnyIterator | undefined;
  private batch = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly dataset: Dataset, private readonly what: string, private readonly send: (answer: Omit<BatchRequest, 'id' | 'op' | 'stream'>, transfer: ArrayBuffer[]) => void) {
    checkDataset(dataset, what);
  }

  get oneShot(): boolean {
    return isOneShot(this.dataset);
  }

  pull(action: PullAction): void {
    this.queue = this.queue.then(() => this.answer(action));
  }

  /** Close the pass in progress (when the fit ends, however it ends). */
  async close(): Promise<void> {
    await this.queue;
    await closeIterator(this.it);
    this.it = undefined;
  }

  private async answer(action: PullAction): Promise<void> {
    try {
      if (action !== 'next') {
        await closeIterator(this.it);
        this.it = undefined;
        this.batch = 0;
        return;
      }
      this.it ??= await openIterator(this.dataset, this.what);
      const r = await this.it.next();
      if (r.done) return this.send({ done: true }, []);
      const value = plainBatch(r.value, `${this.what}: batch ${++this.batch} of the pass`);
      this.send({ value }, [value.xs.data.buffer as ArrayBuffer, value.ys.data.buffer as ArrayBuffer, ...(value.sampleWeight ? [value.sampleWeight.buffer as ArrayBuffer] : [])]);
    } catch (e) {
      this.send({ error: e instanceof Error ? e.message : String(e) }, []);
    }
  }
}

/** A batch as copies of its data (so transferring them leaves the caller's arrays alone). */
function plainBatch(value: unknown, what: string): PlainBatch {
  let parts: ReturnType<typeof batchParts>;
  try {
    parts = batchParts(value);
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}`);
  }
  const out: PlainBatch = { xs: plainTensor(parts.xs, false, `${what}: xs`), ys: plainTensor(parts.ys, true, `${what}: ys`) };
  // Weights are checked where they are used (the worker's fitDataset); here they are only copied.
  if (parts.sampleWeight !== undefined) out.sampleWeight = plainTensor(parts.sampleWeight, true, `${what}: sampleWeight`).data;
  return out;
}

function plainTensor(v: unknown, target: boolean, what: string): PlainTensor {
  const t = v as { shape?: unknown; dataSync?: () => ArrayLike<number> };
  if (t && typeof t === 'object' && typeof t.dataSync === 'function' && Array.isArray(t.shape)) {
    const shape = t.shape as number[];
    if (shape.length === 1 && target) return { shape: [shape[0]!, 1], data: Float32Array.from(t.dataSync()) };
    if (shape.length !== 2) throw new Error(`${what}: expected a 2-D tensor${target ? ' (or 1-D class ids)' : ''}, got a tensor of shape [${shape}]`);
    return { shape: [shape[0]!, shape[1]!], data: Float32Array.from(t.dataSync()) };
  }
  // Class ids or one target per row, flat: a column.
  if (target && (ArrayBuffer.isView(v) || (Array.isArray(v) && typeof v[0] === 'number'))) {
    const flat = v as ArrayLike<number>;
    return { shape: [flat.length, 1], data: Float32Array.from(flat) };
  }
  const x = toTensor(v as Tensor2DLike, what);
  return { shape: [x.rows, x.cols], data: x.data.slice() };
}

/** Worker: a dataset whose batches come from the main thread, as `pull` replies. */
export class RemoteDatasets {
  private readonly waiting = new Map<number, { resolve(r: IteratorResult<{ xs: Tensor2D; ys: Tensor2D; sampleWeight?: Float32Array }>): void; reject(e: Error): void }>();

  constructor(private readonly id: number, private readonly post: (reply: Reply) => void) {}

  /** Stream `stream` as a dataset: re-iterable (each pass opens a new one on the main thread), or one-shot like its source. */
  dataset(stream: number, oneShot: boolean): Dataset {
    const pull = (action: PullAction) => this.post({ id: this.id, type: 'pull', stream, action });
    const iterator = {
      next: () => new Promise<IteratorResult<{ xs: Tensor2D; ys: Tensor2D; sampleWeight?: Float32Array }>>((resolve, reject) => {
        this.waiting.set(stream, { resolve, reject });
        pull('next');
      }),
      return: async () => {
        pull('close');
        return { done: true as const, value: undefined };
      },
    };
    if (oneShot) return Object.assign(iterator, { [Symbol.asyncIterator]: () => iterator }) as unknown as Dataset;
    return {
      [Symbol.asyncIterator]: () => {
        pull('open');
        return iterator;
      },
    } as Dataset;
  }

  /** A main-thread answer to the stream's pending `next`. */
  receive(answer: BatchRequest): void {
    const w = this.waiting.get(answer.stream);
    if (!w) return;
    this.waiting.delete(answer.stream);
    if (answer.error !== undefined) w.reject(new Error(answer.error));
    else if (answer.done || !answer.value) w.resolve({ done: true, value: undefined });
    else {
      const { xs, ys, sampleWeight } = answer.value;
      const value = { xs: toTensor(xs as unknown as Tensor2DLike, 'worker batch xs'), ys: toTensor(ys as unknown as Tensor2DLike, 'worker batch ys') };
      w.resolve({ done: false, value: sampleWeight ? { ...value, sampleWeight } : value });
    }
  }
}
