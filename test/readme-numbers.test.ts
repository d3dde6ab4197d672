/**
 * The README's numbers are generated (scripts/readme-numbers.mjs) from bench/results/*.json, the
 * built bundle and the sources. Here: the generator labels every row with what it ran with, and
 * refuses results whose rows ran something else than their label (the old "SIMD" row that ran
 * the relaxed build) or come from a --quick run, instead of printing them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const script = path.join(root, 'scripts/readme-numbers.mjs');
const dir = mkdtempSync(path.join(os.tmpdir(), 'wasm-mlp-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ran = (build: string, threads = 1, flags: string[] = []) => ({ build, threads, flags, node: 'v20' });
const mnist = (a: number) => ({ 64: a, 256: a * 1.2 });
const predict = { latencyUs: 20, batch1024PerSec: 90000 };
const usPerStep = { gemm: 1000, elementwise: 30, loss: 5, optimizer: 250, data: 30, overhead: 100 };
const scaling = { batch: { 1: { samplesPerSec: 2000, gflops: 3 } }, width: { 64: { samplesPerSec: 100000, gflops: 40, params: 55000 } } };
const machine = { cpu: 'Test CPU', cores: 2, platform: 'linux', node: 'v20.20.2' };

function writeResults(simdBuild: string, quick = false): string {
  const d = mkdtempSync(path.join(dir, 'r-'));
  const train = {
    'wasm-mlp wasm (relaxed SIMD)': { ran: ran('relaxed', 1, ['--experimental-wasm-relaxed-simd']), mnist: mnist(40000), tiny: 2.4, predict, profile: {} },
    'wasm-mlp wasm (SIMD)': { ran: ran(simdBuild), mnist: mnist(30000), tiny: 2.5, predict, profile: { 64: { usPerStep }, 256: { usPerStep } }, scaling },
    'wasm-mlp js': { ran: ran('js'), mnist: mnist(3000), tiny: 7.5, predict },
    'TensorFlow.js wasm': { ran: ran('tfjs-wasm'), mnist: mnist(2500), tiny: 800, predict },
    'TensorFlow.js cpu': { ran: ran('tfjs-cpu'), mnist: mnist(500), tiny: 790, predict },
  };
  const rows = { 'NN 128³': 45, 'dX   b64 128→10 NT': 31 };
  const gemm = { simd: { ran: ran('simd'), rows, peak: 40 }, relaxed: { ran: ran('relaxed', 1, ['--experimental-wasm-relaxed-simd']), rows, peak: 58 }, js: { ran: ran('js'), rows } };
  const threads = { load: { before: '1', after: '1' }, train: { 1: { threads: 1, ran: ran('simd'), mnist: mnist(30000), tiny: 2.5 }, 2: { threads: 2, ran: ran('simd', 2), mnist: mnist(50000), tiny: 3.2 } } };
  const stream = {
    machine: { cpu: 'Test CPU', cores: 2, memGiB: 23.4, node: 'v20.20.2', loadAverage1m: { min: 8.5, mean: 10, max: 13.25, samples: 100 }, note: 'shared with 6 other jobs' },
    fileMB: 2048.1, batch: 256, threads: 2,
    sample: { MB: 128, rows: 800000, statisticsMBps: 4.2, parseMBps: 5.5, parseRowsPerSec: 36000 },
    train: { rowsPerSec: 150000 },
    cli: { secs: 1100, MBps: 1.86, peakRssMiB: 171.4, statistics: { MBps: 4, secs: 512 }, epoch: { MBps: 3.5, rowsPerSec: 19000 }, csvParses: 2, cachePasses: 3 },
  };
  const wasmRan = (build: string, threads: number, cpus: number[]) => ({ ...ran(build, threads, build === 'relaxed' ? ['--experimental-wasm-relaxed-simd'] : []), cpus });
  const rates = (v: Record<number, number>) => Object.fromEntries(Object.entries(v).map(([k, x]) => [k, { best: x, median: x, epochs: [x] }]));
  const native = {
    load: { before: '1', after: '1' }, protocol: { warmupEpochs: 1, epochs: 5, seed: 1 }, python: {},
    data: { mnist: { n: 7996, source: 'mnist' }, intent: { n: 8000, source: 'intent' } },
    rows: {
      'mnist/1/wasm-mlp-simd': { peer: 'wasm-mlp', build: 'simd', label: 'wasm-mlp, plain SIMD', model: 'mnist', threads: 1, cpus: '0', batches: [8, 256], ran: wasmRan('simd', 1, [0]), rates: rates({ 8: 12000, 256: 40000 }) },
      'mnist/1/pytorch': { peer: 'pytorch', label: 'PyTorch (CPU)', model: 'mnist', threads: 1, cpus: '0', batches: [8, 256], missing: 'Python: no venv' },
    },
  };
  for (const [name, result] of Object.entries({ train, gemm, threads, stream, native })) {
    writeFileSync(path.join(d, `${name}.json`), JSON.stringify({ section: name, date: '2026-12-01T00:00:00Z', machine, quick, result }));
  }
  return d;
}

function print(results: string): string {
  const r = spawnSync(process.execPath, [script, '--print', '--results', results], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('scripts/readme-numbers.mjs', () => {
  it('generates every section from the results, each row saying what it ran with', () => {
    const out = print(writeResults('simd'));
    expect(out).toContain('| wasm-mlp, wasm SIMD | simd · 1 thread · no flags | 30,000 | 36,000 |  |');
    expect(out).toContain('| wasm-mlp, wasm relaxed SIMD | relaxed · 1 thread · --experimental-wasm-relaxed-simd | 40,000 |');
    expect(out).toContain('| TensorFlow.js `wasm` | tfjs-wasm · 1 thread · no flags | 2,500 | 3,000 | 12.0× / 12.0× |');
    expect(out).toMatch(/the tiny net on 2 threads: 3\.20 µs per step vs 2\.50 on one \(28 % slower\)/);
    expect(out).toMatch(/Size of the core: `assembly\/` [\d,]+ lines/);
    expect(out).toContain('MNIST training runs 1.67× as fast at batch 64 and 1.67× at batch 256 on 2 threads as on one');
    expect(out).toMatch(/\*\*[\d.]+ KiB gzip\*\* of wasm-mlp/);
    expect(out).toContain('On a generated 2.05 GB CSV (about 12.8 million rows of 20 numbers, a category and a class; 2-core Test CPU, 23.4 GiB, Node v20.20.2; shared with 6 other jobs, 1-minute load average 8.5–13.3 during the run; 2026-12-01)');
    expect(out).toContain('took 18.3 min (1.9 MB/s end to end) with a **peak RSS of 171 MiB**. It parsed the text twice (the statistics pass at 4.0 MB/s;');
    expect(out).toMatch(/read its row cache 3 times .* training alone on in-memory batches of 256 150,000 rows\/s \(2 threads\) — parsing sets the pace\./);
    expect(out).toContain('| wasm-mlp, plain SIMD | simd · 1 thread · no flags · CPU 0 | 12,000 | 40,000 |');
    expect(out).toContain('| PyTorch (CPU) | Python: no venv | — | — |');
    expect(out).toContain("| MNIST, one core, batch 8: samples/s (1.5 × the issue's 11,000) | 12,000 | ≥ 16,500 | not met |");
    expect(out).not.toContain('Not generated');
  });

  it('refuses a "SIMD" row that ran the relaxed build, and a --quick run', () => {
    expect(print(writeResults('relaxed'))).toMatch(/Not generated: .*'wasm-mlp wasm \(SIMD\)' row ran the 'relaxed' build/);
    expect(print(writeResults('simd', true))).toMatch(/Not generated: .*from a --quick run/);
  });

  it('the README has every marked section', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    for (const name of ['headline', 'page-size', 'bench', 'not-met', 'size', 'lines', 'threads', 'stream', 'native']) {
      expect(readme).toContain(`<!-- numbers:${name} -->`);
      expect(readme).toContain(`<!-- /numbers:${name} -->`);
    }
  });
});
