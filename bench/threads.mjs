// Threads: the wasm backend on 1 thread vs n threads (default 2), plain SIMD build.
//   - gemm GFLOPS at the MNIST MLP shapes (batch 64 and 256) through the backend, so the split
//     and the hand-off to workers are included;
//   - MNIST MLP training samples/s (784-256-128-10, dropout, Adam), batch 64 and 256, on synthetic
//     dense rows and on the 8,000 real digits (mostly zeros: the sparse products split by rows);
//   - the tiny 2-8-8-1 net (µs per step), which must not get slower.
// Each configuration runs in its own process. Results are noisy when other jobs share the cores:
// the table prints the load average.
//
//   node bench/threads.mjs [--quick] [--threads n]      (bench/run.mjs runs it as 'threads')
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import { loadMnist } from '../examples/lib/mnist-data.mjs';
import { mnistModel, tinyModel } from '../examples/lib/models.mjs';
import { describeRan, ranWith } from './ran.mjs';
import { table } from './table.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const distEntry = path.join(root, 'dist/node/index.js');

function fill(f, start, n, seed) {
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; f[start + i] = (s >>> 8) / 2 ** 24; }
}

/** [label, layout, m, n, k] */
function shapes() {
  const list = [];
  for (const batch of [64, 256]) {
    for (const [inp, out] of [[784, 256], [256, 128], [128, 10]]) {
      list.push([`fwd b${batch} ${inp}→${out} NN`, 0, batch, out, inp]);
      list.push([`dW  b${batch} ${inp}→${out} TN`, 1, inp, out, batch]);
      if (inp !== 784) list.push([`dX  b${batch} ${inp}→${out} NT`, 2, batch, inp, out]);
    }
  }
  return list;
}

async function gemmChild(threads, quick) {
  const esbuild = await import('esbuild');
  const out = path.join(os.tmpdir(), `wasm-mlp-bench-threads-${process.pid}.mjs`);
  // The wasm backend with the Node platform registered (worker_threads), as the Node entry has it (src/index-node.ts).
  const contents = "import { registerNode } from './src/platform-node.ts'; registerNode(); export * from './src/backend/wasm/index.ts';";
  await esbuild.build({ stdin: { contents, resolveDir: root, loader: 'ts' }, bundle: true, format: 'esm', platform: 'node', outfile: out, logLevel: 'error' });
  try {
    const { createWasmBackend } = await import(pathToFileURL(out).href);
    const be = await createWasmBackend({ build: 'simd', threads });
    const rows = {};
    for (const [label, layout, m, n, k] of shapes()) {
      const a = be.alloc(m * k * 4), b = be.alloc(k * n * 4), c = be.alloc(m * n * 4);
      fill(be.f32(), a >>> 2, m * k, 1);
      fill(be.f32(), b >>> 2, k * n, 2);
      const bench = new Bench({ time: quick ? 80 : 250, warmupTime: 50, iterations: 5 });
      bench.add('x', () => be.gemm(layout, m, n, k, a, b, c, false, 0));
      bench.runSync();
      rows[label] = (2 * m * n * k) / (bench.tasks[0].result.latency.p50 * 1e-3) / 1e9;
      be.free(c); be.free(b); be.free(a);
    }
    be.dispose();
    return { threads: be.threads, ran: ranWith({ build: 'simd', threads }, { relaxedSimd: be.relaxedSimd, threads: be.threads, reason: be.reason }), rows };
  } finally {
    rmSync(out, { force: true });
  }
}

function syntheticData(nn, n) {
  const x = new Float32Array(n * 784), y = new Float32Array(n * 10);
  fill(x, 0, x.length, 1);
  for (let r = 0; r < n; r++) y[r * 10 + (r * 7) % 10] = 1;
  return [nn.tensor2d(x, [n, 784]), nn.tensor2d(y, [n, 10])];
}

