// Fisher's iris data (examples/data/iris.csv, 150 rows, public domain) through the command line:
// train → summary → evaluate → predict, each step one `wasm-mlp` command, printed before it runs.
// The same as the shell recipe in docs/examples.md.
//
//   node examples/iris.mjs [--quick] [--out dir]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({ options: { quick: { type: 'boolean', default: false }, out: { type: 'string' } } });
const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin/wasm-mlp.mjs');
const data = relative(process.cwd(), join(root, 'examples/data/iris.csv')) || 'examples/data/iris.csv';
const dir = opt.out ?? mkdtempSync(join(tmpdir(), 'iris-model-'));

function wasmMlp(...args) {
  console.log(`\n$ wasm-mlp ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [bin, ...args], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// The rate warms up over the first 20 steps (batches), then decays along a cosine to a tenth of
// --lr by step 400 (100 epochs of 4 batches): large steps early, fine ones at the end.
wasmMlp('train', data, '--label', 'species', '--layers', '16', '--lr', '0.02', '--lr-schedule', 'cosine:400:0.1:20', '--epochs', opt.quick ? '40' : '100', '--patience', '15', '--validation', '0.2', '--out', dir);
wasmMlp('summary', dir);
wasmMlp('evaluate', dir, data);
// A few rows to predict: write them as CSV without the label column.
const sample = join(dir, 'sample.csv');
(await import('node:fs')).writeFileSync(sample, 'sepal_length,sepal_width,petal_length,petal_width\n5.0,3.4,1.5,0.2\n6.0,2.8,4.4,1.3\n6.9,3.1,5.6,2.3\n');
wasmMlp('predict', dir, sample);
if (!opt.out) rmSync(dir, { recursive: true, force: true });
