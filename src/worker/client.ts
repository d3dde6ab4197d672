/**
 * The main-thread side: a WorkerModel forwards fit/predict/evaluate/getWeights to a model that
 * lives in a worker, so training never blocks the page. Logs stream back as the worker trains.
 */
import type { Logs } from '../callbacks.js';
import type { History, WeightTensor } from '../model/sequential.js';
import { Tensor2D, toTensor, type Tensor2DLike } from '../tensor.js';
import { toEndpoint, type MessageEndpoint, type Port } from './endpoint.js';
import type { Dataset } from '../model/dataset.js';
import { postableSpec, type ModelSpec, type PlainTensor, type Reply, type WorkerFitArgs, type WorkerFitDatasetArgs } from './protocol.js';
import { DatasetServer } from './remote-dataset.js';

/** Options of {@link WorkerModel.fit}: the worker-side fit options plus main-thread callbacks. */
export interface WorkerModelFitArgs extends Omit<WorkerFitArgs, 'validationData'> {
  validationData?: [Tensor2DLike, Tensor2DLike];
  /** Called on the main thread after each epoch; `weights` is set every `weightsEvery` epochs. */
  onEpochEnd?: (epoch: number, logs: Logs, weights?: WeightTensor[]) => void;
  /** Called on the main thread after each batch (this posts one message per batch). */
  onBatchEnd?: (batch: number, logs: Logs) => void;
}

/** Options of {@link WorkerModel.fitDataset}: fitDataset's options (datasets stay on this thread) plus main-thread callbacks. */
export interface WorkerModelFitDatasetArgs extends Omit<WorkerFitDatasetArgs, 'validationData' | 'oneShot'> {
  validationData?: [Tensor2DLike, Tensor2DLike] | Dataset;
  onEpochEnd?: (epoch: number, logs: Logs, weights?: WeightTensor[]) => void;
  onBatchEnd?: (batch: number, logs: Logs) => void;
}

const isBatchLike = (v: unknown): boolean => !!v && typeof v === 'object' && !Array.isArray(v) && 'xs' in v && 'ys' in v;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onEpoch?: (epoch: number, logs: Logs, weights?: WeightTensor[]) => void;
  onBatch?: (batch: number, logs: Logs) => void;
  onPull?: (stream: number, action: 'open' | 'next' | 'close') => void;
}

/**
 * Flat labels (class ids, or one binary target per row) as an [n, 1] tensor for posting. The worker
 * sees them only after float32 rounding, which would turn 1.00000001 into class id 1: so a value
 * within 1e-4 of an integer must be exactly that integer (a binary target such as 0.3 passes).
 */
export function flatLabels(y: readonly number[], what: string): Tensor2D {
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (typeof v === 'number' && v !== Math.round(v) && Math.abs(v - Math.round(v)) < 1e-4) {
      throw new Error(`${what}: label ${i} is ${v}, within ${Math.abs(v - Math.round(v)).toExponential(1)} of ${Math.round(v)} but not equal: class ids must be integers (float32 rounding would make it ${Math.round(v)})`);
    }
  }
  return toTensor(y.map((v) => [v]), what);
}

const plain = (x: Tensor2DLike | number[], what: string): PlainTensor => {
  const t = Array.isArray(x) && typeof x[0] === 'number' ? flatLabels(x as number[], what) : toTensor(x as Tensor2DLike, what);
  return { shape: t.shape, data: t.data };
};
const named = (ws: PlainTensor[]): WeightTensor[] => ws.map((w, i) => ({ name: `weight_${i}`, shape: w.shape, data: w.data }));

/**
 * A model trained in a worker. Every method returns a Promise; requests run in order inside
 * the worker, except `stop()`, which takes effect at the end of the current epoch.
 */
export class WorkerModel {
  private readonly port: Port;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  /** `url`: where the worker script was loaded from, when {@link createWorkerModel} made the Worker. */
  constructor(private readonly worker: MessageEndpoint, url?: string | URL) {
    this.port = toEndpoint(worker);
    this.port.listen((reply: Reply) => this.receive(reply));
    // A worker that fails to load (bad URL, syntax error) rejects everything waiting on it.
    (worker as { addEventListener?: (t: string, f: (e: { message?: string }) => void) => void }).addEventListener?.('error', (e) => {
      const hint = url === undefined ? '' :
        ` (from ${String(url)}). Under a bundler (Vite, webpack), pass new Worker(new URL('./train-worker.js', import.meta.url), { type: 'module' }) ` +
        'instead of a URL, so the bundler bundles the worker script with wasm-mlp; see docs/browser.md';
      const error = new Error(`worker failed: ${e.message ?? 'could not load the worker script'}${hint}`);
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    });
  }

  private receive(reply: Reply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    if (reply.type === 'epoch') p.onEpoch?.(reply.epoch, reply.logs, reply.weights && named(reply.weights));
    else if (reply.type === 'batch') p.onBatch?.(reply.batch, reply.logs);
    else if (reply.type === 'pull') p.onPull?.(reply.stream, reply.action);
    else {
      this.pending.delete(reply.id);
      if (reply.type === 'result') p.resolve(reply.value);
      else p.reject(new Error(reply.message));
    }
  }

