// Every number in the README comes from here: the benchmark results (bench/results/*.json, written
// by `npm run bench`), the built bundle (dist/browser, by `npm run build`) and the sources (line
// counts). Each generated part of README.md sits between
//   <!-- numbers:NAME -->  …  <!-- /numbers:NAME -->
// and is rewritten in place; the text around the markers is left alone.
//
//   node scripts/readme-numbers.mjs            # rewrite README.md (also: npm run bench -- --readme)
//   node scripts/readme-numbers.mjs --check    # exit 1, naming the section, if README.md is stale
//   node scripts/readme-numbers.mjs --print    # print the sections instead of writing
//   … --results DIR                            # read the results from DIR instead of bench/results
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { nativeMarkdown } from '../bench/native-report.mjs';
import { describeRan } from '../bench/ran.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// ---- inputs --------------------------------------------------------------------------------------

let resultsDir = path.join(root, 'bench/results');

function results(section) {
  const file = path.join(resultsDir, `${section}.json`);
  if (!existsSync(file)) throw new Error(`${path.relative(root, file)} is missing: run \`npm run bench${section === 'stream' ? ' -- stream' : ''}\` (without --quick) first`);
  const r = JSON.parse(readFileSync(file, 'utf8'));
  if (r.quick) throw new Error(`${path.relative(root, file)} is from a --quick run; the README takes full runs only`);
  return r;
}

/** Line count of every file under `dir` (recursively) that `keep` accepts, as `wc -l` counts. */
function lines(dir, keep = () => true) {
  let n = 0;
  for (const e of readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })) {
    const rel = path.relative(root, path.join(e.parentPath ?? e.path, e.name));
    if (e.isFile() && rel.endsWith('.ts') && keep(rel)) n += (readFileSync(path.join(root, rel), 'utf8').match(/\n/g) ?? []).length;
  }
  return n;
}

/**
 * Browser bundle sizes: every browser file (dist/browser: the entry and the lazily loaded .keras,
 * ONNX and CSV files; dist/wasm: the two wasm builds), and what a page that trains on one thread
 * with the plain-SIMD build fetches: the entry, its static imports, and dist/wasm/simd.js.
 */
function bundleSizes() {
  const dir = path.join(root, 'dist/browser');
  const wasmDir = path.join(root, 'dist/wasm');
  const entry = path.join(dir, 'wasm-mlp.js');
  if (!existsSync(entry)) throw new Error('dist/browser/wasm-mlp.js is missing: run `npm run build` first');
  const size = (file) => {
    const b = readFileSync(file);
    return { min: b.length, gzip: gzipSync(b, { level: 9 }).length };
  };
  const all = { min: 0, gzip: 0 };
  const wasmBuilds = {};
  for (const d of [dir, wasmDir]) {
    for (const name of readdirSync(d)) {
      if (!name.endsWith('.js')) continue;
      const s = size(path.join(d, name));
      all.min += s.min;
      all.gzip += s.gzip;
      if (d === wasmDir) wasmBuilds[name.replace(/\.js$/, '')] = s;
    }
  }
  const seen = new Set();
  const page = { min: 0, gzip: 0 };
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const s = size(file);
    page.min += s.min;
    page.gzip += s.gzip;
    // Static imports only: dynamic ones (other builds, formats, handlers) load on use.
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from\s*|import\s*)["'](\.{1,2}\/[^"']+\.js)["']/g)) {
      visit(path.resolve(path.dirname(file), m[1]));
    }
  };
  visit(entry);
  visit(path.join(wasmDir, 'simd.js'));
  return { all, page, pageFiles: seen.size, wasmBuilds };
}

// ---- formatting ----------------------------------------------------------------------------------

const int = (v) => Math.round(v).toLocaleString('en-US');
const one = (v) => v.toFixed(1);
const kib = (bytes) => (bytes / 1024).toFixed(1);
const range = (values, f = one) => {
  const lo = Math.min(...values), hi = Math.max(...values);
  return f(lo) === f(hi) ? f(lo) : `${f(lo)}–${f(hi)}`;
};
const times = (v) => (v >= 20 ? `${Math.round(v)}×` : `${v.toFixed(1)}×`);

