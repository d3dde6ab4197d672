// wasm-mlp against the native Python frameworks a user would otherwise reach for (issue 18):
// PyTorch (CPU) and Keras 3 on JAX train the same models on the same data as wasm-mlp's plain-SIMD
// and relaxed-SIMD builds —
//   - the seeds' MNIST classifier (examples/lib/models.mjs CLASSIFIERS.mnist) on the real digits of
//     examples/lib/mnist-data.mjs, batch 8/32/64/256 on one core and 64/256 on two;
//   - the bag-of-words intent classifier (CLASSIFIERS.intent) on examples/lib/intent-data.mjs,
//     batch 32/64 on one core.
// Every row is its own process pinned with `taskset -c` (CPU 0, or CPUs 0,1 for the two-thread
// rows), so no peer gets more cores than another; each reports what it ran with. The data are
// written once as .npy files that every process reads. Python comes from WASM_MLP_BENCH_PYTHON,
// else the cached venv of bench/python/requirements.txt (built on first use by
// scripts/python-venv.sh); without it the Python rows say how to get it and the rest runs.
//
//   node bench/native.mjs [--quick] [--out FILE]     (bench/run.mjs runs it as the 'native' section)
//   node bench/native.mjs --child <json>             internal: one wasm-mlp row in this process
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CLASSIFIERS, classifierModel } from '../examples/lib/models.mjs';
import { nativeTables, plan, checkRow, profiled, summarize } from './native-report.mjs';
import { ranWith } from './ran.mjs';
import { summarizeProfile } from './step-profile.mjs';
import { table } from './table.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const distEntry = path.join(root, 'dist/node/index.js');
const REQUIREMENTS = 'bench/python/requirements.txt';
const HOW_TO_GET_PYTHON =
  `install Python 3 with venv and pip, so that \`bash scripts/python-venv.sh ${REQUIREMENTS} torch,keras,jax\` can build the venv ` +
  `(pip install torch keras "jax[cpu]"), or point WASM_MLP_BENCH_PYTHON at a python that imports torch, keras and jax`;

// ---- .npy: the data every process reads ---------------------------------------------------------

