/** `wasm-mlp predict`: a saved model + CSV rows → a CSV of predictions. */
import { writeFileSync } from 'node:fs';
import * as nn from '../index.js';
import { parseCommand } from './args.js';
import { csvField, readCsv } from './csv.js';
import { UsageError } from './errors.js';
import { loadSaved } from './model-files.js';
import { checkColumns, encodeFeatures } from './preprocess.js';
import { argmaxRows } from './util.js';

export const predictHelp = `Usage: wasm-mlp predict <model-dir | model.json> <data.csv> [--out preds.csv]

Predict every row of a CSV file with a model saved by 'wasm-mlp train'. The file needs the
feature columns the model was trained on (the label column may be there; it is ignored).

Writes a CSV with a header: "predicted" (the class name, or the number for regression) and,
for classification, one probability column per class ("prob_<class>"), one row per input row.

Options:
  --out <file>     write the predictions there instead of to standard output
  -h, --help       show this help`;

export async function predict(argv: string[]): Promise<void> {
  const { values: v, positionals } = parseCommand('predict', argv, { out: { type: 'string' } });
  if (v.help) return void console.log(predictHelp);
  if (positionals.length !== 2) throw new UsageError(`expected <model-dir> <data.csv>, got ${positionals.length} argument${positionals.length === 1 ? '' : 's'}`, 'predict');
  const { model, pre } = await loadSaved(positionals[0]!, true);
  const table = readCsv(positionals[1]!);
  checkColumns(pre, table, false);
  const rows = table.rows.map((_, i) => i);
  const x = nn.tensor2d(encodeFeatures(pre, table, rows, (m) => console.error(m)), [rows.length, pre.inputUnits]);
  const out = model.predict(x).data;
  model.dispose();
  const lines: string[] = [];
  if (pre.task === 'classification') {
    const classes = pre.classes!;
    const k = classes.length;
    const ids = argmaxRows(out, k);
    lines.push(['predicted', ...classes.map((c) => `prob_${c}`)].map(csvField).join(','));
    for (let i = 0; i < rows.length; i++) {
      const probs = Array.from(out.subarray(i * k, (i + 1) * k), (p) => p.toFixed(6));
      lines.push([csvField(classes[ids[i]!]!), ...probs].join(','));
    }
  } else {
    const { mean, std } = pre.target!;
    lines.push('predicted');
    for (let i = 0; i < rows.length; i++) lines.push(String(Number((out[i]! * std + mean).toPrecision(7))));
  }
  const text = `${lines.join('\n')}\n`;
  if (v.out) {
    writeFileSync(String(v.out), text);
    console.error(`wrote ${rows.length} predictions to ${String(v.out)}`);
  } else {
    process.stdout.write(text);
  }
}
