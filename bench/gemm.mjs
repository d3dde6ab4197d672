// gemm GFLOPS: the three layouts at square sizes and at the MLP shapes backprop uses, for the
// plain-SIMD wasm build, the relaxed-SIMD build (in a child process with the V8 flag) and the
// js backend, plus a register-only SIMD mul+add loop as the engine's practical peak.
//
//   node bench/gemm.mjs                 # this section alone (bench/run.mjs runs all sections)
//   node bench/gemm.mjs --child relaxed # internal: one wasm build, JSON on stdout
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { describeRan, engineFlags } from './ran.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LAYOUTS = ['NN', 'TN', 'NT'];

/** [label, layout, m, n, k] for every benchmarked product. */
export function shapes({ quick = false } = {}) {
  const list = [];
  for (const s of quick ? [64, 256] : [64, 128, 256, 512, 1024]) {
    for (let l = 0; l < 3; l++) list.push([`${LAYOUTS[l]} ${s}³`, l, s, s, s]);
  }
  // Dense layers 784→256→128→10: forward X·W (NN), weight gradient Xᵀ·dZ (TN), input gradient dZ·Wᵀ (NT).
  for (const batch of [1, 64, 256]) {
    for (const [inp, out] of [[784, 256], [256, 128], [128, 10]]) {
      list.push([`fwd  b${batch} ${inp}→${out} NN`, 0, batch, out, inp]);
      list.push([`dW   b${batch} ${inp}→${out} TN`, 1, inp, out, batch]);
      list.push([`dX   b${batch} ${inp}→${out} NT`, 2, batch, inp, out]);
    }
  }
  return list;
}

function fill(f, start, n, seed) {
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; f[start + i] = (s >>> 8) / 2 ** 23 - 1; }
}

/** Times `call` with tinybench; returns GFLOPS from the median latency. */
function gflops(flops, call, timeMs) {
  const bench = new Bench({ time: timeMs, warmupTime: Math.min(50, timeMs), iterations: 3 });
  bench.add('x', call);
  bench.runSync();
  const ms = bench.tasks[0].result.latency.p50;
  return flops / (ms * 1e-3) / 1e9;
}

/** Benchmarks one wasm build over raw exports (no TS needed). */
async function runWasm(build, { quick }) {
  const bytes = readFileSync(path.join(root, `build/wasm-mlp.${build}.wasm`));
  const memory = new WebAssembly.Memory({ initial: 1024 });
  const { instance } = await WebAssembly.instantiate(bytes, { env: { memory } });
  const k = instance.exports;
  const scratch = Math.ceil(k.heapBase() / 16) * 16;
  const data = scratch + k.gemmScratchBytes();
  const rows = {};
  for (const [label, layout, m, n, kk] of shapes({ quick })) {
    const a = data, b = a + m * kk * 4 + 64, c = b + kk * n * 4 + 64;
    const f = new Float32Array(memory.buffer);
    fill(f, a >>> 2, m * kk, 1);
    fill(f, b >>> 2, kk * n, 2);
    rows[label] = gflops(2 * m * n * kk, () => k.gemm(layout, m, n, kk, a, layout === 1 ? m : kk, b, layout === 2 ? kk : n, c, n, false, 0, scratch), quick ? 60 : 250);
  }
  const peakIters = 2_000_000;
  const peak = gflops(peakIters * 96, () => k.gemmPeak(peakIters, 1), quick ? 100 : 300);
  // The raw module of `build` is instantiated by name here, so the build is forced by construction.
  return { ran: { build, threads: 1, flags: engineFlags(), node: process.version }, rows, peak };
}

/** Benchmarks the js backend, bundled from src/backend/js with esbuild into a temp file. */
async function runJs({ quick }) {
  const esbuild = await import('esbuild');
  const out = path.join(os.tmpdir(), `wasm-mlp-bench-js-${process.pid}.mjs`);
  await esbuild.build({ entryPoints: [path.join(root, 'src/backend/js/index.ts')], bundle: true, format: 'esm', platform: 'node', outfile: out, logLevel: 'error' });
  try {
    const { createJsBackend } = await import(out);
    const be = createJsBackend();
    const rows = {};
    for (const [label, layout, m, n, kk] of shapes({ quick })) {
      if (m * n * kk > 300 ** 3) { rows[label] = null; continue; } // minutes per size; the trend is clear
      const a = be.alloc(m * kk * 4), b = be.alloc(kk * n * 4), c = be.alloc(m * n * 4);
      fill(be.f32(), a >>> 2, m * kk, 1);
      fill(be.f32(), b >>> 2, kk * n, 2);
      rows[label] = gflops(2 * m * n * kk, () => be.gemm(layout, m, n, kk, a, b, c, false, 0), quick ? 60 : 200);
      be.free(c); be.free(b); be.free(a);
    }
    return { ran: { build: 'js', threads: 1, flags: engineFlags(), node: process.version }, rows };
  } finally {
    rmSync(out, { force: true });
  }
}

function runChild(build, quick) {
  const args = ['--experimental-wasm-relaxed-simd', fileURLToPath(import.meta.url), '--child', build];
  if (quick) args.push('--quick');
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 }));
}

const fmt = (x) => (x == null ? '—' : x.toFixed(1));

/** The section: measures, prints a table, returns the JSON-able result. */
export async function run({ quick = false } = {}) {
  const simd = await runWasm('simd', { quick });
  let relaxed;
  try { relaxed = runChild('relaxed', quick); } catch (e) { relaxed = { error: String(e.message ?? e) }; }
  let js;
  try { js = await runJs({ quick }); } catch (e) { js = { error: String(e.message ?? e) }; }

  const header = ['shape', 'wasm simd', '% peak', 'wasm relaxed', '% peak', 'js'];
  const lines = [header];
  for (const [label] of shapes({ quick })) {
    const s = simd.rows[label], r = relaxed.rows?.[label];
    lines.push([label, fmt(s), fmt((100 * s) / simd.peak), fmt(r), r == null ? '—' : fmt((100 * r) / relaxed.peak), fmt(js.rows?.[label])]);
  }
  lines.push(['register-only peak', fmt(simd.peak), '100', fmt(relaxed.peak), '100', '—']);
  const widths = header.map((_, i) => Math.max(...lines.map((l) => String(l[i]).length)));
  console.log('gemm GFLOPS (single thread, median of tinybench samples)');
  console.log(`ran with: wasm simd = ${describeRan(simd.ran)} | wasm relaxed = ${describeRan(relaxed.ran)} | js = ${describeRan(js.ran)}`);
  for (const l of lines) console.log(l.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join('  '));
  if (relaxed.error) console.log(`relaxed build: ${relaxed.error.split('\n')[0]}`);
  if (js.error) console.log(`js backend: ${js.error.split('\n')[0]}`);
  return { unit: 'GFLOPS', simd, relaxed, js };
}

export const name = 'gemm';

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  process.stdout.write(JSON.stringify(await runWasm(argv[1], { quick: argv.includes('--quick') })));
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await run({ quick: argv.includes('--quick') });
  writeFileSync(path.join(root, 'bench/results/gemm.tmp.json'), JSON.stringify(result, null, 2));
}
