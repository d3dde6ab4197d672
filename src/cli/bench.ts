/**
 * `wasm-mlp bench`: a self-contained WASM-vs-JS run on this machine, from the installed package.
 * Each case trains a model on seeded synthetic data with `trainOnBatch` and times `predict`, on the
 * js backend, wasm on one thread and wasm on the default threads; TensorFlow.js joins when
 * `@tensorflow/tfjs` (or tfjs-core + tfjs-layers + tfjs-backend-cpu) is installed beside it.
 * The repository's full benchmark suite is `npm run bench` (bench/run.mjs).
 */
import * as nn from '../index.js';
import { parseCommand } from './args.js';
import { UsageError } from './errors.js';

export const benchHelp = `Usage: wasm-mlp bench [--quick] [--time ms]

Time training (trainOnBatch, optimizer steps/s) and inference (predict, rows/s) of three MLPs on
seeded synthetic data: the js backend, wasm on 1 thread and wasm on its default threads
(TensorFlow.js too when @tensorflow/tfjs is installed). Runs anywhere the package is installed.
  --quick       shorter timings (--time 150)
  --time <ms>   time per measurement (default 600)

The repository's full suite (gemm kernels, scaling, TensorFlow.js's backends): npm run bench.`;

interface Case {
  name: string;
  layers: number[];
  activation: 'relu' | 'tanh';
  batch: number;
  loss: 'categoricalCrossentropy' | 'binaryCrossentropy';
}

const CASES: Case[] = [
  { name: 'playground 2-8-8-1', layers: [2, 8, 8, 1], activation: 'tanh', batch: 10, loss: 'binaryCrossentropy' },
  { name: 'tabular 32-64-32-4', layers: [32, 64, 32, 4], activation: 'relu', batch: 32, loss: 'categoricalCrossentropy' },
  { name: 'mnist 784-128-64-10', layers: [784, 128, 64, 10], activation: 'relu', batch: 64, loss: 'categoricalCrossentropy' },
];

/** Seeded data: uniform inputs, one-hot (or 0/1) targets. */
function data(c: Case, rows: number): { x: Float32Array; y: Float32Array } {
  let s = 12345;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const inputs = c.layers[0]!;
  const outputs = c.layers.at(-1)!;
  const x = new Float32Array(rows * inputs).map(() => rand() * 2 - 1);
  const y = new Float32Array(rows * outputs);
  for (let r = 0; r < rows; r++) {
    if (outputs === 1) y[r] = rand() < 0.5 ? 0 : 1;
    else y[r * outputs + Math.floor(rand() * outputs)] = 1;
  }
  return { x, y };
}

/** Calls `fn` until `ms` have passed (after a short warm-up); returns calls per second. */
function rate(fn: () => void, ms: number): number {
  for (let i = 0; i < 3; i++) fn();
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    fn();
    calls++;
    elapsed = performance.now() - start;
  }
  return (calls * 1000) / elapsed;
}

interface Row {
  engine: string;
  steps: number;
  rows: number;
}

/** Our three engines on one case: js, wasm on 1 thread, wasm on its default threads. */
async function ours(c: Case, ms: number): Promise<Row[]> {
  const { x, y } = data(c, c.batch);
  const px = data(c, 256).x;
  const rows: Row[] = [];
  for (const [backend, options] of [['js', {}], ['wasm', { threads: 1 }], ['wasm', {}]] as const) {
    await nn.setBackend(backend, options);
    const info = nn.backendInfo();
    if (backend === 'wasm' && !('threads' in options) && info.threads === 1) continue; // same as the row before
    const layers = c.layers.slice(1).map((units, i, a) =>
      nn.layers.dense({ units, activation: i === a.length - 1 ? (units === 1 ? 'sigmoid' : 'softmax') : c.activation, ...(i === 0 ? { inputShape: [c.layers[0]!] } : {}) }),
    );
    const model = nn.sequential({ seed: 1, layers });
    model.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.001 }), loss: c.loss });
    const xt = nn.tensor2d(x, [c.batch, c.layers[0]!]);
    const yt = nn.tensor2d(y, [c.batch, c.layers.at(-1)!]);
    const pt = nn.tensor2d(px, [256, c.layers[0]!]);
    const steps = rate(() => void model.trainOnBatch(xt, yt), ms);
    const predicted = 256 * rate(() => void model.predict(pt), ms);
    model.dispose();
    const engine = backend === 'js' ? 'js' : `wasm ${info.relaxedSimd ? 'relaxed SIMD' : 'SIMD'}, ${info.threads} thread${info.threads > 1 ? 's' : ''}`;
    rows.push({ engine, steps, rows: predicted });
  }
  return rows;
}

