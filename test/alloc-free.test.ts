/**
 * "A training step allocates nothing", shown rather than claimed: a child process (see
 * helpers/alloc-child.ts) counts the young-generation bytes V8 allocates over thousands of
* optimised trainOnBatch steps, for several optimizers, losses, dropout, regularizers, the
 * normalization / noise layers, learning-rate schedules and per-row sample weights (the weighted
 * loss kernel), on both
 * backends and on 1 and 2 wasm threads (every gemm and optimizer step split over the pool).
 *
 * What a step may allocate: V8 boxes a double returned from a call it did not inline (16 bytes),
 * and a step gets a few — the loss it returns, the loss and the regularisation penalty from the
 * backend (a wasm export's f64 result is boxed too): 20–75 bytes measured on every backend and
 * thread count, and V8's inlining decisions move a setup by two boxes between builds of the same
 * code (74.5 vs 106.5 bytes seen for one js setup). So the allowance is 128 bytes per step, eight
 * such boxes. The wasm wrapper's former two closures and an 8-number array per optimizer call
 * measured up to 145 bytes per step on one thread and over 1,100 on two, the js backend's boxed
 * loss 2,000, and the control below 176 more than its setup: each crosses the line.
 * Allocation counts, unlike times, do not depend on the machine's load. The control (one
 * 16-element array more per step, ~176 bytes, measured the same way) must show up, or the
 * instrument could not see what it is looking for.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ALLOWED_BYTES_PER_STEP = 128;
const child = fileURLToPath(new URL('./helpers/alloc-child.ts', import.meta.url));
let dir: string;
let bundle: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'wasm-mlp-alloc-'));
  bundle = path.join(dir, 'alloc-child.mjs');
  await build({ entryPoints: [child], bundle: true, platform: 'node', format: 'esm', target: 'es2022', outfile: bundle, logLevel: 'error' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Report {
  info: { name: string; threads: number };
  results: { name: string; bytesPerStep: number; controlBytesPerStep: number }[];
}

function run(backend: string, threads: number, steps: number): Report {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--min-semi-space-size=64', '--max-semi-space-size=64', bundle, backend, String(threads), String(steps)],
    { encoding: 'utf8', timeout: 170_000 },
  );
  expect(r.status, `child failed:\n${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Report;
}

describe('a training step allocates nothing in JS', () => {
  // Fewer steps on 2 threads: every split call waits for a worker, slow on a loaded machine.
  it.each([
    ['js', 1, 500],
    ['wasm', 1, 500],
    ['wasm', 2, 200],
  ] as const)('%s backend, %i thread(s): trainOnBatch, rounds of %i steps', { timeout: 180_000 }, (backend, threads, steps) => {
    const report = run(backend, threads, steps);
    expect(report.info.name).toBe(backend);
    expect(report.info.threads, 'the threads really started').toBe(threads);
    expect(report.results.length).toBe(9); // eight setups, one with every metric compiled (trainOnBatch runs them as fit does)
    for (const r of report.results) {
      expect(r.controlBytesPerStep, `${r.name}: the control's extra array must be visible`).toBeGreaterThan(r.bytesPerStep + 150);
      expect(r.bytesPerStep, `${r.name}: ${r.bytesPerStep.toFixed(1)} bytes allocated per step`).toBeLessThanOrEqual(ALLOWED_BYTES_PER_STEP);
    }
  });
});
