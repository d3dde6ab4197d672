/** `wasm-mlp predict`: a saved model + CSV rows → a CSV of predictions. */
import { createWriteStream } from 'node:fs';
import * as nn from '../index.js';
import { parseCommand } from './args.js';
import { csvField } from './csv.js';
import { UsageError, UserError } from './errors.js';
import { loadSaved } from './model-files.js';
import { argmaxRows } from './util.js';

export const predictHelp = `Usage: wasm-mlp predict <model-dir | model.json> <data.csv> [--out preds.csv]

Predict every row of a CSV file with a model saved by 'wasm-mlp train'. The file needs the
feature columns the model was trained on (the label column may be there; it is ignored). It is
streamed: read, predicted and written a batch of rows at a time, so it may be larger than memory.

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
  // Streamed: rows are read, predicted and written a batch at a time, whatever the file's size.
  const unknown = new Map<string, Set<string>>();
  const ds = nn.data.csv(positionals[1]!, {
    label: pre.label, preprocessing: pre, labels: false, strictColumns: true, batchSize: 1024,
    onUnknownCategory: (column, value) => {
      const seen = unknown.get(column) ?? unknown.set(column, new Set()).get(column)!;
      if (seen.size < 6) seen.add(value);
    },
  });
  const sink: NodeJS.WritableStream = v.out ? createWriteStream(String(v.out)) : process.stdout;
  const write = async (text: string) => {
    if (!sink.write(text)) await new Promise((r) => sink.once('drain', r));
  };
  const classification = pre.task === 'classification';
  const classes = pre.classes ?? [];
  const k = classes.length;
  await write(`${classification ? ['predicted', ...classes.map((c) => `prob_${c}`)].map(csvField).join(',') : 'predicted'}\n`);
  let n = 0;
  try {
    for await (const b of ds) {
      const out = model.predict(b.xs).data;
      const lines: string[] = [];
      if (classification) {
        const ids = argmaxRows(out, k);
        for (let i = 0; i < b.xs.rows; i++) {
          const probs = Array.from(out.subarray(i * k, (i + 1) * k), (p) => p.toFixed(6));
          lines.push([csvField(classes[ids[i]!]!), ...probs].join(','));
        }
      } else {
        const { mean, std } = pre.target!;
        for (let i = 0; i < b.xs.rows; i++) lines.push(String(Number((out[i]! * std + mean).toPrecision(7))));
      }
      n += b.xs.rows;
      await write(`${lines.join('\n')}\n`);
    }
  } catch (e) {
    if (e instanceof nn.data.CsvError) throw new UserError(e.message.replace(/^data\.csv: /, ''));
    throw e;
  } finally {
    model.dispose();
    if (v.out) await new Promise((r) => (sink as ReturnType<typeof createWriteStream>).end(r));
  }
  for (const [name, vals] of unknown) {
    const list = [...vals].slice(0, 5).map((x) => JSON.stringify(x)).join(', ');
    console.error(`warning: column "${name}" has values not seen in training (${list}${vals.size > 5 ? ', …' : ''}); they are encoded as all zeros`);
  }
  if (v.out) console.error(`wrote ${n} predictions to ${String(v.out)}`);
}
