/** `wasm-mlp train`: CSV in, a saved model (model.json + weights.bin + preprocessing.json) out. */
import { hiddenActivationNames as ACTIVATIONS } from '../activations.js';
import { availableParallelism } from 'node:os';
import * as nn from '../index.js';
import { choiceFlag, intFlag, numFlag, parseCommand } from './args.js';
import { readCsv } from './csv.js';
import { UsageError, UserError } from './errors.js';
import { encodeClasses, encodeFeatures, fitPreprocessing, targetValues, type Task } from './preprocess.js';
import { progressBar } from './progress.js';
import { regressionMetrics, seededShuffle } from './util.js';
import { buildModel, describeRun, earlyStopper, fileSize, needsOneHot, plateauCallback, saveModel, selectBackend, trainStreaming, type TrainSpec } from './train-stream.js';
import { metricNames, resolveMetricName } from '../metrics.js';
import { PREPROCESSING_FILE, readPreprocessing } from './model-files.js';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fmtNum } from './util.js';
import { classWeightHelp, describeClassWeight, lrScheduleHelp, parseClassWeight, parseLrSchedule } from './schedule-flags.js';


const OPTIMIZERS = nn.optimizers.optimizerNames;
/** Files above this size are streamed (never read whole). */
export const STREAM_ABOVE_MIB = 256;

export const trainHelp = `Usage: wasm-mlp train <data.csv> --label <column> --out <dir> [options]

Train an MLP on a CSV file with a header row. Numeric feature columns are standardized,
the others one-hot encoded. The task is inferred from the label column: text, or a few distinct
integers, means classification (softmax + cross-entropy); anything else regression (linear
output + mean squared error on the standardized target).

Writes <dir>/model.json + weights.bin (TensorFlow.js layers format) and <dir>/preprocessing.json.

Options:
  --label <column>        the column to predict (required)
  --out <dir>             where to save the model (required)
  --layers <list>         hidden layer sizes, comma separated (default 64,32; "" for none)
  --activation <name>     hidden activation (default relu): ${ACTIVATIONS.join(', ')}
  --batch-norm            a batch normalization layer after each hidden layer
  --optimizer <name>      ${OPTIMIZERS.join(', ')} (default adam)
  --lr <rate>             learning rate (default 0.001)
  ${lrScheduleHelp}
  ${classWeightHelp}
  --epochs <n>            passes over the training data (default 20)
  --batch <n>             batch size (default 32)
  --validation <frac>     share of rows held out for validation, 0 to 0.9 (default 0.2)
  --patience <n>          stop after n epochs without improvement, keeping the best weights
  --metrics <list>        extra metrics, comma separated, reported per epoch and at the end:
                          ${metricNames.join(', ')} (or Keras names: mse, mae, auc, …);
                          precision/recall/auc on a classifier are over all its one-hot outputs
  --checkpoint <dir>      save the model, optimizer state and random position there after every
                          epoch (with preprocessing.json), so an interrupted run can --resume
  --resume                continue the run saved in --checkpoint from its last epoch: the same
                          weights as a run that was never interrupted (same data, flags and seed)
  --seed <n>              seed for the split, initialisation, shuffling and dropout (default 1)
  --task <kind>           classification or regression (default: inferred)
  --categorical <list>    columns to one-hot encode even if they look numeric
  --backend <name>        wasm or js (default: wasm if it loads)
  --threads <n>           worker threads for the wasm backend (default: the core count, up to 4;
                          when streaming, one fewer, since a core parses the CSV)
  --stream                stream the file instead of loading it (automatic above ${STREAM_ABOVE_MIB} MiB): memory
                          bounded by the batch and the shuffle buffer, statistics fitted in one extra pass;
                          the validation rows are a seeded random share rather than an exact count
  --shuffle-buffer <n>    rows in the shuffle buffer when streaming (default 10000)
  --cache-dir <dir|off>   when streaming, the first epoch writes the encoded rows (4 bytes a value) to a
                          temporary file here, deleted at the end, so later passes need not parse the
                          text again (default: the OS temp dir, if it has room; off: parse every pass)
  --quiet                 no progress lines
  -h, --help              show this help

Example:
  wasm-mlp train iris.csv --label species --layers 16 --epochs 60 --out iris-model
  wasm-mlp train data.csv --label churned --metrics precision,recall,auc --checkpoint ckpt --out model`;


