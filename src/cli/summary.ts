/** `wasm-mlp summary`: the layers of a saved model and, when present, its preprocessing. */
import { parseCommand } from './args.js';
import { UsageError } from './errors.js';
import { loadSaved } from './model-files.js';

export const summaryHelp = `Usage: wasm-mlp summary <model-dir | model.json>

Print a saved model's layers, output shapes and parameter counts, its training configuration,
and the CSV preprocessing saved by 'wasm-mlp train' (columns, encodings, classes).

Options:
  -h, --help       show this help`;

export async function summary(argv: string[]): Promise<void> {
  const { values: v, positionals } = parseCommand('summary', argv, {});
  if (v.help) return void console.log(summaryHelp);
  if (positionals.length !== 1) throw new UsageError(`expected one <model-dir>, got ${positionals.length} arguments`, 'summary');
  const { model, pre } = await loadSaved(positionals[0]!, false);
  console.log(model.summary());
  const tc = model.trainingConfig;
  if (tc) console.log(`\nloss: ${tc.loss}${tc.metrics.length ? `, metrics: ${tc.metrics.join(', ')}` : ''}`);
  model.dispose();
  if (!pre) return;
  console.log(`\ntask: ${pre.task}, label column "${pre.label}"`);
  if (pre.classes) console.log(`classes (${pre.classes.length}): ${pre.classes.join(', ')}`);
  if (pre.target) console.log(`target standardized with mean ${pre.target.mean.toPrecision(6)}, std ${pre.target.std.toPrecision(6)}`);
  console.log(`inputs (${pre.inputUnits}):`);
  for (const c of pre.columns) {
    console.log(c.kind === 'numeric'
      ? `  ${c.name}: numeric, standardized (mean ${c.mean.toPrecision(6)}, std ${c.std.toPrecision(6)})`
      : `  ${c.name}: categorical, one-hot over ${c.categories.length} (${c.categories.join(', ')})`);
  }
}
