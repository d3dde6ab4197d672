// End-to-end benchmarks, every peer measured in this one run:
//   - MNIST MLP training (784-256-128-10 with dropout, Adam; the `npm start` model), batch 64 and 256:
//     wasm-mlp wasm (plain SIMD, and relaxed SIMD in a child process with the V8 flag), wasm-mlp js,
//     TensorFlow.js `wasm` (XNNPACK, 1 thread) and `cpu`;
//   - the same model on the 8,000 real MNIST digits (~81 % zero pixels: the sparse first layer) and
//     the bag-of-words intent classifier (2,000 words, 8 per sample, 20 intents), batch 8 to 256
//     (wasm-mlp wasm builds);
//   - where one training step's time goes (nn.profile);
//   - a tiny Playground net (2-8-8-1 tanh, batch 10, SGD): µs per step;
//   - predict latency (batch 1) and throughput (batch 1024);
//   - scaling: samples/s and effective GFLOPS as batch size and width grow.
//
//   node bench/train.mjs [--quick]            (bench/run.mjs runs it as the 'train' section)
//   node bench/train.mjs --child <json>       internal: one wasm-mlp measurement in this process
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { intentData } from '../examples/lib/intent-data.mjs';
import { loadMnist } from '../examples/lib/mnist-data.mjs';
import { intentModel, mnistModel, tinyModel, tfjsMnistModel } from '../examples/lib/models.mjs';
import { describeRan, engineFlags, ranWith } from './ran.mjs';
import { PHASES, summarizeProfile } from './step-profile.mjs';
import { table } from './table.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const distEntry = path.join(root, 'dist/node/index.js');

async function loadNn() {
  if (!existsSync(distEntry)) throw new Error('dist/node/index.js is missing: run `npm run build` first');
  return import(pathToFileURL(distEntry).href);
}

/** Deterministic pseudo-MNIST data (speed does not depend on the pixel values). */
function syntheticData(n, inputs, classes, seed = 1) {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) / 2 ** 24;
  const x = new Float32Array(n * inputs);
  const y = new Float32Array(n * classes);
  for (let i = 0; i < x.length; i++) x[i] = rnd();
  for (let r = 0; r < n; r++) y[r * classes + Math.floor(rnd() * classes)] = 1;
  return { x, y };
}

// ---- wasm-mlp ------------------------------------------------------------------------------------

/** Samples/s of fit over `n` samples, after one warm-up epoch; best of `reps`. */
async function timeFit(model, x, y, batchSize, n, reps) {
  await model.fit(x, y, { epochs: 1, batchSize, shuffle: true });
  let best = 0;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await model.fit(x, y, { epochs: 1, batchSize, shuffle: true });
    best = Math.max(best, n / ((performance.now() - t0) / 1000));
  }
  return best;
}