// ---- the sections --------------------------------------------------------------------------------

/**
 * The generated text of every section. A section whose inputs are missing or refused (a --quick
 * run, a row that ran another build than its label) says so in place of numbers, and `--check`
 * fails — nothing stale or mislabelled is kept.
 */
function sections() {
  const out = {};
  const parts = [['size', sizeSections], ['threads', threadSections], ['train', trainSections], ['stream', streamSections], ['native', nativeSections]];
  for (const [, make] of parts) {
    try {
      Object.assign(out, make());
    } catch (e) {
      for (const name of make.names) out[name] = `*Not generated: ${e.message}.*`;
    }
  }
  return out;
}
trainSections.names = ['headline', 'bench', 'not-met'];
threadSections.names = ['threads'];
nativeSections.names = ['native'];

/** The native-peers section (PyTorch, Keras-on-JAX; issue 18's targets), from bench/results/native.json alone. */
function nativeSections() {
  return { native: nativeMarkdown(results('native')) };
}

/** The Threads section's one-line figure, from bench/results/threads.json alone. */
function threadSections() {
  const threads = results('threads');
  const th = threads.result.train;
  const t1 = th['1'];
  const tN = Object.entries(th).find(([k]) => k !== '1')[1];
  const m = threads.machine;
  return {
    threads:
      `on a ${m.cores}-core ${m.cpu} (${describeRan(tN.ran ?? { build: 'simd', threads: tN.threads, flags: ['(flags not recorded)'] })}), MNIST training runs ` +
      `${(tN.mnist[64] / t1.mnist[64]).toFixed(2)}× as fast at batch 64 and ${(tN.mnist[256] / t1.mnist[256]).toFixed(2)}× at batch 256 on ${tN.threads} threads as on one`,
  };
}
sizeSections.names = ['page-size', 'size', 'lines'];
streamSections.names = ['stream'];

/** The streaming figure (a CSV larger than memory through `wasm-mlp train --stream`), from bench/results/stream.json. */
function streamSections() {
  const { result: r, date } = results('stream');
  const m = r.machine;
  const c = r.cli;
  const load = m.loadAverage1m ? `, 1-minute load average ${m.loadAverage1m.min.toFixed(1)}–${m.loadAverage1m.max.toFixed(1)} during the run` : '';
  const min = (s) => (s >= 120 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(0)} s`);
  const rows = Math.round((r.sample.rows / r.sample.MB) * r.fileMB);
  return {
    stream:
      `On a generated ${r.fileMB >= 1000 ? `${(r.fileMB / 1000).toFixed(2)} GB` : `${r.fileMB.toFixed(0)} MB`} CSV (about ${(rows / 1e6).toFixed(1)} million rows of 20 numbers, a category and a class; ` +
      `${m.cores}-core ${m.cpu}, ${m.memGiB} GiB, Node ${m.node}${m.note ? `; ${m.note}` : ''}${load}; ${date.slice(0, 10)}), ` +
      `\`wasm-mlp train --stream --epochs 1\` took ${min(c.secs)} (${c.MBps.toFixed(1)} MB/s end to end) with a **peak RSS of ${c.peakRssMiB.toFixed(0)} MiB**. ` +
      `It parsed the text ${c.csvParses === 1 ? 'once' : c.csvParses === 2 ? 'twice' : `${c.csvParses} times`} (the statistics pass at ${c.statistics.MBps.toFixed(1)} MB/s; the epoch, parsing in a worker thread while the main thread trained, at ${c.epoch.MBps.toFixed(1)} MB/s, ${int(c.epoch.rowsPerSec)} rows/s) ` +
      `and read its row cache ${c.cachePasses} times (validation and the final scores). ` +
      `Separately, on a ${r.sample.MB.toFixed(0)} MB sample: the statistics pass ${r.sample.statisticsMBps.toFixed(1)} MB/s, parsing and encoding ${r.sample.parseMBps.toFixed(1)} MB/s (${int(r.sample.parseRowsPerSec)} rows/s); ` +
      `training alone on in-memory batches of ${r.batch} ${int(r.train.rowsPerSec)} rows/s (${r.threads} thread${r.threads > 1 ? 's' : ''}) — ${r.train.rowsPerSec > c.epoch.rowsPerSec ? 'parsing' : 'training'} sets the pace.`,
  };
}

