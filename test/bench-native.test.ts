/**
 * `npm run bench -- native` (bench/native.mjs, bench/native-report.mjs): the rows it plans, how it
 * labels them with what they ran with, how it refuses a row that ran something else, issue 18's
 * targets computed from the numbers, the README section; then one --quick run end to end (seconds),
 * with the Python that is here: the bench's own venv when it was built (PyTorch and Keras-JAX), else
 * the test venv (Keras-JAX, and the PyTorch rows must say how to get torch). No timed assertions.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-ignore — plain .mjs bench modules, no declaration files
import { BATCH8_BASELINE, checkRow, describeNative, epochSpread, nativeMarkdown, plan, profiled, summarize, targets } from '../bench/native-report.mjs';
// @ts-ignore
import { PHASES, summarizeProfile } from '../bench/step-profile.mjs';
// @ts-ignore
import { allowedCpus, readNpy, writeNpy } from '../bench/native.mjs';
// @ts-ignore
import { intentData } from '../examples/lib/intent-data.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'wasm-mlp-native-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const torchRan = { build: 'pytorch', threads: 1, device: 'cpu', isa: 'AVX512', versions: { torch: '2.13.0+cpu', python: '3.11.2' }, cpus: [0] };
const kerasRan = { build: 'keras-jax', threads: 2, device: 'cpu (cpu)', xlaFlags: '', versions: { keras: '3.15.1', jax: '0.10.2' }, cpus: [0, 1] };
const wasmRan = { build: 'relaxed', threads: 1, flags: ['--experimental-wasm-relaxed-simd'], node: 'v20', cpus: [0] };

/** A native.json result with every row at the given samples/s (by row id and batch). */
function result(rates: Record<string, Record<number, number>>) {
  const rows: Record<string, unknown> = {};
  for (const r of plan()) {
    const ran = r.peer === 'wasm-mlp' ? { build: r.build, threads: r.threads, flags: r.build === 'relaxed' ? ['--experimental-wasm-relaxed-simd'] : [], node: 'v20', cpus: r.cpus.split(',').map(Number) }
      : { ...(r.peer === 'pytorch' ? torchRan : kerasRan), threads: r.threads, cpus: r.cpus.split(',').map(Number) };
    const mine = rates[r.id];
    rows[r.id] = { ...r, ...(mine ? { ran, rates: Object.fromEntries(Object.entries(mine).map(([b, v]) => [b, summarize([v * 0.9, v])])) } : { missing: 'Python: no venv' }) };
  }
  return { load: { before: '1.00', after: '1.20' }, protocol: { warmupEpochs: 1, epochs: 5, seed: 1 }, data: { mnist: { n: 7996, source: 'mnist' }, intent: { n: 8000, source: 'intent' } }, python: {}, rows };
}

