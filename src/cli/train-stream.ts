/**
 * `wasm-mlp train --stream` (automatic for large files): the file is never read whole. One
 * streaming pass fits the preprocessing (nn.data.fitPreprocessing) on the training rows, then
 * model.fitDataset reads it again each epoch through nn.data.csv with a shuffle buffer, so memory
 * is bounded by the batch and the buffer. Training and validation rows are split by a seeded hash
 * of the row number (no row list to hold). Progress is shown by bytes. Also the pieces both train
 * paths share: backend choice, the model, the run description, saving. The first epoch caches the
 * encoded rows on disk (./row-cache.ts), so the text is parsed twice in all, whatever the epochs.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as nn from '../index.js';
import type { Preprocessing, Task } from '../data/index.js';
import { UserError } from './errors.js';
import { metricDeclaration } from '../metrics.js';
import { PREPROCESSING_FILE } from './model-files.js';
import { byteProgress, formatLogs } from './progress.js';
import { StreamedCsv, fitInWorker } from './csv-worker.js';
import { freeBytes } from './row-cache.js';
import { RegressionScore, fmtNum } from './util.js';
import { describeClassWeight, parseClassWeight, parseLrSchedule } from './schedule-flags.js';

export interface TrainSpec {
  file: string; label: string; out: string; layers: number[]; activation: string; optimizerName: string; lr: number;
  epochs: number; batchSize: number; validation: number; patience: number | undefined; seed: number;
  task: Task | undefined; categorical: string[]; quiet: boolean;
  /** Where `train --stream` caches the encoded rows: a directory, 'off', or undefined for the OS temp dir. */
  cacheDir?: string | undefined;
  /** A batchNormalization after each hidden dense layer (--batch-norm). */
  batchNorm?: boolean;
  /** Extra compile() metrics (--metrics), besides accuracy for classification. */
  metrics?: string[];
  /** --lr-schedule as given (see schedule-flags.ts). */
  lrSchedule?: string;
  /** --class-weight as given (streaming takes <label>=<weight>,… only: balanced needs the class counts). */
  classWeight?: string | undefined;
}

/** Whether a classifier needs one-hot targets (and categorical cross-entropy) for the --metrics asked: precision, recall, auc, … read targets shaped like the outputs. */
export function needsOneHot(spec: TrainSpec): boolean {
  return (spec.metrics ?? []).some((m) => metricDeclaration(m)?.targets === 'dense');
}

/** The reduceLROnPlateau callback `--lr-schedule plateau…` asks for, on val_loss (loss without validation). */
export function plateauCallback(spec: TrainSpec, validation: boolean): nn.callbacks.Callback[] {
  const { plateau } = parseLrSchedule(spec.lrSchedule, spec.lr);
  return plateau ? [nn.callbacks.reduceLROnPlateau({ ...plateau, monitor: validation ? 'val_loss' : 'loss' })] : [];
}

export function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0; // the reader names the missing file
  }
}

export async function selectBackend(backend: 'wasm' | 'js' | undefined, threads: number | undefined): Promise<void> {
  if (backend) await nn.setBackend(backend, threads ? { threads } : {});
  else if (threads) await nn.setBackend('wasm', { threads });
  else await nn.ready();
}

export function buildModel(spec: TrainSpec, pre: Preprocessing): nn.Sequential {
  const classification = pre.task === 'classification';
  const model = nn.sequential({ seed: spec.seed });
  const outUnits = classification ? pre.classes!.length : 1;
  [...spec.layers, outUnits].forEach((units, i) => {
    const last = i === spec.layers.length;
    model.add(nn.layers.dense({
      units,
      activation: (last ? (classification ? 'softmax' : 'linear') : spec.activation) as nn.layers.ActivationName,
      ...(i === 0 ? { inputShape: [pre.inputUnits] } : {}),
    }));
    if (spec.batchNorm && !last) model.add(nn.layers.batchNormalization());
  });
  const metrics = [...(classification ? ['accuracy'] : []), ...(spec.metrics ?? [])];
  model.compile({
    optimizer: nn.optimizers.optimizerByName(spec.optimizerName as never, { learningRate: parseLrSchedule(spec.lrSchedule, spec.lr).learningRate }, 'train'),
    loss: classification ? (needsOneHot(spec) ? 'categoricalCrossentropy' : 'sparseCategoricalCrossentropy') : 'meanSquaredError',
    metrics: [...new Set(metrics)] as nn.MetricSpec[],
  });
  return model;
}

