/** `wasm-mlp evaluate`: scores of a saved model on a labelled CSV file. */
import * as nn from '../index.js';
import { parseCommand } from './args.js';
import { UsageError, UserError } from './errors.js';
import { loadSaved } from './model-files.js';
import { fmtNum } from './util.js';
import { RegressionScore, argmaxRows } from './util.js';

export const evaluateHelp = `Usage: wasm-mlp evaluate <model-dir | model.json> <data.csv> [--json]

Score a model saved by 'wasm-mlp train' on a CSV file that has the label column. The file is
streamed (one batch of rows in memory at a time), so it may be larger than memory.
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
  const file = positionals[1]!;
  // Streamed: one batch of rows in memory at a time, whatever the file's size.
  const unknown = new Map<string, Set<string>>();
  const ds = nn.data.csv(file, {
    label: pre.label, preprocessing: pre, batchSize: 1024,
    onUnknownCategory: (column, value) => {
      const seen = unknown.get(column) ?? unknown.set(column, new Set()).get(column)!;
      if (seen.size < 6) seen.add(value);
    },
  });
  const classification = pre.task === 'classification';
  const k = classification ? pre.classes!.length : 1;
  const confusion = classification ? pre.classes!.map(() => new Array<number>(k).fill(0)) : [];
  let n = 0, lossSum = 0, correct = 0;
  const regression = classification ? undefined : new RegressionScore(pre.target!);
  try {
    for await (const b of ds) {
      const out = model.predict(b.xs).data;
      if (classification) {
        const truth = b.ys as Int32Array;
        const pred = argmaxRows(out, k);
        for (let i = 0; i < truth.length; i++) {
          // Clipped as TensorFlow.js does, so a confident mistake costs -log(1e-7), not Infinity.
          lossSum -= Math.log(Math.min(Math.max(out[i * k + truth[i]!]!, 1e-7), 1 - 1e-7));
          if (pred[i] === truth[i]) correct++;
          confusion[truth[i]!]![pred[i]!]!++;
        }
        n += truth.length;
      } else {
        regression!.add((b.ys as nn.Tensor2D).data, out);
        n = regression!.rows;
      }
    }
  } catch (e) {
    if (e instanceof nn.data.CsvError) throw new UserError(e.message.replace(/^data\.csv: /, ''));
    throw e;
  } finally {
    model.dispose();
  }
  for (const [name, vals] of unknown) {
    const list = [...vals].slice(0, 5).map((v) => JSON.stringify(v)).join(', ');
    console.error(`warning: column "${name}" has values not seen in training (${list}${vals.size > 5 ? ', …' : ''}); they are encoded as all zeros`);
  }
  const loss = lossSum / n;
  const table = { file };
  if (pre.task === 'classification') {
    const classes = pre.classes!;
    const accuracy = correct / n;
    if (v.json) return void console.log(JSON.stringify({ task: pre.task, rows: n, loss, accuracy, classes, confusion }));
    console.log(`${table.file}: ${n} rows, classification of "${pre.label}"`);
    console.log(`loss ${loss.toFixed(4)}  accuracy ${(100 * accuracy).toFixed(2)}% (${correct}/${n})\n`);
    console.log('confusion matrix (rows: true, columns: predicted)');
    const w = Math.max(...classes.map((c) => c.length), ...confusion.flat().map((c) => String(c).length), 4);
    console.log(`${''.padEnd(w)}  ${classes.map((c) => c.padStart(w)).join('  ')}`);
    confusion.forEach((row, i) => console.log(`${classes[i]!.padEnd(w)}  ${row.map((c) => String(c).padStart(w)).join('  ')}`));
  } else {
    const m = regression!.result();
    if (v.json) return void console.log(JSON.stringify({ task: pre.task, rows: n, ...m }));
    console.log(`${table.file}: ${n} rows, regression of "${pre.label}"`);
    console.log(`MSE ${fmtNum(m.mse)}  RMSE ${fmtNum(m.rmse)}  MAE ${fmtNum(m.mae)}  R² ${m.r2.toFixed(4)}`);
  }
}
