/**
 * The worker side: `serveWorker()` answers WorkerModel requests with a real Sequential model.
 * It touches no DOM or Node API itself; the endpoint (a worker's global scope, or Node's
 * `parentPort`) is passed in.
 */
import { ready, setBackend } from '../backend/index.js';
import * as layers from '../layers/index.js';
import { Sequential } from '../model/sequential.js';
import * as optimizers from '../optimizers/index.js';
import { LearningRateSchedule, scheduleFromConfig } from '../optimizers/schedules.js';
import { Tensor2D, toTensor, type Tensor2DLike } from '../tensor.js';
import { toEndpoint, type MessageEndpoint } from './endpoint.js';
import type { ModelSpec, PlainTensor, Reply, Request } from './protocol.js';
import { RemoteDatasets } from './remote-dataset.js';


/** Build (but do not train) the Sequential model a ModelSpec describes. */
export function modelFromSpec(spec: ModelSpec): Sequential {
  if (!spec || !Array.isArray(spec.layers)) throw new Error('modelFromSpec: expected { layers: [...], compile: {...} }');
  const model = new Sequential(spec.seed === undefined ? {} : { seed: spec.seed });
  for (const { type, ...options } of spec.layers) {
    const cls: layers.LayerClass | undefined = Object.hasOwn(layers.layerFactoryNames, type) ? layers.layerFactoryNames[type] : undefined;
    if (!cls) throw new Error(`modelFromSpec: unknown layer type '${type}'; expected one of ${Object.keys(layers.layerFactoryNames).join(', ')}`);
    model.add(new cls(options as never));
  }
  const opt = spec.compile.optimizer;
  let optimizer: optimizers.OptimizerName | optimizers.Optimizer = opt as optimizers.OptimizerName;
  if (typeof opt === 'object' && opt !== null) {
    const { name, ...options } = opt;
    // A schedule arrives as its Keras config (see postableSpec).
    const rate = options.learningRate;
    if (rate !== null && typeof rate === 'object' && !(rate instanceof LearningRateSchedule)) options.learningRate = scheduleFromConfig(rate, 'modelFromSpec: compile.optimizer.learningRate');
    optimizer = optimizers.optimizerByName(String(name), options, 'modelFromSpec');
  }
  model.compile({ optimizer, loss: spec.compile.loss, metrics: spec.compile.metrics ?? [] });
  return model;
}

/** A posted tensor, checked as strictly as the Tensor2D constructor (shape [rows, cols], a live Float32Array of rows × cols). */
const tensor = (t: PlainTensor, what: string): Tensor2D => toTensor(t as unknown as Tensor2DLike, `worker ${what}`);

/**
 * Answer WorkerModel requests on `endpoint` (default: the worker's global scope). Call it once
 * in the worker script:
 *
 *   import * as nn from './wasm-mlp.js';
 *   nn.worker.serveWorker();                                  // browser Web Worker
 *   nn.worker.serveWorker((await import('node:worker_threads')).parentPort); // Node
 */
export function serveWorker(endpoint?: MessageEndpoint): void {
  const port = toEndpoint(endpoint ?? (globalThis as unknown as MessageEndpoint));
  let model: Sequential | undefined;
  const post = (reply: Reply, transfer: ArrayBufferLike[] = []) => port.post(reply, transfer);
  const need = (): Sequential => {
    if (!model) throw new Error('the worker has no model yet: call init(spec) first');
    return model;
  };
  const copyWeights = (m: Sequential): PlainTensor[] => m.getWeights().map((w) => ({ shape: w.shape, data: w.data }));
  /** Epoch logs (with weights every `weightsEvery` epochs) and, if asked, batch logs, posted as they come. */
  const logCallbacks = (id: number, m: Sequential, weightsEvery: number, batchLogs: boolean | undefined) => ({
    onEpochEnd: (epoch: number, logs: Record<string, number> = {}) => {
      const withWeights = weightsEvery > 0 && (epoch + 1) % weightsEvery === 0;
      const weights = withWeights ? copyWeights(m) : undefined;
      post({ id, type: 'epoch', epoch, logs, ...(weights ? { weights } : {}) }, weights ? weights.map((w) => w.data.buffer) : []);
    },
    ...(batchLogs ? { onBatchEnd: (batch: number, logs: Record<string, number> = {}) => post({ id, type: 'batch', batch, logs }) } : {}),
  });
  const remotes = new Map<number, RemoteDatasets>();

  const handle = async (req: Request): Promise<[unknown, ArrayBufferLike[]]> => {
    switch (req.op) {
      case 'init': {
        if (req.spec.backend) await setBackend(req.spec.backend, req.spec.backendOptions);
        else await ready();
        model?.dispose();
        model = modelFromSpec(req.spec);
        model.getWeights(); // build now, so init reports bad specs and the backend in use
        return [{ backend: model.backendName, params: model.countParams(), summary: model.summary() }, []];
      }
      case 'fit': {
        const m = need();
        const { batchLogs, weightsEvery = 0, validationData, ...args } = req.args;
        const history = await m.fit(tensor(req.x, 'fit x'), tensor(req.y, 'fit y'), {
          ...args,
          ...(validationData ? { validationData: [tensor(validationData[0], 'fit validationData x'), tensor(validationData[1], 'fit validationData y')] } : {}),
          callbacks: logCallbacks(req.id, m, weightsEvery, batchLogs),
        });
        return [history, []];
      }
      case 'fitDataset': {
        const m = need();
        const { batchLogs, weightsEvery = 0, validationData, oneShot, ...args } = req.args;
        const remote = new RemoteDatasets(req.id, (r) => post(r));
        remotes.set(req.id, remote);
        try {
          const history = await m.fitDataset(remote.dataset(0, oneShot ?? false), {
            ...args,
            ...(validationData === 'dataset' ? { validationData: remote.dataset(1, false) } : validationData ? { validationData: [tensor(validationData[0], 'fitDataset validationData x'), tensor(validationData[1], 'fitDataset validationData y')] } : {}),
            callbacks: logCallbacks(req.id, m, weightsEvery, batchLogs),
          });
          return [history, []];
        } finally {
          remotes.delete(req.id);
        }
      }
      case 'predict': {
        const out = need().predict(tensor(req.x, 'predict x'));
        return [{ shape: out.shape, data: out.data }, [out.data.buffer]];
      }
      case 'evaluate':
        return [need().evaluate(tensor(req.x, 'evaluate x'), tensor(req.y, 'evaluate y')), []];
      case 'getWeights': {
        const ws = copyWeights(need());
        return [ws, ws.map((w) => w.data.buffer)];
      }
      case 'setWeights':
        need().setWeights(req.weights);
        return [undefined, []];
      case 'stop':
        if (model) model.stopTraining = true;
        return [undefined, []];
      case 'dispose':
        model?.dispose();
        model = undefined;
        return [undefined, []];
      default:
        throw new Error(`unknown request ${JSON.stringify((req as { op: unknown }).op)}`);
    }
  };

  port.listen((req: Request) => {
    // A batch answers a running fitDataset's pull; it gets no reply of its own.
    if (req.op === 'batch') return void remotes.get(req.id)?.receive(req);
    handle(req).then(
      ([value, transfer]) => post({ id: req.id, type: 'result', value }, transfer),
      (e: unknown) => post({ id: req.id, type: 'error', message: e instanceof Error ? e.message : String(e) }),
    );
  });
}