async function oursTraining(nn, backend, { quick, build }) {
  // One thread: this section compares single-threaded peers (bench/threads.mjs measures threads).
  if (backend === 'wasm' && build !== 'simd' && build !== 'relaxed') throw new Error(`a wasm row must force its build ('simd' or 'relaxed'), got ${build}`);
  await nn.setBackend(backend, backend === 'wasm' ? { threads: 1, build } : {});
  const info = nn.backendInfo();
  // Refuses (throws) when the backend is not the build and thread count this row is labelled with.
  const ran = ranWith({ build: backend === 'js' ? 'js' : build, threads: 1 }, info);
  const out = { ran, info, mnist: {}, profile: {}, tiny: null, predict: {}, scaling: { batch: {}, width: {} } };
  const n = backend === 'js' ? (quick ? 1024 : 2048) : quick ? 4096 : 8192;
  const { x: xd, y: yd } = syntheticData(n, 784, 10);
  const x = nn.tensor2d(xd, [n, 784]);
  const y = nn.tensor2d(yd, [n, 10]);
  for (const batch of [64, 256]) {
    const model = mnistModel(nn);
    out.mnist[batch] = await timeFit(model, x, y, batch, n, quick ? 1 : 3);
    if (backend !== 'js' || batch === 64) {
      const p = await nn.profile(() => model.fit(x, y, { epochs: 1, batchSize: batch }));
      out.profile[batch] = summarizeProfile(p, Math.ceil(n / batch));
    }
    model.dispose();
  }

  // Real digits and bag-of-words rows: mostly zeros, so the first layer runs sparse.
  if (backend === 'wasm') {
    out.sparse = { digits: {}, intent: {} };
    const digits = loadMnist({ count: 10000 });
    const bow = intentData({ n: quick ? 4000 : 8000 });
    const sets = {
      digits: { x: nn.tensor2d(digits.xTrain, [digits.nTrain, 784]), y: nn.tensor2d(digits.yTrain, [digits.nTrain, 10]), n: digits.nTrain, model: () => mnistModel(nn) },
      intent: { x: nn.tensor2d(bow.x, [bow.n, bow.vocabulary]), y: nn.tensor2d(bow.y, [bow.n, bow.classes]), n: bow.n, model: () => intentModel(nn) },
    };
    for (const [name, set] of Object.entries(sets)) {
      for (const batch of quick ? [8, 64] : [8, 32, 64, 256]) {
        const model = set.model();
        out.sparse[name][batch] = await timeFit(model, set.x, set.y, batch, set.n, quick ? 1 : 3);
        if (batch === 64) out.profile[`${name} 64`] = summarizeProfile(await nn.profile(() => model.fit(set.x, set.y, { epochs: 1, batchSize: batch })), Math.ceil(set.n / batch));
        model.dispose();
      }
    }
  }

  // Tiny Playground net: 2-8-8-1 tanh, batch 10, SGD.
  {
    const { x: tx, y: ty } = nn.datasets.playground('circle', { n: 1000, seed: 1, labels: 'signed' });
    const m = tinyModel(nn);
    await m.fit(tx, ty, { epochs: 5, batchSize: 10 });
    const epochs = quick ? 20 : 60;
    let best = Infinity;
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      await m.fit(tx, ty, { epochs, batchSize: 10 });
      best = Math.min(best, ((performance.now() - t0) * 1000) / (epochs * 100));
    }
    out.tiny = best;
    m.dispose();
  }

  // Predict: latency at batch 1, throughput at batch 1024 (MNIST model, inference mode).
  {
    const m = mnistModel(nn);
    const one = nn.tensor2d(xd.subarray(0, 784), [1, 784]);
    for (let i = 0; i < 50; i++) m.predict(one);
    const reps = backend === 'js' ? 200 : 2000;
    let t0 = performance.now();
    for (let i = 0; i < reps; i++) m.predict(one);
    out.predict.latencyUs = ((performance.now() - t0) * 1000) / reps;
    const big = nn.tensor2d(xd.subarray(0, 1024 * 784), [1024, 784]);
    m.predict(big, { batchSize: 1024 });
    const bigReps = backend === 'js' ? 2 : 20;
    t0 = performance.now();
    for (let i = 0; i < bigReps; i++) m.predict(big, { batchSize: 1024 });
    out.predict.batch1024PerSec = (bigReps * 1024) / ((performance.now() - t0) / 1000);
    m.dispose();
  }

  // Scaling (wasm only): samples/s by batch size, and by width of a 784-W-W-10 net (batch 128).
  if (backend === 'wasm' && build === 'simd') {
    const batches = quick ? [1, 16, 256] : [1, 4, 16, 64, 256, 1024];
    for (const batch of batches) {
      const model = mnistModel(nn, { dropout: false });
      const nS = Math.min(n, Math.max(batch * 8, 1024));
      const sub = [nn.tensor2d(xd.subarray(0, nS * 784), [nS, 784]), nn.tensor2d(yd.subarray(0, nS * 10), [nS, 10])];
      const sps = await timeFit(model, sub[0], sub[1], batch, nS, 1);
      out.scaling.batch[batch] = { samplesPerSec: sps, gflops: (sps * 6 * model.countParams()) / 1e9 };
      model.dispose();
    }
    const widths = quick ? [64, 512] : [64, 128, 256, 512, 1024, 2048];
    for (const w of widths) {
      const model = mnistModel(nn, { width1: w, width2: w, dropout: false });
      const nS = w >= 1024 ? 1024 : 2048;
      const sub = [nn.tensor2d(xd.subarray(0, nS * 784), [nS, 784]), nn.tensor2d(yd.subarray(0, nS * 10), [nS, 10])];
      const sps = await timeFit(model, sub[0], sub[1], 128, nS, 1);
      out.scaling.width[w] = { samplesPerSec: sps, gflops: (sps * 6 * model.countParams()) / 1e9, params: model.countParams() };
      model.dispose();
    }
  }
  return out;
}

// ---- TensorFlow.js ---------------------------------------------------------------------------------