async function trainChild(threads, quick) {
  const nn = await import(pathToFileURL(distEntry).href);
  await nn.setBackend('wasm', { build: 'simd', threads });
  const info = nn.backendInfo();
  const n = quick ? 4096 : 8192;
  const [x, y] = syntheticData(nn, n);
  const out = { threads: info.threads, ran: ranWith({ build: 'simd', threads }, info), mnist: {}, digits: {}, tiny: null };
  const digits = loadMnist({ count: 10000 });
  const sets = [
    [out.mnist, x, y, n],
    [out.digits, nn.tensor2d(digits.xTrain, [digits.nTrain, 784]), nn.tensor2d(digits.yTrain, [digits.nTrain, 10]), digits.nTrain],
  ];
  for (const [into, xs, ys, rows] of sets) {
    for (const batch of [64, 256]) {
      const m = mnistModel(nn);
      // Training throughput: each epoch timed from its start to its end (as bench/native.mjs does),
      // so fit's one-time copy of the data into the arena is not counted; epoch 0 warms up.
      const rates = [];
      let t0 = 0;
      await m.fit(xs, ys, {
        epochs: quick ? 3 : 4, batchSize: batch,
        callbacks: { onEpochBegin: () => { t0 = performance.now(); }, onEpochEnd: (e) => { if (e > 0) rates.push(rows / ((performance.now() - t0) / 1000)); } },
      });
      into[batch] = Math.max(...rates);
      m.dispose();
    }
  }
  const { x: tx, y: ty } = nn.datasets.playground('circle', { n: 1000, seed: 1, labels: 'signed' });
  const t = tinyModel(nn);
  await t.fit(tx, ty, { epochs: 5, batchSize: 10 });
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    await t.fit(tx, ty, { epochs: 20, batchSize: 10 });
    best = Math.min(best, ((performance.now() - t0) * 1000) / (20 * 100));
  }
  out.tiny = best;
  t.dispose();
  return out;
}

function child(kind, threads, quick) {
  const args = [fileURLToPath(import.meta.url), '--child', kind, String(threads)];
  if (quick) args.push('--quick');
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] }));
}

export const name = 'threads';

export async function run({ quick = false, threads = 2 } = {}) {
  if (!existsSync(distEntry)) throw new Error('dist/node/index.js is missing: run `npm run build` first');
  const load = () => os.loadavg().map((v) => v.toFixed(2)).join(' ');
  const loadBefore = load();
  const g1 = child('gemm', 1, quick), gN = child('gemm', threads, quick);
  const t1 = child('train', 1, quick), tN = child('train', threads, quick);
  const loadAfter = load();
  const x = (a, b) => `${(b / a).toFixed(2)}×`;
  console.log(`ran with: ${describeRan(g1.ran)} | ${describeRan(gN.ran)}\n`);
  table(`gemm GFLOPS through the backend, 1 vs ${gN.threads} threads (load average ${loadBefore} → ${loadAfter})`, ['shape', '1 thread', `${gN.threads} threads`, 'speed-up'],
    Object.keys(g1.rows).map((label) => [label, g1.rows[label].toFixed(1), gN.rows[label].toFixed(1), x(g1.rows[label], gN.rows[label])]));
  table(`MNIST MLP training, samples/s over a training epoch (784-256-128-10, dropout, Adam; best epoch after a warm-up one), 1 vs ${tN.threads} threads`, ['batch', '1 thread', `${tN.threads} threads`, 'speed-up'],
    [64, 256].map((b) => [b, Math.round(t1.mnist[b]).toLocaleString('en-US'), Math.round(tN.mnist[b]).toLocaleString('en-US'), x(t1.mnist[b], tN.mnist[b])]));
  table(`The same on the 8,000 real MNIST digits (sparse first layers), 1 vs ${tN.threads} threads`, ['batch', '1 thread', `${tN.threads} threads`, 'speed-up'],
    [64, 256].map((b) => [b, Math.round(t1.digits[b]).toLocaleString('en-US'), Math.round(tN.digits[b]).toLocaleString('en-US'), x(t1.digits[b], tN.digits[b])]));
  table('Tiny net 2-8-8-1, µs per step (must not get slower)', ['threads', 'µs/step'], [[1, t1.tiny.toFixed(2)], [tN.threads, tN.tiny.toFixed(2)]]);
  return { load: { before: loadBefore, after: loadAfter }, gemm: { 1: g1, [threads]: gN }, train: { 1: t1, [threads]: tN } };
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  const [kind, threads] = [argv[1], Number(argv[2])];
  const quick = argv.includes('--quick');
  process.stdout.write(JSON.stringify(kind === 'gemm' ? await gemmChild(threads, quick) : await trainChild(threads, quick)));
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = argv.indexOf('--threads');
  await run({ quick: argv.includes('--quick'), threads: i >= 0 ? Number(argv[i + 1]) : 2 });
}