describe('native bench: rows, labels, targets', () => {
  it('plans every peer × model × thread count, each pinned to its CPUs', () => {
    const rows = plan();
    const ids = rows.map((r: { id: string }) => r.id);
    expect(ids).toEqual([
      'mnist/1/wasm-mlp-simd', 'mnist/1/wasm-mlp-relaxed', 'mnist/1/pytorch', 'mnist/1/keras-jax',
      'mnist/2/wasm-mlp-simd', 'mnist/2/pytorch', 'mnist/2/keras-jax',
      'intent/1/wasm-mlp-simd', 'intent/1/wasm-mlp-relaxed', 'intent/1/pytorch', 'intent/1/keras-jax',
    ]);
    expect(rows[0]).toMatchObject({ cpus: '0', threads: 1, batches: [8, 32, 64, 256] });
    expect(rows[4]).toMatchObject({ cpus: '0,1', threads: 2, batches: [64, 256] });
    expect(rows[7]).toMatchObject({ model: 'intent', batches: [32, 64] });
    expect(plan({ cores: 1 })[4].skip).toMatch(/1 core/);
    expect(plan({ quick: true }).every((r: { batches: number[] }) => r.batches.length === 1)).toBe(true);
  });

  it('labels each row with what its process reported', () => {
    expect(describeNative(torchRan)).toBe('torch 2.13.0+cpu · cpu AVX512 · 1 thread · CPU 0');
    expect(describeNative(kerasRan)).toBe('keras 3.15.1, jax 0.10.2 · cpu (cpu) · 2 threads · CPUs 0,1');
    expect(describeNative({ ...kerasRan, osThreads: 16 })).toBe('keras 3.15.1, jax 0.10.2 · cpu (cpu) · 2 threads (16 OS threads) · CPUs 0,1');
    expect(describeNative(wasmRan)).toBe('relaxed · 1 thread · --experimental-wasm-relaxed-simd · CPU 0');
    expect(describeNative({ ...wasmRan, cpus: undefined })).toMatch(/not pinned$/);
    expect(describeNative(undefined)).toBe('not recorded');
  });

  it('refuses a row whose process ran another build, thread count or CPU set', () => {
    const [simd1, relaxed1, torch1] = plan();
    const torch2 = plan()[5];
    expect(checkRow(relaxed1, wasmRan)).toBe(wasmRan);
    expect(() => checkRow(simd1, wasmRan)).toThrow(/'mnist\/1\/wasm-mlp-simd' row: it ran 'relaxed', not 'simd'/);
    expect(() => checkRow(torch2, torchRan)).toThrow(/1 thread\(s\), not 2/);
    expect(() => checkRow(torch1, { ...torchRan, cpus: [1] })).toThrow(/CPUs 1, not 0/);
  });

  it('summarizes epochs as the fastest and the median, and rejects what is not a rate', () => {
    expect(summarize([3, 1, 2])).toEqual({ best: 3, median: 2, epochs: [3, 1, 2] });
    expect(summarize([4, 1, 2, 3]).median).toBe(2.5);
    expect(() => summarize([])).toThrow(/non-empty list of positive samples\/s/);
    expect(() => summarize([1, Number.NaN])).toThrow(/positive samples\/s/);
  });

  it("computes issue 18's targets from the numbers: met, not met, and not measured", () => {
    const t = targets(result({
      'mnist/1/wasm-mlp-simd': { 8: 17000, 32: 30000, 64: 40000, 256: 50000 },
      'mnist/1/keras-jax': { 8: 12000, 32: 35000, 64: 39000, 256: 80000 },
      'mnist/1/pytorch': { 256: 55000 },
      'mnist/2/wasm-mlp-simd': { 64: 70000, 256: 95000 },
      'intent/1/wasm-mlp-simd': { 32: 40000, 64: 50000 },
      'intent/1/keras-jax': { 32: 20000, 64: 26000 },
    }));
    const by = (what: RegExp) => t.find((x: { what: string }) => what.test(x.what));
    expect(by(/batch 8: wasm-mlp ÷ Keras/)).toMatchObject({ met: true, goal: 1 });
    expect(by(/batch 32: wasm-mlp ÷ Keras/)).toMatchObject({ met: false });
    expect(by(/intent.*batch 32/)).toMatchObject({ value: 2, met: true });
    expect(by(/intent.*batch 64/).met).toBe(false);
    expect(by(/batch 256: wasm-mlp ÷ PyTorch/).value).toBeCloseTo(50000 / 55000);
    expect(by(/two threads ÷ one, batch 256/)).toMatchObject({ value: 1.9, goal: 1.85, met: true });
    expect(by(/two threads ÷ one, batch 64/)).toMatchObject({ value: 1.75, met: true });
    expect(by(/batch 8: samples\/s/)).toMatchObject({ value: 17000, goal: 1.5 * BATCH8_BASELINE, met: true });
    // No Python: the targets that need a Python peer are "not measured", never met or failed.
    const none = targets(result({ 'mnist/1/wasm-mlp-simd': { 8: 10000, 256: 40000 } }));
    expect(none.find((x: { what: string }) => /PyTorch/.test(x.what))).toMatchObject({ value: undefined, met: undefined });
    expect(none.find((x: { what: string }) => /batch 8: samples/.test(x.what)).met).toBe(false);
  });

  it('writes the README section: one table per model with every row, then the targets', () => {
    const md = nativeMarkdown({ date: '2026-12-01T07:00:00Z', machine: { cpu: 'Test CPU', cores: 2, platform: 'linux', node: 'v20.20.2' }, result: result({
      'mnist/1/wasm-mlp-simd': { 8: 17000, 32: 30000, 64: 40000, 256: 50000 },
      'mnist/1/pytorch': { 8: 3000, 32: 17000, 64: 24000, 256: 55000 },
    }) });
    expect(md).toContain('| wasm-mlp, plain SIMD | simd · 1 thread · no flags · CPU 0 | 17,000 | 30,000 | 40,000 | 50,000 |');
    expect(md).toContain('| PyTorch (CPU) | torch 2.13.0+cpu · cpu AVX512 · 1 thread · CPU 0 | 3,000 | 17,000 | 24,000 | 55,000 |');
    expect(md).toContain('| Keras 3 on JAX | Python: no venv | — | — | — | — |');
    expect(md).toContain('| MNIST, one core, batch 256: wasm-mlp ÷ PyTorch | 0.91× | ≥ 1× | not met |');
    expect(md).toContain('| MNIST, one core, batch 8: wasm-mlp ÷ Keras-JAX | — | ≥ 1× | not measured |');
    expect(md).toContain("| MNIST, one core, batch 8: samples/s (1.5 × the issue's 11,000) | 17,000 | ≥ 16,500 | met |");
    expect(md).toMatch(/7,996 real MNIST digits/);
    expect(md).not.toContain('busy');
    // A run on a loaded machine says so, from its own load average.
    const busy = result({ 'mnist/1/wasm-mlp-simd': { 8: 17000 } });
    busy.load = { before: '9.50 8.00 7.00', after: '3.00 3.00 3.00' };
    expect(nativeMarkdown({ date: '2026-12-01', machine: { cpu: 'C', cores: 2, platform: 'p', node: 'v20' }, result: busy })).toContain('**The machine was busy during this run** (load average 9.50 on 2 cores)');
  });

  it('groups a profile into phases per step and renders the plain-SIMD rows\' profiles', () => {
    const p = {
      kernels: { 'gemm NN': { calls: 4, ms: 2 }, 'gemm TN sparse': { calls: 2, ms: 4 }, sparsify: { calls: 2, ms: 1 }, optimizerStep: { calls: 2, ms: 6 }, gatherRows: { calls: 4, ms: 0.5 }, loss: { calls: 2, ms: 0.25 }, dropout: { calls: 4, ms: 0.75 } },
      kernelMs: 14.5, wallMs: 16.5,
    };
    const u = summarizeProfile(p, 2).usPerStep;
    expect(u).toEqual({ gemm: 1000, sparse: 2000, sparsify: 500, elementwise: 375, loss: 125, optimizer: 3000, gather: 250, overhead: 1000, total: 8250 });
    expect(PHASES.map(([k]: [string]) => k)).toEqual(['gemm', 'sparse', 'sparsify', 'elementwise', 'loss', 'optimizer', 'gather', 'overhead']);
    expect(() => summarizeProfile(p, 0)).toThrow(/step count > 0, got 0/);
    // Only the headline rows (plain SIMD, one core) profile their steps.
    expect(plan().filter(profiled).map((r: { id: string }) => r.id)).toEqual(['mnist/1/wasm-mlp-simd', 'intent/1/wasm-mlp-simd']);
    const file = { date: '2026-12-01', machine: { cpu: 'C', cores: 2, platform: 'p', node: 'v20' }, result: result({ 'mnist/1/wasm-mlp-simd': { 8: 17000 } }) };
    expect(nativeMarkdown(file)).toContain('*Per-step profile: not in these results');
    (file.result.rows['mnist/1/wasm-mlp-simd'] as any).profile = { 8: summarizeProfile(p, 2) };
    const md = nativeMarkdown(file);
    expect(md).toContain('| model, batch | dense products | sparse products | sparsify | activations, dropout, bias | loss + accuracy | optimizer | batch gather | JS between kernels | total |');
    expect(md).toContain('| MNIST batch 8 | 1,000 | 2,000 | 500 | 375 | 125 | 3,000 | 250 | 1,000 | 8,250 |');
  });

  it("names the largest epoch-to-epoch spread of one row, and says so under the targets", () => {
    const r = result({ 'mnist/1/wasm-mlp-simd': { 8: 1000, 64: 2000 }, 'intent/1/keras-jax': { 32: 500 } });
    // result() gives each batch epochs [0.9v, v]: a spread of 1/0.9; make one row's epochs wider.
    (r.rows['intent/1/keras-jax'] as { rates: Record<number, unknown> }).rates[32] = summarize([300, 480, 450]);
    expect(epochSpread(r)).toMatchObject({ label: 'Keras 3 on JAX', model: 'intent', threads: 1, batch: 32 });
    expect(epochSpread(r).spread).toBeCloseTo(1.6, 10);
    const md = nativeMarkdown({ section: 'native', date: '2026-12-01T00:00:00Z', machine: { cpu: 'cpu', cores: 2, platform: 'linux', node: 'v20' }, quick: false, result: r });
    expect(md).toMatch(/differed by up to 1\.60× in this run \(Keras 3 on JAX, intent, 1 thread, batch 32\)/);
    expect(epochSpread({ rows: {} })).toBeUndefined();
  });

  it('prints 0.997× for a ratio just under its goal, never a rounded 1.00× marked "not met"', () => {
    const md = nativeMarkdown({ date: '2026-12-01', machine: { cpu: 'C', cores: 2, platform: 'p', node: 'v20' }, result: result({ 'mnist/1/wasm-mlp-simd': { 8: 9970 }, 'mnist/1/keras-jax': { 8: 10000 } }) });
    expect(md).toContain('| MNIST, one core, batch 8: wasm-mlp ÷ Keras-JAX | 0.997× | ≥ 1× | not met |');
  });
});