/** TensorFlow.js on its cpu backend, if the user has it installed; undefined otherwise. */
async function tensorflow(): Promise<{ train: (c: Case, ms: number) => Promise<Row> } | undefined> {
  const load = (name: string): Promise<Record<string, unknown> | undefined> =>
    (import(/* @vite-ignore */ name) as Promise<Record<string, unknown>>).catch(() => undefined);
  let tf = await load('@tensorflow/tfjs');
  if (!tf) {
    const [core, layers] = [await load('@tensorflow/tfjs-core'), await load('@tensorflow/tfjs-layers')];
    if (!core || !layers || !(await load('@tensorflow/tfjs-backend-cpu'))) return undefined;
    tf = { ...core, ...layers };
  }
  const t = tf as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  await t.setBackend('cpu');
  return {
    async train(c, ms) {
      const { x, y } = data(c, c.batch);
      const model = t.sequential();
      c.layers.slice(1).forEach((units, i, a) =>
        model.add(t.layers.dense({ units, activation: i === a.length - 1 ? (units === 1 ? 'sigmoid' : 'softmax') : c.activation, ...(i === 0 ? { inputShape: [c.layers[0]] } : {}) })),
      );
      model.compile({ optimizer: t.train.adam(0.001), loss: c.loss });
      const xt = t.tensor2d(x, [c.batch, c.layers[0]]);
      const yt = t.tensor2d(y, [c.batch, c.layers.at(-1)]);
      const pt = t.tensor2d(data(c, 256).x, [256, c.layers[0]]);
      for (let i = 0; i < 3; i++) await model.trainOnBatch(xt, yt);
      let calls = 0;
      const start = performance.now();
      while (performance.now() - start < ms) {
        await model.trainOnBatch(xt, yt);
        calls++;
      }
      const steps = (calls * 1000) / (performance.now() - start);
      const rows = 256 * rate(() => t.tidy(() => model.predict(pt).dataSync()), ms);
      t.dispose([xt, yt, pt]);
      model.dispose();
      return { engine: `tfjs ${t.version_core ?? ''} cpu`.replace('  ', ' '), steps, rows };
    },
  };
}

const ratio = (v: number): string => v.toFixed(v >= 10 ? 0 : v >= 1 ? 1 : 2);
const fmt = (v: number): string => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toPrecision(3));

export async function bench(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(benchHelp);
    return 0;
  }
  const { values, positionals } = parseCommand('bench', argv, { quick: { type: 'boolean' }, time: { type: 'string' } });
  if (positionals.length) throw new UsageError(`bench takes no file arguments, got ${positionals.map((p) => `"${p}"`).join(' ')}`);
  const ms = values.time !== undefined ? Number(values.time) : values.quick ? 150 : 600;
  if (!(Number.isFinite(ms) && ms >= 10 && ms <= 60_000)) throw new UsageError(`--time must be a number of milliseconds from 10 to 60000, got "${String(values.time)}"`);

  const tf = await tensorflow();
  console.log(`wasm-mlp ${process.versions.node ? `on Node ${process.versions.node}` : ''}; ${ms} ms per measurement; higher is better`);
  if (!tf) console.log('(TensorFlow.js is not installed here: install @tensorflow/tfjs to add it to the table)');
  const header = ['model', 'batch', 'engine', 'train steps/s', 'predict rows/s', 'vs js'];
  const table: string[][] = [];
  for (const c of CASES) {
    const rows = await ours(c, ms);
    if (tf) rows.push(await tf.train(c, ms));
    const js = rows[0]!.steps;
    for (const r of rows) table.push([c.name, String(c.batch), r.engine, fmt(r.steps), fmt(r.rows), `${ratio(r.steps / js)}×`]);
  }
  await nn.setBackend('wasm');
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((v, i) => (i < 3 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of table) console.log(line(r));
  return 0;
}
