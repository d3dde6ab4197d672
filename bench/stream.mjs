// Streaming a CSV larger than memory: generates a CSV file of the requested size (20 numeric
// feature columns, one categorical, a 3-class label from a noisy linear rule), then measures
//   1. parse rate: nn.data.fitPreprocessing (the statistics pass) and nn.data.csv (parse and
//      encode into batches, nothing trained) on the first --sample-mb of it, in this process;
//   2. train rate: a step on in-memory batches of the same width (rows/s), no parsing;
//   3. the whole CLI: `wasm-mlp train --stream` for one epoch in a child process on the whole file —
//      wall time, its own per-pass rates (read from its progress lines), the passes it made, and its
//      peak RSS (VmHWM from /proc, Linux): the number the "2 GB with peak RSS under 300 MiB"
//      target is about.
// In the CLI parsing runs in worker threads, so the slower of 1 and 2 sets its pace. The load
// average is sampled during the run: the machine may be shared (say so with --note).
//
//   node bench/stream.mjs [--size-mb 2048] [--sample-mb 128] [--dir /tmp] [--keep] [--threads n] [--json out.json] [--note text]
//   npm run bench -- stream [--quick]          (bench/run.mjs: 2048 MB, or 64 MB with --quick; --stream-mb n)
// The generated file is deleted afterwards unless --keep.
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, openSync, readFileSync, readSync, closeSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FEATURES = 20;

async function generate(file, sizeBytes) {
  if (existsSync(file) && statSync(file).size >= sizeBytes) return;
  const out = createWriteStream(file, { highWaterMark: 1 << 20 });
  let s = 12345 >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) / 2 ** 24;
  const w = Array.from({ length: FEATURES }, () => rnd() * 2 - 1);
  const colours = ['red', 'green', 'blue', 'amber'];
  let written = 0;
  const header = [...Array.from({ length: FEATURES }, (_, i) => `f${i}`), 'colour', 'label'].join(',') + '\n';
  out.write(header);
  written += header.length;
  while (written < sizeBytes) {
    let chunk = '';
    for (let r = 0; r < 2000; r++) {
      let z = 0;
      const cells = new Array(FEATURES + 2);
      for (let j = 0; j < FEATURES; j++) {
        const v = rnd() * 4 - 2;
        z += w[j] * v;
        cells[j] = v.toFixed(4);
      }
      const c = Math.floor(rnd() * colours.length);
      cells[FEATURES] = colours[c];
      z += (c - 1.5) * 0.5 + (rnd() - 0.5);
      cells[FEATURES + 1] = z < -0.7 ? 'low' : z < 0.7 ? 'mid' : 'high';
      chunk += cells.join(',') + '\n';
    }
    written += chunk.length;
    if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r, j) => out.end((e) => (e ? j(e) : r())));
}

/** Byte length of the first `bytes` of the file, extended to the end of its line. */
function wholeLines(file, bytes) {
  const size = statSync(file).size;
  if (bytes >= size) return size;
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(1 << 16);
  try {
    const n = readSync(fd, buf, 0, buf.length, bytes);
    const nl = buf.subarray(0, n).indexOf(10);
    return nl < 0 ? size : bytes + nl + 1;
  } finally {
    closeSync(fd);
  }
}

const mb = (bytes) => bytes / 1e6;
const now = () => performance.now();

export const name = 'stream';