function trainSections() {
  const train = results('train');
  const gemm = results('gemm');
  const threads = results('threads');
  const T = train.result;
  const simd = T['wasm-mlp wasm (SIMD)'];
  const relaxed = T['wasm-mlp wasm (relaxed SIMD)'];
  const js = T['wasm-mlp js'];
  const tfw = T['TensorFlow.js wasm'];
  const tfc = T['TensorFlow.js cpu'];
  // Refuse results that do not say (or do not match) what they ran with.
  for (const [label, r, want] of [['wasm-mlp wasm (SIMD)', simd, 'simd'], ['wasm-mlp wasm (relaxed SIMD)', relaxed, 'relaxed']]) {
    const build = r.ran?.build ?? (r.info ? (r.info.relaxedSimd ? 'relaxed' : 'simd') : undefined);
    if (build !== want) throw new Error(`bench/results/train.json: the '${label}' row ran the '${build}' build; re-run \`npm run bench\``);
  }
  const G = gemm.result;
  const th = threads.result;
  const t1 = th.train['1'];
  const tN = Object.entries(th.train).find(([k]) => k !== '1')[1];
  const m = train.machine;
  const out = {};

  const vsWasm = [64, 256].map((b) => simd.mnist[b] / tfw.mnist[b]);
  const vsCpu = [64, 256].map((b) => simd.mnist[b] / tfc.mnist[b]);
  const threadGain = [64, 256].map((b) => tN.mnist[b] / t1.mnist[b]);
  const square = (rows) => Object.entries(rows).filter(([l]) => /³$/.test(l) && !/ 64³/.test(l)).map(([, v]) => v).filter((v) => v != null);
  out.headline =
    `the MNIST MLP trains ${range(vsWasm, (v) => times(v))} faster than TensorFlow.js's \`wasm\` backend and ` +
    `${range(vsCpu, (v) => times(v))} faster than its \`cpu\` backend on one core (plain SIMD; ${range(threadGain, (v) => `${v.toFixed(2)}×`)} more on ` +
    `${tN.threads} threads); a tiny Playground net steps in ${one(simd.tiny)} µs (TensorFlow.js \`wasm\`: ${int(tfw.tiny)} µs). gemm runs at ` +
    `${range(square(G.simd.rows))} GFLOPS on plain SIMD128 and ${range(square(G.relaxed.rows))} with relaxed-SIMD FMA (128³ … 1024³)`;


  const row = (label, r) => `| ${label} | ${describeRan(r.ran ?? legacyRan(r))} | ${int(r.mnist[64])} | ${int(r.mnist[256])} | ${r === simd ? '' : `${times(simd.mnist[64] / r.mnist[64])} / ${times(simd.mnist[256] / r.mnist[256])}`} |`;
  const p = simd.profile;
  const prof = (b) => {
    const u = p[b].usPerStep;
    // Results from before bench/step-profile.mjs have gemm with the sparse products in it and `data` = gather + sparsify.
    const products = u.gemm + (u.sparse ?? 0), gather = u.data ?? u.gather + u.sparsify;
    return `batch ${b} — gemm ${int(products)}, elementwise ${int(u.elementwise)}, loss ${int(u.loss)}, optimizer ${int(u.optimizer)}, batch gather and sparsify ${int(gather)}, JS and per-fit overhead ${int(u.overhead)}`;
  };
  const gemmRow = (label, pick) => {
    const cell = (rows) => {
      const v = Object.entries(rows ?? {}).filter(([l, x]) => x != null && pick(l)).map(([, x]) => x);
      return v.length ? range(v) : '—';
    };
    return `| ${label} | ${cell(G.simd.rows)} | ${cell(G.relaxed.rows)} | ${cell(G.js?.rows)} |`;
  };
  const sb = simd.scaling.batch, sw = simd.scaling.width;
  const params = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${Math.round(n / 1000)}k`);
  // The "effective" count is 6 FLOPs per parameter per sample; the first layer (784 inputs) needs no
  // input gradient, which is 2 of those 6 for its 784·256 weights.
  const mnistParams = 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10;
  const overcount = (2 * 784 * 256) / (6 * mnistParams);
  out.bench = [
    `Measured with \`npm run bench\` (one run, every peer side by side in it) on: ${m.cpu}, ${m.cores} cores, ${m.platform}, Node ${m.node}` +
      ` (${train.date.slice(0, 10)}). Every row says what it ran with — the wasm build, threads and V8 flags of the process that measured it;` +
      ' only the relaxed-SIMD rows run with `--experimental-wasm-relaxed-simd`, so the plain-SIMD rows are what Node 20 users get.' +
      ' Raw numbers: `bench/results/*.json`.',
    '',
    '**MNIST MLP training** — the `npm start` model (784-256-128-10, dropout 0.5, Adam), samples/s, single thread:',
    '',
    '| peer | ran with | batch 64 | batch 256 | wasm-mlp SIMD is faster by (64 / 256) |',
    '|---|---|---:|---:|---:|',
    row('wasm-mlp, wasm SIMD', simd),
    row('wasm-mlp, wasm relaxed SIMD', relaxed),
    row('wasm-mlp, js backend', js),
    row('TensorFlow.js `wasm`', tfw),
    row('TensorFlow.js `cpu`', tfc),
    '',
    `With ${tN.threads} threads (${describeRan(tN.ran ?? { build: 'simd', threads: tN.threads, flags: ['(flags not recorded)'] })}, results bit-identical): ${int(tN.mnist[64])} samples/s at batch 64 ` +
      `(${(tN.mnist[64] / t1.mnist[64]).toFixed(2)}× over one thread in the same run) and ${int(tN.mnist[256])} at batch 256 (${(tN.mnist[256] / t1.mnist[256]).toFixed(2)}×)` +
      (tN.digits ? `; on the 8,000 real digits (sparse path) ${(tN.digits[64] / t1.digits[64]).toFixed(2)}× and ${(tN.digits[256] / t1.digits[256]).toFixed(2)}×` : '') +
      ' (samples/s over a training epoch; fit\'s one-time copy of the data is not counted).' +
      ` Tiny net: ${t1.tiny.toFixed(2)} µs per step on 1 thread, ${tN.tiny.toFixed(2)} on ${tN.threads}` +
      ` (${tN.tiny <= t1.tiny ? 'no slower' : `${Math.round((100 * (tN.tiny - t1.tiny)) / t1.tiny)} % slower`}). Load average during that run: ${th.load.before} → ${th.load.after}.`,
    '',
    `Where one step goes (${describeRan(simd.ran ?? legacyRan(simd))}, µs per step, \`nn.profile\`): ${prof(64)}; ${prof(256)}.`,
    '',
    '**Tiny network** — Playground 2-8-8-1 tanh, batch 10, SGD, µs per training step:',
    '',
    '| wasm-mlp wasm SIMD | wasm-mlp wasm relaxed | wasm-mlp js | TensorFlow.js wasm | TensorFlow.js cpu |',
    '|---:|---:|---:|---:|---:|',
    `| ${one(simd.tiny)} | ${one(relaxed.tiny)} | ${one(js.tiny)} | ${int(tfw.tiny)} (${times(tfw.tiny / simd.tiny)} slower) | ${int(tfc.tiny)} (${times(tfc.tiny / simd.tiny)} slower) |`,
    '',
    `**Predict**, MNIST model, wasm SIMD: batch 1 latency ${one(simd.predict.latencyUs)} µs (TensorFlow.js wasm ${int(tfw.predict.latencyUs)} µs, cpu ${int(tfc.predict.latencyUs)} µs, ` +
      `our js ${int(js.predict.latencyUs)} µs); batch 1024: ${int(simd.predict.batch1024PerSec)} samples/s (TensorFlow.js wasm ${int(tfw.predict.batch1024PerSec)}).`,
    '',
    `**gemm GFLOPS** (single thread; the three layouts backprop uses; ran with: SIMD ${describeRan(G.simd.ran)}, relaxed ${describeRan(G.relaxed.ran)}):`,
    '',
    '| shape | wasm SIMD | wasm relaxed SIMD | js |',
    '|---|---:|---:|---:|',
    gemmRow('A·B, Aᵀ·B, A·Bᵀ at 64³', (l) => / 64³/.test(l)),
    gemmRow('A·B, Aᵀ·B, A·Bᵀ at 128³ … 1024³', (l) => /³$/.test(l) && !/ 64³/.test(l)),
    gemmRow('MNIST layers 784→256, 256→128, batch 64 and 256, all three', (l) => /b(64|256) (784→256|256→128)/.test(l)),
    gemmRow('output layer 128→10, batch 64 and 256', (l) => /b(64|256) 128→10/.test(l)),
    gemmRow('batch 1 (matrix·vector, memory-bound) 784→256', (l) => /b1 784→256/.test(l)),
    `| register-only mul+add loop (our peak probe) | ${one(G.simd.peak)} | ${one(G.relaxed.peak)} (FMA) | |`,
    '',
    `**Scaling** (${describeRan(simd.ran ?? legacyRan(simd))}; effective GFLOPS = 6 × parameters × samples/s):`,
    '',
    `| batch (784-256-128-10) | ${Object.keys(sb).join(' | ')} |`,
    `|---|${Object.keys(sb).map(() => '---:').join('|')}|`,
    `| samples/s | ${Object.values(sb).map((s) => int(s.samplesPerSec)).join(' | ')} |`,
    `| effective GFLOPS | ${Object.values(sb).map((s) => one(s.gflops)).join(' | ')} |`,
    '',
    `| width W (784-W-W-10, batch 128) | ${Object.keys(sw).join(' | ')} |`,
    `|---|${Object.keys(sw).map(() => '---:').join('|')}|`,
    `| parameters | ${Object.values(sw).map((s) => params(s.params)).join(' | ')} |`,
    `| samples/s | ${Object.values(sw).map((s) => int(s.samplesPerSec)).join(' | ')} |`,
    `| effective GFLOPS | ${Object.values(sw).map((s) => one(s.gflops)).join(' | ')} |`,
    '',
    'The "effective" figure counts 6 FLOPs per parameter per sample; the first layer needs no input gradient, so for the ' +
      `MNIST model the real count is ${Math.round(100 * overcount)} % lower.`,
  ].join('\n');

  const nt64 = G.simd.rows['dX   b64 128→10 NT'];
  const relaxedSquare = square(G.relaxed.rows);
  const jsRatio = [64, 256].map((b) => simd.mnist[b] / js.mnist[b]);
  out['not-met'] = [
    `- relaxed-SIMD gemm (128³ … 1024³): ${range(relaxedSquare)} GFLOPS${Math.max(...relaxedSquare) < 55 ? ', not the 55 targeted' : ''};`,
    `- wasm SIMD vs our own js backend on the MNIST model: ${range(jsRatio, (v) => `${v.toFixed(1)}×`)} (target 10×);`,
    `- the output layer's A·Bᵀ at batch 64 (128→10): ${one(nt64)} GFLOPS plain SIMD (too little work per loaded weight);`,
    `- the tiny net on ${tN.threads} threads: ${tN.tiny.toFixed(2)} µs per step vs ${t1.tiny.toFixed(2)} on one` +
      ` (${tN.tiny <= t1.tiny ? 'not slower' : `${Math.round((100 * (tN.tiny - t1.tiny)) / t1.tiny)} % slower`}).`,
  ].join('\n');

  return out;
}