async function loadTf(backend) {
  let tf, tfl;
  try {
    tf = await import('@tensorflow/tfjs-core');
    tfl = await import('@tensorflow/tfjs-layers');
    await import('@tensorflow/tfjs-backend-cpu');
    if (backend === 'wasm') {
      const w = await import('@tensorflow/tfjs-backend-wasm');
      w.setWasmPaths(path.join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/') + '/');
      w.setThreadsCount?.(1);
    }
  } catch (e) {
    return { missing: `TensorFlow.js is not installed (${String(e.message ?? e).split('\n')[0]})` };
  }
  if (!(await tf.setBackend(backend))) return { missing: `TensorFlow.js backend '${backend}' failed to initialise` };
  await tf.ready();
  if (tf.getBackend() !== backend) return { missing: `TensorFlow.js runs '${tf.getBackend()}', not '${backend}'` };
  return { tf, tfl };
}

async function tfjsTraining(backend, { quick }) {
  const { tf, tfl, missing } = await loadTf(backend);
  if (missing) return { missing };
  // tfjs-backend-wasm picks its SIMD binary itself and runs 1 thread in Node (setThreadsCount(1) above).
  const out = { ran: { build: `tfjs-${backend}`, threads: 1, flags: engineFlags(), node: process.version }, mnist: {}, tiny: null, predict: {} };
  const n = backend === 'cpu' ? (quick ? 256 : 512) : quick ? 1024 : 2048;
  const { x: xd, y: yd } = syntheticData(n, 784, 10);
  const x = tf.tensor2d(xd, [n, 784]);
  const y = tf.tensor2d(yd, [n, 10]);
  const build = () => tfjsMnistModel(tf, tfl);
  for (const batch of [64, 256]) {
    const m = build();
    await m.fit(x, y, { epochs: 1, batchSize: batch, verbose: 0 });
    let best = 0;
    for (let r = 0; r < (quick ? 1 : 2); r++) {
      const t0 = performance.now();
      await m.fit(x, y, { epochs: 1, batchSize: batch, verbose: 0 });
      best = Math.max(best, n / ((performance.now() - t0) / 1000));
    }
    out.mnist[batch] = best;
    if (batch === 64) {
      const one = tf.tensor2d(xd.subarray(0, 784), [1, 784]);
      for (let i = 0; i < 20; i++) tf.tidy(() => m.predict(one).dataSync());
      const reps = 200;
      let t0 = performance.now();
      for (let i = 0; i < reps; i++) tf.tidy(() => m.predict(one).dataSync());
      out.predict.latencyUs = ((performance.now() - t0) * 1000) / reps;
      const big = tf.tensor2d(xd.subarray(0, Math.min(n, 1024) * 784), [Math.min(n, 1024), 784]);
      tf.tidy(() => m.predict(big, { batchSize: 1024 }).dataSync());
      t0 = performance.now();
      for (let i = 0; i < 3; i++) tf.tidy(() => m.predict(big, { batchSize: 1024 }).dataSync());
      out.predict.batch1024PerSec = (3 * big.shape[0]) / ((performance.now() - t0) / 1000);
      one.dispose();
      big.dispose();
    }
    m.dispose();
  }
  // Tiny net, same as ours.
  {
    const nT = 1000;
    const { x: txd } = syntheticData(nT, 2, 1, 3);
    const tyd = new Float32Array(nT).map((_, i) => (Math.hypot(txd[2 * i] - 0.5, txd[2 * i + 1] - 0.5) < 0.3 ? 1 : -1));
    const tx = tf.tensor2d(txd, [nT, 2]);
    const ty = tf.tensor2d(tyd, [nT, 1]);
    const m = tfl.sequential();
    m.add(tfl.layers.dense({ units: 8, activation: 'tanh', inputShape: [2] }));
    m.add(tfl.layers.dense({ units: 8, activation: 'tanh' }));
    m.add(tfl.layers.dense({ units: 1, activation: 'tanh' }));
    m.compile({ optimizer: tf.train.sgd(0.03), loss: 'meanSquaredError' });
    await m.fit(tx, ty, { epochs: 1, batchSize: 10, verbose: 0 });
    const epochs = quick ? 1 : 3;
    const t0 = performance.now();
    await m.fit(tx, ty, { epochs, batchSize: 10, verbose: 0 });
    out.tiny = ((performance.now() - t0) * 1000) / (epochs * (nT / 10));
    m.dispose();
    tx.dispose();
    ty.dispose();
  }
  x.dispose();
  y.dispose();
  return out;
}

// ---- the section ---------------------------------------------------------------------------------

function child(spec, quick) {
  // Only the relaxed row's process gets the relaxed-SIMD flag: every other row runs as a user's
  // plain Node 20 would.
  const flags = spec.build === 'relaxed' ? ['--experimental-wasm-relaxed-simd'] : [];
  const args = [...flags, fileURLToPath(import.meta.url), '--child', JSON.stringify({ ...spec, quick })];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] }));
}

async function runChild(spec) {
  if (spec.peer === 'tfjs') return tfjsTraining(spec.backend, spec);
  const nn = await loadNn();
  return oursTraining(nn, spec.backend, spec);
}

const fmtN = (v) => (v == null ? '—' : v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1));
const ratio = (a, b) => (a && b ? `${(a / b).toFixed(1)}×` : '—');