export async function run({ quick = false, sizeMb = quick ? 64 : 2048, sampleMb = quick ? 16 : 128, dir, keep = false, threads, batch = 256, note } = {}) {
  const distEntry = path.join(root, 'dist/node/index.js');
  if (!existsSync(distEntry)) throw new Error('dist/node/index.js is missing: run `npm run build` first');
  const nn = await import(pathToFileURL(distEntry).href);
  const workDir = dir ?? mkdtempSync(path.join(os.tmpdir(), 'wasm-mlp-stream-'));
  const file = path.join(workDir, `stream-${sizeMb}mb.csv`);
  const loads = [];
  const sampler = setInterval(() => loads.push(os.loadavg()[0]), 5000);
  sampler.unref();
  try {
    console.log(`generating ${file} (${sizeMb} MB)…`);
    let t0 = now();
    await generate(file, sizeMb * 1e6);
    const bytes = statSync(file).size;
    console.log(`  ${mb(bytes).toFixed(0)} MB in ${((now() - t0) / 1000).toFixed(1)} s`);

    // 1. Parse rates on a sample (the whole file is parsed by the CLI below).
    const sampleBytes = wholeLines(file, sampleMb * 1e6);
    const sample = () => createReadStream(file, { start: 0, end: sampleBytes - 1, highWaterMark: 1 << 20 });
    t0 = now();
    const pre = await nn.data.fitPreprocessing(sample(), { label: 'label' });
    const statsSecs = (now() - t0) / 1000;
    t0 = now();
    let rows = 0;
    for await (const b of nn.data.csv(sample(), { label: 'label', preprocessing: pre, batchSize: batch })) rows += b.xs.rows;
    const parseSecs = (now() - t0) / 1000;
    console.log(`  parse (${mb(sampleBytes).toFixed(0)} MB sample): statistics ${(mb(sampleBytes) / statsSecs).toFixed(1)} MB/s, parse + encode ${(mb(sampleBytes) / parseSecs).toFixed(1)} MB/s (${Math.round(rows / parseSecs)} rows/s)`);

    // 2. Train only: the CLI's default model on in-memory batches of the same width.
    // The CLI's streaming default: one core parses, the others train.
    const trainThreads = threads ?? Math.max(1, Math.min(4, os.availableParallelism() - 1));
    await nn.setBackend('wasm', { threads: trainThreads });
    const model = nn.sequential({ seed: 1 });
    model.add(nn.layers.dense({ units: 64, activation: 'relu', inputShape: [pre.inputUnits] }));
    model.add(nn.layers.dense({ units: 32, activation: 'relu' }));
    model.add(nn.layers.dense({ units: 3, activation: 'softmax' }));
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const x = nn.tensor2d(new Float32Array(batch * pre.inputUnits).map((_, i) => Math.sin(i)), [batch, pre.inputUnits]);
    const y = Int32Array.from({ length: batch }, (_, i) => i % 3);
    for (let i = 0; i < 20; i++) model.trainOnBatch(x, y);
    const steps = quick ? 200 : 2000;
    t0 = now();
    for (let i = 0; i < steps; i++) model.trainOnBatch(x, y);
    const trainRowsPerSec = (steps * batch) / ((now() - t0) / 1000);
    const backend = nn.backendInfo();
    model.dispose();
    console.log(`  train only: ${Math.round(trainRowsPerSec)} rows/s (${backend.threads} thread${backend.threads > 1 ? 's' : ''})`);

    // 3. The CLI, one epoch on the whole file, in a child process whose peak RSS we read from /proc.
    const outDir = path.join(workDir, 'model');
    const args = [path.join(root, 'bin/wasm-mlp.mjs'), 'train', file, '--label', 'label', '--stream', '--epochs', '1', '--batch', String(batch), '--out', outDir, '--cache-dir', workDir, '--threads', String(trainThreads)];
    console.log(`  wasm-mlp ${args.slice(1).join(' ')}`);
    t0 = now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d) => { stdout += d; process.stdout.write(d); });
    let peakKiB = 0;
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKiB = Math.max(peakKiB, Number(m[1]));
      } catch { /* exited */ }
    }, 50);
    const code = await new Promise((r) => child.on('exit', r));
    clearInterval(poll);
    const cliSecs = (now() - t0) / 1000;
    if (code !== 0) throw new Error(`wasm-mlp train exited with ${code}`);
    // The CLI's own lines: "statistics ███ 100.0%  4.1 MB/s  500.2s", "Epoch 1/1 ███ 100.0%  3.9 MB/s  25000 rows/s  loss …",
    // "read: 2 parses of the CSV (statistics, 1 more), 3 passes over the row cache".
    const stat = /statistics .*?([\d.]+) MB\/s\s+([\d.]+)s/.exec(stdout);
    const epoch = /Epoch 1\/1 .*?([\d.]+) MB\/s\s+(\d+) rows\/s/.exec(stdout);
    const read = /read: (\d+) parses of the CSV .*?, (\d+) passes over the row cache/.exec(stdout);
    const cpus = os.cpus();
    const avg = (a) => a.reduce((s, v) => s + v, 0) / a.length;
    const result = {
      machine: {
        cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, memGiB: +(os.totalmem() / 2 ** 30).toFixed(1), node: process.version,
        loadAverage1m: loads.length ? { min: +Math.min(...loads).toFixed(2), mean: +avg(loads).toFixed(2), max: +Math.max(...loads).toFixed(2), samples: loads.length } : undefined,
        ...(note ? { note } : {}),
      },
      fileMB: +mb(bytes).toFixed(1), batch, threads: backend.threads,
      sample: { MB: +mb(sampleBytes).toFixed(1), rows, statisticsMBps: +(mb(sampleBytes) / statsSecs).toFixed(2), parseMBps: +(mb(sampleBytes) / parseSecs).toFixed(2), parseRowsPerSec: Math.round(rows / parseSecs) },
      train: { rowsPerSec: Math.round(trainRowsPerSec) },
      cli: {
        secs: +cliSecs.toFixed(1), MBps: +(mb(bytes) / cliSecs).toFixed(2), peakRssMiB: +(peakKiB / 1024).toFixed(1),
        statistics: stat ? { MBps: Number(stat[1]), secs: Number(stat[2]) } : undefined,
        epoch: epoch ? { MBps: Number(epoch[1]), rowsPerSec: Number(epoch[2]) } : undefined,
        csvParses: read ? Number(read[1]) : undefined, cachePasses: read ? Number(read[2]) : undefined,
      },
    };
    console.log(JSON.stringify(result, null, 2));
    return result;
  } finally {
    clearInterval(sampler);
    if (!keep) for (const p of dir ? [file, path.join(workDir, 'model')] : [workDir]) rmSync(p, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values: opt } = parseArgs({
    options: {
      'size-mb': { type: 'string', default: '64' }, 'sample-mb': { type: 'string' }, dir: { type: 'string' }, keep: { type: 'boolean', default: false },
      threads: { type: 'string' }, json: { type: 'string' }, batch: { type: 'string', default: '256' }, note: { type: 'string' }, quick: { type: 'boolean', default: false },
    },
  });
  const result = await run({
    quick: opt.quick, sizeMb: Number(opt['size-mb']), ...(opt['sample-mb'] ? { sampleMb: Number(opt['sample-mb']) } : {}),
    ...(opt.dir ? { dir: opt.dir } : {}), keep: opt.keep, ...(opt.threads ? { threads: Number(opt.threads) } : {}), batch: Number(opt.batch), ...(opt.note ? { note: opt.note } : {}),
  });
  if (opt.json) {
    const machine = { cpu: result.machine.cpu, cores: result.machine.cores, platform: `${os.platform()} ${os.release()} ${os.arch()}`, node: process.version, v8: process.versions.v8 };
    writeFileSync(opt.json, JSON.stringify({ section: name, date: new Date().toISOString(), machine, quick: opt.quick, result }, null, 2) + '\n');
  }
}
