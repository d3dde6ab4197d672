/** `wasm-mlp evaluate`: scores of a saved model on a labelled CSV file. */
import * as nn from '../index.js';
import { parseCommand } from './args.js';
import { readCsv } from './csv.js';
import { UsageError } from './errors.js';
import { loadSaved } from './model-files.js';
import { checkColumns, encodeClasses, encodeFeatures, targetValues } from './preprocess.js';
import { fmtNum } from './train.js';
import { argmaxRows, regressionMetrics } from './util.js';

export const evaluateHelp = `Usage: wasm-mlp evaluate <model-dir | model.json> <data.csv> [--json]

Score a model saved by 'wasm-mlp train' on a CSV file that has the label column.
Classification: cross-entropy loss, accuracy and the confusion matrix (rows: true class,
columns: predicted class). Regression: MSE, RMSE, MAE and R², in the label's units.

Options:
  --json           print the numbers as JSON
  -h, --help       show this help`;

export async function evaluate(argv: string[]): Promise<void> {
  const { values: v, positionals } = parseCommand('evaluate', argv, { json: { type: 'boolean', default: false } });
  if (v.help) return void console.log(evaluateHelp);
  if (positionals.length !== 2) throw new UsageError(`expected <model-dir> <data.csv>, got ${positionals.length} argument${positionals.length === 1 ? '' : 's'}`, 'evaluate');
  const { model, pre } = await loadSaved(positionals[0]!, true);
  const table = readCsv(positionals[1]!);
  checkColumns(pre, table, true);
  const rows = table.rows.map((_, i) => i);
  const x = nn.tensor2d(encodeFeatures(pre, table, rows, (m) => console.error(m)), [rows.length, pre.inputUnits]);
  const out = model.predict(x).data;
  model.dispose();
  const n = rows.length;
  if (pre.task === 'classification') {
    const classes = pre.classes!;
    const k = classes.length;
    const truth = encodeClasses(pre, table, rows);
    const pred = argmaxRows(out, k);
    const confusion = classes.map(() => new Array<number>(k).fill(0));
    let loss = 0;
    let correct = 0;
    for (let i = 0; i < n; i++) {
      // Clipped as TensorFlow.js does, so a confident mistake costs -log(1e-7), not Infinity.
      loss -= Math.log(Math.min(Math.max(out[i * k + truth[i]!]!, 1e-7), 1 - 1e-7)) / n;
      if (pred[i] === truth[i]) correct++;
      confusion[truth[i]!]![pred[i]!]!++;
    }
    const accuracy = correct / n;
    if (v.json) return void console.log(JSON.stringify({ task: pre.task, rows: n, loss, accuracy, classes, confusion }));
    console.log(`${table.file}: ${n} rows, classification of "${pre.label}"`);
    console.log(`loss ${loss.toFixed(4)}  accuracy ${(100 * accuracy).toFixed(2)}% (${correct}/${n})\n`);
    console.log('confusion matrix (rows: true, columns: predicted)');
    const w = Math.max(...classes.map((c) => c.length), ...confusion.flat().map((c) => String(c).length), 4);
    console.log(`${''.padEnd(w)}  ${classes.map((c) => c.padStart(w)).join('  ')}`);
    confusion.forEach((row, i) => console.log(`${classes[i]!.padEnd(w)}  ${row.map((c) => String(c).padStart(w)).join('  ')}`));
  } else {
    const { mean, std } = pre.target!;
    const m = regressionMetrics(targetValues(pre, table, rows), Float64Array.from(out, (p) => p * std + mean));
    if (v.json) return void console.log(JSON.stringify({ task: pre.task, rows: n, ...m }));
    console.log(`${table.file}: ${n} rows, regression of "${pre.label}"`);
    console.log(`MSE ${fmtNum(m.mse)}  RMSE ${fmtNum(m.rmse)}  MAE ${fmtNum(m.mae)}  R² ${m.r2.toFixed(4)}`);
  }
}