/** Writes a float32 matrix as a NumPy .npy file (format 1.0, little-endian). */
export function writeNpy(file, data, rows, cols) {
  if (!(data instanceof Float32Array) || data.length !== rows * cols) throw new Error(`writeNpy: expected a Float32Array of ${rows}×${cols}, got ${data?.constructor?.name} of ${data?.length}`);
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head.writeUInt16LE(header.length, 8);
  writeFileSync(file, Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

/** Reads a 2-D float32 .npy file written by writeNpy (or NumPy). */
export function readNpy(file) {
  const b = readFileSync(file);
  if (b.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${file}: not a .npy file`);
  const len = b[6] === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = b[6] === 1 ? 10 : 12;
  const header = b.toString('latin1', start, start + len);
  const shape = /'shape':\s*\((\d+),\s*(\d+)\)/.exec(header);
  if (!/'descr':\s*'<f4'/.test(header) || /'fortran_order':\s*True/.test(header) || !shape) throw new Error(`${file}: expected a C-order 2-D '<f4' array, got header ${header.trim()}`);
  const [rows, cols] = [Number(shape[1]), Number(shape[2])];
  const body = b.subarray(start + len);
  if (body.length !== rows * cols * 4) throw new Error(`${file}: ${body.length} data bytes for a ${rows}×${cols} float32 array`);
  return { data: new Float32Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.length)), rows, cols };
}

async function writeData(dir, quick) {
  const { loadMnist } = await import('../examples/lib/mnist-data.mjs');
  const { intentData, INTENT_DATA } = await import('../examples/lib/intent-data.mjs');
  const mn = loadMnist();
  const nM = quick ? 512 : mn.nTrain;
  writeNpy(path.join(dir, 'mnist-x.npy'), mn.xTrain.subarray(0, nM * 784), nM, 784);
  writeNpy(path.join(dir, 'mnist-y.npy'), mn.yTrain.subarray(0, nM * 10), nM, 10);
  const it = intentData({ n: quick ? 512 : 8000, seed: 1 });
  writeNpy(path.join(dir, 'intent-x.npy'), it.x, it.n, it.vocabulary);
  writeNpy(path.join(dir, 'intent-y.npy'), it.y, it.n, it.classes);
  return {
    mnist: { n: nM, source: 'the training split of examples/lib/mnist-data.mjs, seed 1' },
    intent: { n: it.n, source: `examples/lib/intent-data.mjs, seed 1: ${INTENT_DATA.vocabulary.toLocaleString('en-US')}-word vocabulary, ${INTENT_DATA.wordsPerSample} words per sample, ${INTENT_DATA.classes} intents` },
  };
}

// ---- one wasm-mlp row (in a pinned child process) ---------------------------------------------------

/** The CPUs this process may run on (what `taskset` gave it), from /proc; undefined where there is no /proc. */
export function allowedCpus(status = existsSync('/proc/self/status') ? readFileSync('/proc/self/status', 'utf8') : '') {
  const m = /^Cpus_allowed_list:\s*(\S+)/m.exec(status);
  if (!m) return undefined;
  return m[1].split(',').flatMap((part) => {
    const [a, b = a] = part.split('-').map(Number);
    return Array.from({ length: b - a + 1 }, (_, i) => a + i);
  });
}

/** Steps a profile runs at least (at batch 256: 16 epochs of the 7,996 digits). */
const PROFILE_STEPS = 500;

async function wasmChild(spec) {
  if (!existsSync(distEntry)) throw new Error('dist/node/index.js is missing: run `npm run build` first');
  const nn = await import(pathToFileURL(distEntry).href);
  await nn.setBackend('wasm', { build: spec.build, threads: spec.threads });
  const ran = { ...ranWith({ build: spec.build, threads: spec.threads }, nn.backendInfo()), cpus: allowedCpus() };
  const xs = readNpy(spec.x), ys = readNpy(spec.y);
  const x = nn.tensor2d(xs.data, [xs.rows, xs.cols]);
  const y = nn.tensor2d(ys.data, [ys.rows, ys.cols]);
  const rates = {}, profile = {};
  for (const batchSize of spec.batches) {
    const model = classifierModel(nn, spec.model, { seed: spec.seed });
    const epochs = [];
    let t0 = 0;
    // One fit of 1 + epochs epochs, timed per epoch like the Keras side (the first is warm-up).
    await model.fit(x, y, {
      epochs: 1 + spec.epochs, batchSize, shuffle: true,
      callbacks: { onEpochBegin: () => { t0 = performance.now(); }, onEpochEnd: (e) => { if (e > 0) epochs.push(xs.rows / ((performance.now() - t0) / 1000)); } },
    });
    rates[batchSize] = epochs;
    // Where a step's time goes: one more fit of at least PROFILE_STEPS steps under nn.profile,
    // its wall time taken over the epochs only: fit's setup (copying the data into wasm memory,
    // 25-64 MB here) runs no kernel and is no step's cost.
    if (spec.profile) {
      const epochs = Math.max(1, Math.ceil((PROFILE_STEPS * batchSize) / xs.rows));
      let first = 0, last = 0;
      const callbacks = { onEpochBegin: () => { if (!first) first = performance.now(); }, onEpochEnd: () => { last = performance.now(); } };
      const p = await nn.profile(() => model.fit(x, y, { epochs, batchSize, shuffle: true, callbacks }));
      profile[batchSize] = summarizeProfile({ ...p, wallMs: last - first }, epochs * Math.ceil(xs.rows / batchSize));
    }
    model.dispose();
  }
  return { ran, rates, ...(spec.profile ? { profile } : {}) };
}

// ---- the section ----------------------------------------------------------------------------------

/** The python to use and what it imports, or why there is none. */
function findPython(log) {
  let python = process.env.WASM_MLP_BENCH_PYTHON;
  let how = 'WASM_MLP_BENCH_PYTHON';
  if (!python) {
    log(`native: preparing the Python venv of ${REQUIREMENTS} (cached after the first run)…`);
    const r = spawnSync('bash', [path.join(root, 'scripts/python-venv.sh'), REQUIREMENTS, 'torch,keras,jax'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) return { missing: `no Python venv (${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)}): ${HOW_TO_GET_PYTHON}` };
    python = r.stdout.trim().split('\n').at(-1);
    how = REQUIREMENTS;
  }
  const probe = spawnSync(python, ['-c', 'import importlib.util, json; print(json.dumps({m: importlib.util.find_spec(m) is not None for m in ["torch", "keras", "jax"]}))'], { encoding: 'utf8' });
  if (probe.status !== 0) return { missing: `${python} does not run (${(probe.stderr || probe.error?.message || '').trim().split('\n').at(-1)}): ${HOW_TO_GET_PYTHON}` };
  return { python, how, has: JSON.parse(probe.stdout) };
}

/** argv to run `cmd` pinned to `cpus` (taskset where it exists; else unpinned, and the row's CPU list says so). */
function pinned(cpus, cmd, args) {
  const taskset = ['/usr/bin/taskset', '/bin/taskset'].find(existsSync);
  return taskset ? [taskset, ['-c', cpus, cmd, ...args]] : [cmd, args];
}

function measure(row, spec, python) {
  let cmd, args;
  if (row.peer === 'wasm-mlp') {
    // Only the relaxed row gets the relaxed-SIMD flag: the plain-SIMD rows run as a user's plain Node 20.
    const flags = row.build === 'relaxed' ? ['--experimental-wasm-relaxed-simd'] : [];
    [cmd, args] = pinned(row.cpus, process.execPath, [...flags, fileURLToPath(import.meta.url), '--child', JSON.stringify(spec)]);
  } else {
    [cmd, args] = pinned(row.cpus, python, [path.join(here, 'native.py'), JSON.stringify({ ...spec, framework: row.peer === 'pytorch' ? 'torch' : 'keras' })]);
  }
  const out = execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KERAS_BACKEND: 'jax', JAX_PLATFORMS: 'cpu', TF_CPP_MIN_LOG_LEVEL: '2' } });
  return JSON.parse(out.trim().split('\n').at(-1));
}

export const name = 'native';

export async function run({ quick = false, log = console.log } = {}) {
  const load = () => os.loadavg().map((v) => v.toFixed(2)).join(' ');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wasm-mlp-native-'));
  try {
    const data = await writeData(dir, quick);
    const py = findPython(log);
    if (py.missing) log(`native: Python peers skipped — ${py.missing}`);
    const protocol = { warmupEpochs: 1, epochs: quick ? 1 : 5, seed: 1 };
    const loadBefore = load();
    const rows = {};
    for (const row of plan({ quick, cores: os.cpus().length })) {
      const { id, ...rest } = row;
      const entry = (rows[id] = rest);
      if (row.skip) continue;
      if (row.peer !== 'wasm-mlp') {
        const module = row.peer === 'pytorch' ? 'torch' : 'keras';
        if (py.missing) { entry.missing = `Python: ${py.missing}`; continue; }
        if (!py.has[module] || (module === 'keras' && !py.has.jax)) {
          const [what, pip] = module === 'keras' ? ['keras and jax', 'keras "jax[cpu]"'] : ['torch', 'torch (the CPU wheel)'];
          entry.missing = `${py.python} does not import ${what}: \`${py.python} -m pip install ${pip}\`, or leave WASM_MLP_BENCH_PYTHON unset so the bench builds its own venv from ${REQUIREMENTS}`;
          continue;
        }
      }
      const spec = { x: path.join(dir, `${row.model}-x.npy`), y: path.join(dir, `${row.model}-y.npy`), model: CLASSIFIERS[row.model], batches: row.batches, threads: row.threads, build: row.build, epochs: protocol.epochs, seed: protocol.seed, profile: profiled(row) };
      log(`native: ${row.label}, ${row.model}, ${row.threads} thread(s) on CPU ${row.cpus}…`);
      try {
        const r = measure(row, spec, py.python);
        entry.ran = checkRow(row, r.ran);
        entry.rates = Object.fromEntries(Object.entries(r.rates).map(([b, v]) => [b, summarize(v)]));
        if (r.profile) entry.profile = r.profile;
      } catch (e) {
        entry.error = String(e.stderr?.trim().split('\n').at(-1) || e.message || e).split('\n')[0].slice(0, 300);
      }
    }
    const result = { load: { before: loadBefore, after: load() }, protocol, data, python: py.missing ? { missing: py.missing } : { python: py.python, from: py.how }, rows };
    for (const t of nativeTables(result)) table(...t);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  process.stdout.write(JSON.stringify(await wasmChild(JSON.parse(argv[1]))));
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = argv.includes('--quick');
  const result = await run({ quick });
  const i = argv.indexOf('--out');
  if (i >= 0) writeFileSync(argv[i + 1], JSON.stringify({ section: name, date: new Date().toISOString(), machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, platform: `${os.platform()} ${os.release()} ${os.arch()}`, node: process.version }, quick, result }, null, 2) + '\n');
}