export function describeRun(spec: TrainSpec, pre: Preprocessing, model: nn.Sequential, say: (s: string) => void): void {
  const info = nn.backendInfo();
  const classification = pre.task === 'classification';
  const outUnits = classification ? pre.classes!.length : 1;
  const features = pre.columns.map((c) => (c.kind === 'numeric' ? c.name : `${c.name}[${c.categories.length}]`)).join(', ');
  say(`task: ${pre.task}${spec.task ? '' : ' (inferred)'}, label "${pre.label}"${classification ? ` with ${pre.classes!.length} classes (${preview(pre.classes!)})` : ''}`);
  say(`inputs: ${pre.inputUnits} from ${features}`);
  say(`model: ${[pre.inputUnits, ...spec.layers, outUnits].join(' → ')} (${spec.activation}${spec.batchNorm ? ' + batch norm' : ''}, ${classification ? 'softmax' : 'linear'} output), ${model.countParams()} parameters; ${spec.optimizerName} lr ${spec.lr}${spec.lrSchedule ? ` (${spec.lrSchedule})` : ''}, batch ${spec.batchSize}; backend ${info.name}${info.name === 'wasm' ? `${info.relaxedSimd ? ' relaxed-SIMD' : info.simd ? ' SIMD' : ''}, ${info.threads} thread${info.threads > 1 ? 's' : ''}` : ''}\n`);
}

export function earlyStopper(patience: number | undefined, hasValidation: boolean): nn.callbacks.EarlyStopping | undefined {
  return patience === undefined ? undefined : nn.callbacks.earlyStopping({ monitor: hasValidation ? 'val_loss' : 'loss', patience, restoreBestWeights: true });
}

export async function saveModel(spec: TrainSpec, model: nn.Sequential, pre: Preprocessing, lines: string[], say: (s: string) => void): Promise<void> {
  const dir = resolve(spec.out);
  mkdirSync(dir, { recursive: true });
  const saved = await model.save(`file://${dir}`);
  writeFileSync(join(dir, PREPROCESSING_FILE), `${JSON.stringify(pre, null, 2)}\n`);
  model.dispose();
  say(`\n${lines.join('\n')}`);
  say(`saved ${[...(saved.files ?? ['model.json', 'weights.bin']).map((f) => f.split(/[\\/]/).pop()), PREPROCESSING_FILE].join(', ')} to ${spec.out}`);
}

export async function trainStreaming(spec: TrainSpec, shuffleBufferSize: number): Promise<void> {
  try {
    await run(spec, shuffleBufferSize);
  } catch (e) {
    if (e instanceof nn.data.CsvError) throw new UserError(e.message);
    throw e;
  }
}