export const name = 'train';

export async function run({ quick = false } = {}) {
  // Each peer in its own process so JIT state and memory of one cannot slow another.
  const peers = {
    'wasm-mlp wasm (relaxed SIMD)': { peer: 'ours', backend: 'wasm', build: 'relaxed' },
    'wasm-mlp wasm (SIMD)': { peer: 'ours', backend: 'wasm', build: 'simd' },
    'wasm-mlp js': { peer: 'ours', backend: 'js' },
    'TensorFlow.js wasm': { peer: 'tfjs', backend: 'wasm' },
    'TensorFlow.js cpu': { peer: 'tfjs', backend: 'cpu' },
  };
  const results = {};
  for (const [label, spec] of Object.entries(peers)) {
    try {
      results[label] = child(spec, quick);
    } catch (e) {
      results[label] = { error: String(e.message ?? e).split('\n')[0] };
    }
  }
  const ours = results['wasm-mlp wasm (SIMD)'];
  // Ratios against the plain-SIMD build: what Node 20 and every browser without relaxed SIMD run.
  const best = (b) => ours.mnist?.[b];
  const rows = Object.entries(results).map(([label, r]) => [
    label,
    describeRan(r.ran),
    r.missing ?? r.error ? (r.missing ?? r.error).slice(0, 40) : fmtN(r.mnist[64]),
    fmtN(r.mnist?.[256]),
    r === ours ? '1.0×' : ratio(best(64), r.mnist?.[64]),
    r === ours ? '1.0×' : ratio(best(256), r.mnist?.[256]),
  ]);
  table('MNIST MLP training, samples/s (784-256-128-10, dropout 0.5, Adam; single thread)', ['peer', 'ran with', 'batch 64', 'batch 256', 'wasm-mlp SIMD ÷ peer @64', '@256'], rows);

  const prof = ours.profile ?? {};
  const sparseRows = Object.entries(results).filter(([, r]) => r.sparse);
  if (sparseRows.length) {
    const batches = Object.keys(sparseRows[0][1].sparse.digits);
    table('Real MNIST digits and bag-of-words intents, samples/s (sparse first layer; single thread)', ['model', 'peer', 'ran with', ...batches.map((b) => `batch ${b}`)],
      sparseRows.flatMap(([label, r]) => [
        ['MNIST 784-256-128-10, 8,000 real digits', label, describeRan(r.ran), ...batches.map((b) => fmtN(r.sparse.digits[b]))],
        ['intent 2000-256-128-20, 8 words/sample', label, describeRan(r.ran), ...batches.map((b) => fmtN(r.sparse.intent[b]))],
      ]));
  }

  table(`Where one training step goes, wasm SIMD (µs per step; ${describeRan(ours.ran)})`, ['batch', ...PHASES.map(([, h]) => h), 'total'],
    Object.entries(prof).map(([b, p]) => [b, ...[...PHASES.map(([k]) => k), 'total'].map((k) => p.usPerStep[k].toFixed(1))]));

  table('Tiny net 2-8-8-1 tanh, batch 10, SGD: µs per training step', ['peer', 'ran with', 'µs/step', 'vs wasm-mlp wasm SIMD'],
    Object.entries(results).map(([label, r]) => [label, describeRan(r.ran), r.tiny == null ? '—' : r.tiny.toFixed(2), r.tiny == null ? '—' : `${(r.tiny / ours.tiny).toFixed(1)}×`]));

  table('Predict, MNIST model', ['peer', 'ran with', 'batch 1 latency µs', 'batch 1024 samples/s'],
    Object.entries(results).map(([label, r]) => [label, describeRan(r.ran), r.predict?.latencyUs == null ? '—' : r.predict.latencyUs.toFixed(1), fmtN(r.predict?.batch1024PerSec)]));

  if (ours.scaling && Object.keys(ours.scaling.batch).length) {
    table(`Scaling by batch size (784-256-128-10, no dropout; ${describeRan(ours.ran)})`, ['batch', 'samples/s', 'effective GFLOPS'],
      Object.entries(ours.scaling.batch).map(([b, s]) => [b, fmtN(s.samplesPerSec), s.gflops.toFixed(1)]));
    table(`Scaling by width (784-W-W-10, batch 128; ${describeRan(ours.ran)})`, ['W', 'params', 'samples/s', 'effective GFLOPS'],
      Object.entries(ours.scaling.width).map(([w, s]) => [w, s.params.toLocaleString('en-US'), fmtN(s.samplesPerSec), s.gflops.toFixed(1)]));
  }
  return results;
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  process.stdout.write(JSON.stringify(await runChild(JSON.parse(argv[1]))));
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await run({ quick: argv.includes('--quick') });
}