function sizeSections() {
  const out = {};
  const sizes = bundleSizes();
  out['page-size'] = `${kib(sizes.page.gzip)} KiB gzip`;
  const builds = Object.values(sizes.wasmBuilds).map((s) => s.gzip / 1024);
  out.size =
    `**Bundle size**: the browser files are ${kib(sizes.all.min)} KiB minified (names kept, so stack traces stay readable; an app's bundler shortens them) / ` +
    `${kib(sizes.all.gzip)} KiB gzip in all, because they include ` +
    `two wasm builds (SIMD and relaxed SIMD, deflated, ${range(builds)} KiB gzip each; their shared-memory variants for threads are made from them on load) and lazily loaded ` +
    `saving handlers and CSV parser. A page that trains on one thread with the SIMD build and never saves fetches ${sizes.pageFiles} files: ` +
    `${kib(sizes.page.min)} KiB minified / **${kib(sizes.page.gzip)} KiB gzip** of wasm-mlp.`;

  const assembly = lines('assembly');
  const core = lines('src', (rel) => !/^src\/(cli|worker|io)\//.test(rel) && !rel.endsWith('.generated.ts'));
  out.lines = `Size of the core: \`assembly/\` ${int(assembly)} lines; \`src/\` without the CLI, worker, io and generated files ${int(core)} lines.`;
  return out;
}

/** Results written before rows recorded what they ran with: say what backendInfo() reported, and that the flags are unknown. */
function legacyRan(r) {
  if (!r.info) return undefined;
  return { build: r.info.name === 'js' ? 'js' : r.info.relaxedSimd ? 'relaxed' : 'simd', threads: r.info.threads, flags: ['(flags not recorded)'] };
}

// ---- rewriting -----------------------------------------------------------------------------------

export function rewrite(text, generated) {
  let out = text;
  for (const [name, body] of Object.entries(generated)) {
    const re = new RegExp(`(<!-- numbers:${name} -->)([\\s\\S]*?)(<!-- /numbers:${name} -->)`);
    if (!re.test(out)) throw new Error(`README.md has no <!-- numbers:${name} --> … <!-- /numbers:${name} --> section`);
    const inline = !body.includes('\n') && !/\n/.test(re.exec(out)[2]);
    out = out.replace(re, (_, open, _old, close) => (inline ? `${open}${body}${close}` : `${open}\n${body}\n${close}`));
  }
  return out;
}

export function main(argv = process.argv.slice(2)) {
  const dirAt = argv.indexOf('--results');
  if (dirAt >= 0) resultsDir = path.resolve(argv[dirAt + 1]);
  const readme = path.join(root, 'README.md');
  const text = readFileSync(readme, 'utf8');
  const generated = sections();
  if (argv.includes('--print')) {
    for (const [k, v] of Object.entries(generated)) console.log(`--- ${k}\n${v}\n`);
    return 0;
  }
  const next = rewrite(text, generated);
  if (argv.includes('--check')) {
    const missing = Object.keys(generated).filter((k) => generated[k].startsWith('*Not generated'));
    if (missing.length) {
      console.error(`README.md section(s) ${missing.join(', ')} cannot be generated: ${generated[missing[0]]}`);
      return 1;
    }
    if (next === text) return 0;
    const stale = Object.keys(generated).filter((k) => rewrite(text, { [k]: generated[k] }) !== text);
    console.error(`README.md is stale in section(s) ${stale.join(', ')}: run \`node scripts/readme-numbers.mjs\``);
    return 1;
  }
  if (next !== text) writeFileSync(readme, next);
  console.log(next === text ? 'README.md numbers are current' : 'README.md numbers rewritten');
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main();