async function run(spec: TrainSpec, shuffleBufferSize: number): Promise<void> {
  const say = (s: string) => !spec.quiet && console.log(s);
  const out = process.stdout;
  // Pass 1: the statistics, from the training rows.
  const progress = { bytes: 0, totalBytes: undefined as number | undefined };
  const stats = spec.quiet ? undefined : byteProgress({ label: 'statistics', progress, out });
  let fitted: { pre: Preprocessing; rows: number };
  try {
    fitted = await fitInWorker(spec.file, {
      label: spec.label, validation: spec.validation, seed: spec.seed,
      ...(spec.task ? { task: spec.task } : {}), ...(spec.categorical.length ? { categorical: spec.categorical } : {}),
    }, progress);
  } finally {
    stats?.done();
  }
  const pre = fitted.pre;
  // The first epoch parses the file again and caches the encoded rows; the rest read the cache.
  const cacheBytes = fitted.rows * (pre.inputUnits + 1) * 4;
  const cacheDir = spec.cacheDir === 'off' ? undefined : spec.cacheDir ?? tmpdir();
  const useCache = cacheDir !== undefined && cacheBytes + 2 ** 30 < freeBytes(cacheDir);
  const data = new StreamedCsv(spec.file, { label: spec.label, preprocessing: pre, batchSize: spec.batchSize, shuffleBufferSize, seed: spec.seed, validation: spec.validation, cacheDir: useCache ? cacheDir : undefined });
  // The cache goes however the run ends: normally, by an error, or by Ctrl-C (then the signal is
  // raised again, so the process ends as it would have).
  const cleanUp = () => data.dispose();
  const onSignal = (signal: NodeJS.Signals) => {
    cleanUp();
    process.kill(process.pid, signal);
  };
  process.once('exit', cleanUp);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const model = buildModel(spec, pre);
    say(`${spec.file}: streaming (${(fileSizeMiB(spec.file)).toFixed(1)} MiB), about ${Math.round(100 * (1 - spec.validation))}% of rows for training, the rest for validation; shuffle buffer ${shuffleBufferSize} rows`);
    say(useCache
      ? `row cache: the first epoch writes the ${fitted.rows} encoded rows (${(cacheBytes / 2 ** 20).toFixed(1)} MiB) to ${cacheDir}; later passes read them instead of parsing`
      : `row cache: ${cacheDir === undefined ? 'off' : `not enough free space in ${cacheDir} for ${(cacheBytes / 2 ** 20).toFixed(1)} MiB`}; every pass parses the file`);
    describeRun(spec, pre, model, say);

    const valSet = data.validation;
    const callbacks: nn.callbacks.Callback[] = [];
    if (!spec.quiet) callbacks.push(epochBar(spec.epochs, data.progress, out, spec.lrSchedule !== undefined));
    const stopper = earlyStopper(spec.patience, Boolean(valSet));
    if (stopper) callbacks.push(stopper);
    callbacks.push(...plateauCallback(spec, Boolean(valSet)));
    let classWeight: Record<number, number> | undefined;
    if (spec.classWeight !== undefined) {
      if (pre.task !== 'classification') throw new UserError(`--class-weight needs a classification task; the label "${pre.label}" is a regression target`);
      classWeight = parseClassWeight(spec.classWeight, [], pre.classes!);
      say(describeClassWeight(classWeight, pre.classes!));
    }
    const history = await model.fitDataset(data.training, { epochs: spec.epochs, callbacks, ...(classWeight ? { classWeight } : {}), ...(valSet ? { validationData: valSet } : {}) });
    const ran = history.epoch.length;
    if (stopper && stopper.stoppedEpoch > 0) say(`\nearly stop after epoch ${ran}: no ${valSet ? 'val_loss' : 'loss'} improvement for ${spec.patience} epochs; keeping the weights of epoch ${stopper.bestEpoch + 1}`);

    const lines: string[] = [];
    const score = async (name: string, ds: AsyncIterable<nn.data.CsvBatch>) => {
      if (pre.task === 'classification') {
        const r = await model.evaluateDataset(ds);
        lines.push(`${name}: loss ${r.loss.toFixed(4)}, accuracy ${(100 * r.accuracy!).toFixed(2)}%`);
      } else {
        const m = await streamedRegression(model, ds, pre.target!);
        lines.push(`${name}: MSE ${fmtNum(m.mse)}, MAE ${fmtNum(m.mae)}, R² ${m.r2.toFixed(4)}`);
      }
    };
    await score('training', data.scoring('train'));
    if (valSet) await score('validation', data.scoring('validation'));
    const r = data.read;
    lines.push(`read: ${r.parsePasses + 1} parses of the CSV (statistics, ${r.parsePasses} more), ${r.cachePasses} passes over the row cache`);
    await saveModel(spec, model, pre, lines, say);
  } finally {
    process.off('exit', cleanUp);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    data.dispose();
  }
}

/** MSE, MAE and R² in the label's units, accumulated batch by batch. */
async function streamedRegression(model: nn.Sequential, ds: AsyncIterable<nn.data.CsvBatch>, target: { mean: number; std: number }) {
  const score = new RegressionScore(target);
  for await (const b of ds) score.add((b.ys as nn.Tensor2D).data, model.predict(b.xs).data);
  return score.result();
}

function fileSizeMiB(file: string): number {
  return fileSize(file) / 2 ** 20;
}

/** Per epoch: a bar by bytes of the file, rows/s and MB/s; one line per epoch when not a terminal. */
function epochBar(epochs: number, progress: nn.data.ByteProgress, out: NodeJS.WriteStream, showLearningRate: boolean): nn.callbacks.Callback {
  let bar: ReturnType<typeof byteProgress> | undefined;
  let rows = 0;
  const pad = String(epochs).length;
  return {
    onEpochBegin(epoch: number) {
      rows = 0;
      bar = byteProgress({ label: `Epoch ${String(epoch + 1).padStart(pad)}/${epochs}`, progress, out, rows: () => rows });
    },
    onBatchEnd(_batch: number, logs?: nn.callbacks.Logs) {
      rows += logs?.size ?? 0;
    },
    onEpochEnd(_epoch: number, logs?: nn.callbacks.Logs) {
      bar?.done(formatLogs(logs ?? {}, showLearningRate));
    },
  };
}

function preview(list: string[]): string {
  return list.length <= 6 ? list.join(', ') : `${list.slice(0, 5).join(', ')}, …`;
}