  private request<T>(message: Record<string, unknown>, extra: Partial<Pending> = {}, id = this.nextId++): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, ...extra });
      this.port.post({ id, ...message }, []);
    });
  }

  /** Create (or replace) the worker's model. Resolves with the backend in use and the parameter count. */
  init(spec: ModelSpec): Promise<{ backend: string; params: number; summary: string }> {
    return this.request({ op: 'init', spec: postableSpec(spec) });
  }

  /** Train in the worker; epoch (and optionally batch) logs arrive through the callbacks. */
  fit(x: Tensor2DLike, y: Tensor2DLike | number[], args: WorkerModelFitArgs = {}): Promise<History> {
    const { onEpochEnd, onBatchEnd, validationData, ...rest } = args;
    const workerArgs: WorkerFitArgs = { ...rest, batchLogs: rest.batchLogs ?? onBatchEnd !== undefined };
    if (validationData) workerArgs.validationData = [plain(validationData[0], 'fit validationData x'), plain(validationData[1], 'fit validationData y')];
    return this.request({ op: 'fit', x: plain(x, 'fit x'), y: plain(y, 'fit y'), args: workerArgs }, { onEpoch: onEpochEnd, onBatch: onBatchEnd });
  }

  /**
   * Train in the worker on a dataset that stays on this thread (a generator, `nn.data.csv`, a
   * tf.data Dataset): the worker pulls one batch at a time, so memory stays bounded by a batch and
   * the page only reads data. Options and results as `model.fitDataset`; `validationData` is
   * [x, y] or a dataset. A batch the dataset cannot produce (a bad CSV row) rejects the fit with
   * its message; the worker's weights are those after the previous batch.
   */
  async fitDataset(dataset: Dataset, args: WorkerModelFitDatasetArgs = {}): Promise<History> {
    const { onEpochEnd, onBatchEnd, validationData, ...rest } = args;
    const id = this.nextId++;
    const answer = (stream: number) => (a: object, transfer: ArrayBuffer[]) => this.port.post({ id, op: 'batch', stream, ...a }, transfer);
    const streams = [new DatasetServer(dataset, 'fitDataset', answer(0))];
    const workerArgs: WorkerFitDatasetArgs = { ...rest, batchLogs: rest.batchLogs ?? onBatchEnd !== undefined, oneShot: streams[0]!.oneShot };
    if (Array.isArray(validationData) && validationData.length === 2 && !isBatchLike(validationData[0])) {
      workerArgs.validationData = [plain(validationData[0] as Tensor2DLike, 'fitDataset validationData x'), plain(validationData[1] as Tensor2DLike, 'fitDataset validationData y')];
    } else if (validationData !== undefined) {
      streams.push(new DatasetServer(validationData as Dataset, 'fitDataset validationData', answer(1)));
      workerArgs.validationData = 'dataset';
    }
    try {
      return await this.request<History>({ op: 'fitDataset', args: workerArgs }, { onEpoch: onEpochEnd, onBatch: onBatchEnd, onPull: (s, action) => streams[s]?.pull(action) }, id);
    } finally {
      await Promise.all(streams.map((s) => s.close()));
    }
  }

  /** Ask a running fit to finish after its current epoch (its Promise then resolves normally). */
  stop(): Promise<void> {
    return this.request({ op: 'stop' });
  }

  async predict(x: Tensor2DLike): Promise<Tensor2D> {
    const out = await this.request<PlainTensor>({ op: 'predict', x: plain(x, 'predict x') });
    return new Tensor2D(out.data, [out.shape[0]!, out.shape[1]!]);
  }

  evaluate(x: Tensor2DLike, y: Tensor2DLike | number[]): Promise<{ loss: number; accuracy?: number; [metric: string]: number | undefined }> {
    return this.request({ op: 'evaluate', x: plain(x, 'evaluate x'), y: plain(y, 'evaluate y') });
  }

  /** Copies of the worker model's weights, in the order of `Sequential.getWeights()`. */
  async getWeights(): Promise<WeightTensor[]> {
    return named(await this.request<PlainTensor[]>({ op: 'getWeights' }));
  }

  setWeights(weights: ArrayLike<{ shape: readonly number[]; data: ArrayLike<number> }>): Promise<void> {
    const ws = Array.from(weights, (w) => ({ shape: [...w.shape], data: Float32Array.from(w.data) }));
    return this.request({ op: 'setWeights', weights: ws });
  }

  /** Free the worker's model (the worker keeps running). */
  dispose(): Promise<void> {
    return this.request({ op: 'dispose' });
  }

  /** Stop the worker thread; pending requests are rejected. */
  terminate(): void {
    for (const p of this.pending.values()) p.reject(new Error('the worker was terminated'));
    this.pending.clear();
    this.worker.terminate?.();
  }
}

/**
 * Start (or wrap) a worker that runs `serveWorker()` and return a WorkerModel talking to it.
 *
 * @param workerOrUrl a Worker (browser or Node worker_threads) already running a script that
 *   calls `nn.worker.serveWorker()`, or that script's URL (a module worker is started with it).
 * @example
 * const wm = nn.worker.createWorkerModel(new URL('./train-worker.js', import.meta.url));
 * await wm.init({ layers: [{ type: 'dense', units: 8, activation: 'tanh', inputShape: [2] },
 *                          { type: 'dense', units: 1, activation: 'sigmoid' }],
 *                 compile: { optimizer: { name: 'adam', learningRate: 0.03 }, loss: 'binaryCrossentropy' } });
 * await wm.fit(x, y, { epochs: 100, onEpochEnd: (e, logs) => console.log(e, logs.loss) });
 */
export function createWorkerModel(workerOrUrl: MessageEndpoint | string | URL): WorkerModel {
  if (typeof workerOrUrl === 'string' || workerOrUrl instanceof URL) {
    const W = (globalThis as { Worker?: new (url: string | URL, options?: { type: 'module' }) => MessageEndpoint }).Worker;
    if (!W) throw new Error('createWorkerModel: this environment has no global Worker; pass a worker_threads Worker instead of a URL');
    return new WorkerModel(new W(workerOrUrl, { type: 'module' }), workerOrUrl);
  }
  return new WorkerModel(workerOrUrl);
}