export async function train(argv: string[]): Promise<void> {
  const { values: v, positionals } = parseCommand('train', argv, {
    label: { type: 'string' },
    out: { type: 'string' },
    layers: { type: 'string', default: '64,32' },
    activation: { type: 'string', default: 'relu' },
    'batch-norm': { type: 'boolean', default: false },
    optimizer: { type: 'string', default: 'adam' },
    lr: { type: 'string', default: '0.001' },
    'lr-schedule': { type: 'string' },
    'class-weight': { type: 'string' },
    epochs: { type: 'string', default: '20' },
    batch: { type: 'string', default: '32' },
    validation: { type: 'string', default: '0.2' },
    patience: { type: 'string' },
    seed: { type: 'string', default: '1' },
    task: { type: 'string' },
    categorical: { type: 'string' },
    backend: { type: 'string' },
    threads: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    stream: { type: 'boolean' },
    'shuffle-buffer': { type: 'string', default: '10000' },
    'cache-dir': { type: 'string' },
    metrics: { type: 'string' },
    checkpoint: { type: 'string' },
    resume: { type: 'boolean', default: false },
  });
  if (v.help) return void console.log(trainHelp);
  const cmd = 'train';
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `expected one data file, got ${positionals.length}: ${positionals.join(' ')}` : 'missing the data file, e.g. wasm-mlp train data.csv --label y --out model', cmd);
  if (!v.label) throw new UsageError('missing --label <column>: the column to predict', cmd);
  if (!v.out) throw new UsageError('missing --out <dir>: where to save the model', cmd);
  const layers = String(v.layers).trim() === '' ? [] : String(v.layers).split(',').map((s) => intFlag(s, 'layers', cmd, 1, 1 << 16));
  const activation = choiceFlag(v.activation, 'activation', cmd, ACTIVATIONS);
  const optimizerName = choiceFlag(v.optimizer, 'optimizer', cmd, OPTIMIZERS);
  const lr = numFlag(v.lr, 'lr', cmd, (n) => n > 0, 'a positive number');
  const epochs = intFlag(v.epochs, 'epochs', cmd, 1);
  const batchSize = intFlag(v.batch, 'batch', cmd, 1);
  const validation = numFlag(v.validation, 'validation', cmd, (n) => n >= 0 && n <= 0.9, 'a fraction in [0, 0.9]');
  const patience = v.patience === undefined ? undefined : intFlag(v.patience, 'patience', cmd, 0);
  const seed = intFlag(v.seed, 'seed', cmd, 0, 0xffffffff);
  const task = v.task === undefined ? undefined : choiceFlag(v.task, 'task', cmd, ['classification', 'regression'] as const satisfies readonly Task[]);
  const backend = v.backend === undefined ? undefined : choiceFlag(v.backend, 'backend', cmd, ['wasm', 'js'] as const);
  const threads = v.threads === undefined ? undefined : intFlag(v.threads, 'threads', cmd, 1, 256);
  const categorical = v.categorical ? String(v.categorical).split(',').map((s) => s.trim()).filter(Boolean) : [];
  const quiet = Boolean(v.quiet);
  const say = (s: string) => !quiet && console.log(s);
  const shuffleBuffer = intFlag(v['shuffle-buffer'], 'shuffle-buffer', cmd, 0);
  const file = positionals[0]!;
  const size = fileSize(file);
  const metrics = v.metrics === undefined ? [] : String(v.metrics).split(',').map((s) => s.trim()).filter(Boolean);
  for (const m of metrics) if (!resolveMetricName(m)) throw new UsageError(`--metrics: unknown metric ${JSON.stringify(m)}; use ${metricNames.join(', ')}`, cmd);
  const checkpoint = v.checkpoint === undefined ? undefined : resolve(String(v.checkpoint));
  if (v.resume && !checkpoint) throw new UsageError('--resume needs --checkpoint <dir>: the run to continue', cmd);
  const lrSchedule = v['lr-schedule'] === undefined ? undefined : String(v['lr-schedule']);
  parseLrSchedule(lrSchedule, lr); // usage errors before any reading
  const classWeightSpec = v['class-weight'] === undefined ? undefined : String(v['class-weight']);
  const spec: TrainSpec = { file, label: String(v.label), out: String(v.out), layers, activation, optimizerName, lr, epochs, batchSize, validation, patience, seed, task, categorical, quiet, metrics, cacheDir: v['cache-dir'] === undefined ? undefined : String(v['cache-dir']), batchNorm: Boolean(v['batch-norm']), lrSchedule, classWeight: classWeightSpec };
  if (v.stream || size > STREAM_ABOVE_MIB * 2 ** 20) {
    if (needsOneHot(spec)) throw new UsageError(`--metrics ${metrics.join(',')}: precision, recall, auc and the other one-hot metrics are not available with --stream`, cmd);
    if (checkpoint) throw new UsageError('--checkpoint is not available with --stream', cmd);
    if (classWeightSpec === 'balanced') throw new UsageError('--class-weight balanced needs the class counts of the training rows and is not supported when streaming (--stream, or files above ' + `${STREAM_ABOVE_MIB} MiB); give the weights by label instead: --class-weight <label>=<weight>,…`, cmd);
    // A core goes to parsing (a worker thread): the training threads take the others, so their
    // wait loops do not steal the parser's time (on 2 cores, 1 training thread: the epoch of a
    // 20 MB file ran at 2.3 MB/s instead of 1.4).
    await selectBackend(backend, threads ?? (backend === 'js' ? undefined : Math.max(1, Math.min(4, availableParallelism() - 1))));
    return trainStreaming(spec, shuffleBuffer);
  }

  // Data: shuffle once (CSV files are often sorted by class), then hold out the validation rows.
  const table = readCsv(file);
  const order = seededShuffle(table.rows.length, seed);
  const nVal = validation > 0 ? Math.round(table.rows.length * validation) : 0;
  const trainRows = order.slice(0, table.rows.length - nVal);
  const valRows = order.slice(table.rows.length - nVal);
  if (trainRows.length < 1) throw new UserError(`--validation ${validation} of ${table.rows.length} rows leaves no training rows`);
  // Resuming: the encoding the checkpoint was trained with (the split is the same: seeded).
  const resumeFrom = v.resume ? readPreprocessing(checkpoint!, true)! : undefined;
  const pre = resumeFrom ?? fitPreprocessing(table, trainRows, { label: String(v.label), task, categorical });
  const warn = (m: string) => console.error(m);
  const xTrain = nn.tensor2d(encodeFeatures(pre, table, trainRows, warn), [trainRows.length, pre.inputUnits]);
  const xVal = valRows.length ? nn.tensor2d(encodeFeatures(pre, table, valRows), [valRows.length, pre.inputUnits]) : undefined;
  const classification = pre.task === 'classification';
  const targets = (rows: number[]) => {
    if (classification) {
      const ids = encodeClasses(pre, table, rows);
      if (!needsOneHot(spec)) return ids;
      const k = pre.classes!.length;
      const onehot = new Float32Array(rows.length * k);
      ids.forEach((c, i) => { onehot[i * k + c] = 1; });
      return nn.tensor2d(onehot, [rows.length, k]);
    }
    const { mean, std } = pre.target!;
    const y = targetValues(pre, table, rows);
    return nn.tensor2d(Float32Array.from(y, (t) => (t - mean) / std), [rows.length, 1]);
  };
  const yTrain = targets(trainRows);
  if (classWeightSpec !== undefined && !classification) throw new UsageError(`--class-weight needs a classification task; the label "${pre.label}" is a regression target`, cmd);
  const classWeight = classWeightSpec === undefined ? undefined : parseClassWeight(classWeightSpec, encodeClasses(pre, table, trainRows), pre.classes!);
  const yVal = valRows.length ? targets(valRows) : undefined;

  await selectBackend(backend, threads);
  let model: nn.Sequential;
  let initialEpoch = 0;
  if (resumeFrom) {
    if (!existsSync(join(checkpoint!, 'model.json'))) throw new UserError(`--resume: no checkpoint in ${checkpoint} (model.json is missing)`);
    model = await nn.loadModel(`file://${join(checkpoint!, 'model.json')}`);
    initialEpoch = model.savedEpoch ?? 0;
    if (initialEpoch >= epochs) throw new UserError(`--resume: the checkpoint in ${checkpoint} already ran ${initialEpoch} epochs; raise --epochs above it to train more`);
    say(`resuming from ${checkpoint} after epoch ${initialEpoch}`);
  } else model = buildModel(spec, pre);

  say(`${table.file}: ${table.rows.length} rows → ${trainRows.length} training, ${valRows.length} validation`);
  describeRun(spec, pre, model, say);

  const callbacks: nn.callbacks.Callback[] = [];
  if (!quiet) callbacks.push(progressBar({ epochs, samples: trainRows.length, batchSize: Math.min(batchSize, trainRows.length), out: process.stdout, showLearningRate: lrSchedule !== undefined }));
  const stopper = earlyStopper(patience, Boolean(xVal));
  if (stopper) callbacks.push(stopper);
  if (checkpoint) {
    mkdirSync(checkpoint, { recursive: true });
    writeFileSync(join(checkpoint, PREPROCESSING_FILE), `${JSON.stringify(pre, null, 2)}\n`);
    callbacks.push(nn.callbacks.modelCheckpoint({ filepath: `file://${checkpoint}` }));
  }
  callbacks.push(...plateauCallback(spec, Boolean(xVal)));
  if (classWeight) say(describeClassWeight(classWeight, pre.classes!));
  const history = await model.fit(xTrain, yTrain, {
    epochs, initialEpoch, batchSize, shuffle: true, callbacks, ...(classWeight ? { classWeight } : {}),
    ...(xVal && yVal ? { validationData: [xVal, yVal] as [nn.Tensor2D, typeof yVal] } : {}),
  });
  const ran = history.epoch.length;
  if (stopper && stopper.stoppedEpoch > 0) say(`\nearly stop after epoch ${ran}: no ${xVal ? 'val_loss' : 'loss'} improvement for ${patience} epochs; keeping the weights of epoch ${stopper.bestEpoch + 1}`);

  // Final scores of the weights being saved, in the units of the data.
  const lines: string[] = [];
  const score = (name: string, x: nn.Tensor2D, rows: number[]) => {
    const y = targets(rows);
    if (classification) {
      const r = model.evaluate(x, y);
      const extra = metrics.map((m) => `, ${m} ${r[m] === undefined ? '' : r[m]!.toFixed(4)}`).join('');
      lines.push(`${name}: loss ${r.loss.toFixed(4)}, accuracy ${(100 * r.accuracy!).toFixed(2)}%${extra}`);
    } else {
      const pred = model.predict(x).data;
      const { mean, std } = pre.target!;
      const m = regressionMetrics(targetValues(pre, table, rows), Float64Array.from(pred, (p) => p * std + mean));
      lines.push(`${name}: MSE ${fmtNum(m.mse)}, MAE ${fmtNum(m.mae)}, R² ${m.r2.toFixed(4)}`);
    }
  };
  score('training', xTrain, trainRows);
  if (xVal) score('validation', xVal, valRows);

  await saveModel(spec, model, pre, lines, say);
}