describe('native bench: data files and pinning', () => {
  it('writes .npy files NumPy reads, and reads them back; refuses other files', () => {
    const file = path.join(dir, 'a.npy');
    const data = new Float32Array([1, 2.5, -3, 0, 5, 6]);
    writeNpy(file, data, 2, 3);
    const bytes = readFileSync(file);
    expect(bytes.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
    expect((10 + bytes.readUInt16LE(8)) % 64).toBe(0);
    expect(readNpy(file)).toEqual({ data, rows: 2, cols: 3 });
    expect(() => writeNpy(file, data, 4, 3)).toThrow(/Float32Array of 4×3, got Float32Array of 6/);
    writeFileSync(path.join(dir, 'b.npy'), 'not numpy');
    expect(() => readNpy(path.join(dir, 'b.npy'))).toThrow(/not a \.npy file/);
  });

  it('reads the CPUs a process may run on from /proc', () => {
    expect(allowedCpus('Name:\tnode\nCpus_allowed_list:\t0-2,5\n')).toEqual([0, 1, 2, 5]);
    expect(allowedCpus('Cpus_allowed_list:\t0\n')).toEqual([0]);
    expect(allowedCpus('')).toBeUndefined();
  });

  it('intent data: exactly 8 distinct words of 2,000 per sample, one intent each, seeded', () => {
    const a = intentData({ n: 300, seed: 4 }), b = intentData({ n: 300, seed: 4 });
    const same = (p: Float32Array, q: Float32Array) => Buffer.from(p.buffer).equals(Buffer.from(q.buffer));
    expect(same(a.x, b.x) && same(a.y, b.y)).toBe(true);
    for (let r = 0; r < 300; r++) {
      expect(a.x.subarray(r * 2000, (r + 1) * 2000).reduce((s: number, v: number) => s + v, 0)).toBe(8);
      expect(a.y.subarray(r * 20, (r + 1) * 20).reduce((s: number, v: number) => s + v, 0)).toBe(1);
    }
    expect(same(intentData({ n: 300, seed: 5 }).x, a.x)).toBe(false);
    expect(() => intentData({ n: 1, vocabulary: 4 })).toThrow(/must not exceed the vocabulary \(4\)/);
  });
});

/** The bench's own venv (PyTorch + Keras-JAX) when it was built here; else the test venv (Keras-JAX). */
async function benchPython(): Promise<{ python?: string; torch: boolean }> {
  const req = path.join(root, 'bench/python/requirements.txt');
  const key = createHash('sha256').update(readFileSync(req)).digest('hex').slice(0, 12);
  const venv = path.join(process.env.WASM_MLP_VENV_ROOT ?? path.join(os.homedir(), '.cache/wasm-mlp'), `venv-${key}`);
  if (existsSync(path.join(venv, '.complete'))) return { python: path.join(venv, 'bin/python'), torch: true };
  const { python } = await import('./helpers/python.js');
  return { python, torch: false };
}

describe('native bench: a --quick run end to end', () => {
  it('measures every row it can, labels each, and says how to get what is missing', async () => {
    const { python, torch } = await benchPython();
    const out = path.join(dir, 'native.json');
    const r = spawnSync(process.execPath, [path.join(root, 'bench/native.mjs'), '--quick', '--out', out], {
      encoding: 'utf8', timeout: 240_000, env: { ...process.env, WASM_MLP_BENCH_PYTHON: python ?? '/nonexistent/python' },
    });
    expect(r.status, r.stderr).toBe(0);
    const file = JSON.parse(readFileSync(out, 'utf8'));
    expect(file).toMatchObject({ section: 'native', quick: true });
    const rows = file.result.rows;
    expect(Object.keys(rows)).toHaveLength(11);
    for (const [id, row] of Object.entries<any>(rows)) {
      const wasm = row.peer === 'wasm-mlp';
      const canRun = wasm || (python && (row.peer === 'keras-jax' || torch));
      if (row.skip) continue;
      if (!canRun) {
        expect(row.missing, id).toMatch(python ? /does not import torch: .*pip install torch/ : /does not run.*WASM_MLP_BENCH_PYTHON/);
        continue;
      }
      expect(row.error, id).toBeUndefined();
      // Pinned where it was planned, with the thread count and build of its label.
      expect(row.ran.cpus, id).toEqual(row.cpus.split(',').map(Number));
      expect(row.ran.threads, id).toBe(row.threads);
      expect(row.ran.build, id).toBe(row.build ?? row.peer);
      if (row.build === 'relaxed') expect(row.ran.flags).toEqual(['--experimental-wasm-relaxed-simd']);
      if (row.build === 'simd') expect(row.ran.flags).toEqual([]);
      if (row.peer === 'keras-jax') expect(row.ran.versions.keras).toMatch(/^3\./);
      if (row.peer === 'pytorch') expect(row.ran.versions.torch).toMatch(/^2\./);
      for (const b of row.batches) expect(row.rates[b].best, `${id} batch ${b}`).toBeGreaterThan(0);
      // The headline rows say where a step's time goes: every phase, summing to the step's wall time.
      if (profiled(row)) {
        for (const b of row.batches) {
          const u = row.profile[b].usPerStep;
          expect(Object.keys(u).sort(), id).toEqual([...PHASES.map(([k]: [string]) => k), 'total'].sort());
          expect(u.optimizer, id).toBeGreaterThan(0);
          expect(PHASES.reduce((sum: number, [k]: [string]) => sum + u[k], 0), id).toBeCloseTo(u.total, 6);
        }
      } else expect(row.profile, id).toBeUndefined();
    }
    // The console shows the tables, every row with what it ran with, and the targets.
    expect(r.stdout).toContain("Issue 18's targets (plain SIMD)");
    expect(r.stdout).toMatch(/wasm-mlp, plain SIMD\s+simd · 1 thread · no flags · CPU 0/);
    expect(r.stdout).toMatch(/Where one step goes, wasm-mlp plain SIMD, one core[^\n]*\n[^\n]*optimizer[^\n]*\nMNIST batch 32 /);
  }, 240_000);
});
