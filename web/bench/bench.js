// Browser benchmarks through the public API only: predict / trainOnBatch / fit on each backend,
// and the same workloads in TensorFlow.js (wasm and webgl backends; loaded only when compared).
import * as nn from '/dist/browser/wasm-mlp.js';

const $ = (id) => document.getElementById(id);
const BACKENDS = [
  { id: 'wasm-relaxed', label: 'WASM relaxed SIMD', name: 'wasm', options: { build: 'relaxed' }, color: '#2f6fde' },
  { id: 'wasm-simd', label: 'WASM SIMD', name: 'wasm', options: { build: 'simd' }, color: '#7aa5ef' },
  { id: 'js', label: 'JS', name: 'js', options: {}, color: '#9aa3b5' },
  { id: 'tfjs-wasm', label: 'TensorFlow.js wasm', tfjs: 'wasm', color: '#f59322' },
  { id: 'tfjs-webgl', label: 'TensorFlow.js webgl', tfjs: 'webgl', color: '#c9732a' },
];
const MLP = [784, 256, 128, 10];
const mlpFlops = (rows) => 2 * rows * MLP.slice(1).reduce((s, u, i) => s + MLP[i] * u, 0);

function mlp(seed = 1) {
  const m = nn.sequential({ seed });
  m.add(nn.layers.dense({ units: 256, activation: 'relu', inputShape: [784] }));
  m.add(nn.layers.dense({ units: 128, activation: 'relu' }));
  m.add(nn.layers.dense({ units: 10, activation: 'softmax' }));
  m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  return m;
}
function randomArray(rows, cols, seed) {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
  const d = new Float32Array(rows * cols);
  for (let i = 0; i < d.length; i++) d[i] = rnd();
  return d;
}
function oneHotArray(rows, k) {
  const d = new Float32Array(rows * k);
  for (let r = 0; r < rows; r++) d[r * k + (r % k)] = 1;
  return d;
}

/** Call fn repeatedly for about `ms` (after a warm-up that lets the engine tier up); returns ms per call. */
async function time(fn, ms) {
  const w0 = performance.now();
  do await fn(); while (performance.now() - w0 < ms / 3);
  const t0 = performance.now();
  let n = 0, t = t0;
  do { await fn(); n++; t = performance.now(); } while (t - t0 < ms);
  return (t - t0) / n;
}

// Each workload makes its data once (plain arrays, so TensorFlow.js trains on the very same numbers)
// and runs it on wasm-mlp; web/bench/tfjs.js has the same workload for TensorFlow.js.
const WORKLOADS = [
  {
    id: 'predict', label: 'predict · MLP 784-256-128-10 · 512 rows', unit: 'GFLOP/s', flops: mlpFlops(512),
    data: () => ({ rows: 512, x: randomArray(512, 784, 1) }),
    async run(ms, d) { const m = mlp(); const x = nn.tensor2d(d.x, [d.rows, 784]); const per = await time(() => m.predict(x), ms); m.dispose(); return per; },
  },
  {
    id: 'train', label: 'trainOnBatch · MLP 784-256-128-10 · batch 128', unit: 'GFLOP/s', flops: 3 * mlpFlops(128),
    data: () => ({ rows: 128, x: randomArray(128, 784, 2), y: oneHotArray(128, 10) }),
    async run(ms, d) { const m = mlp(); const x = nn.tensor2d(d.x, [d.rows, 784]); const y = nn.tensor2d(d.y, [d.rows, 10]); const per = await time(() => m.trainOnBatch(x, y), ms); m.dispose(); return per; },
  },
  {
    id: 'fit', label: 'fit · Playground spiral 7-8-8-1 tanh · batch 10', unit: 'steps/s', steps: 4 * 50,
    data: () => {
      const { x, y } = nn.datasets.playground('spiral', { n: 500, seed: 1, labels: 'signed' });
      const f = nn.datasets.playgroundFeatures(x, ['x1', 'x2', 'x1Squared', 'x2Squared', 'x1x2', 'sinX1', 'sinX2']);
      return { rows: 500, x: f.data.slice(), y: y.data.slice() };
    },
    async run(ms, d) {
      const m = nn.sequential({ seed: 1, layers: [nn.layers.dense({ units: 8, activation: 'tanh', inputShape: [7] }), nn.layers.dense({ units: 8, activation: 'tanh' }), nn.layers.dense({ units: 1, activation: 'tanh' })] });
      m.compile({ optimizer: nn.optimizers.sgd({ learningRate: 0.03 }), loss: 'meanSquaredError' });
      const x = nn.tensor2d(d.x, [d.rows, 7]), y = nn.tensor2d(d.y, [d.rows, 1]);
      const per = await time(() => m.fit(x, y, { epochs: 4, batchSize: 10, yieldEvery: 1e9 }), ms);
      m.dispose();
      return per;
    },
  },
];
/** ms per call → the workload's throughput figure (GFLOP/s counted from the matrix products, or steps/s). */
const throughputOf = (w, per) => (w.flops ? w.flops / per / 1e6 : (w.steps * 1000) / per);

/** A row's "ran with": wasm-mlp's build and threads, TensorFlow.js's SIMD / threads or WebGL renderer. */
function ranWith(info) {
  if (!info) return '';
  if (info.name === 'tfjs-wasm') return `tfjs ${info.version} · ${info.binary ?? (info.simd ? 'SIMD' : 'no SIMD')} · ${info.threads} XNNPACK thread${info.threads === 1 ? '' : 's'}`;
  if (info.name === 'tfjs-webgl') return `tfjs ${info.version} · WebGL ${info.webglVersion}${info.renderer ? ` · ${info.renderer}` : ''}`;
  if (info.name === 'js') return 'TypeScript reference';
  return `${info.relaxedSimd ? 'relaxed SIMD' : 'SIMD'} · ${info.threads} thread${info.threads === 1 ? '' : 's'}`;
}
/** A speed-up for the table and chart: one decimal, or one significant digit below 0.1 (0.006×, not 0.0×). */
const times = (v) => `${v >= 0.1 ? v.toFixed(1) : v.toPrecision(1)}×`;
const escapeHtml = (t) => String(t).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

const results = [];
function renderTable() {
  const js = (w) => results.find((r) => r.workload === w && r.backend === 'js');
  $('table').tBodies[0].innerHTML = results.map((r, i) => {
    const base = js(r.workload);
    const speedup = base && r.ms ? base.ms / r.ms : undefined;
    const w = WORKLOADS.find((x) => x.id === r.workload);
    const first = `<td>${i > 0 && results[i - 1].workload === r.workload ? '' : w.label}</td><td>${BACKENDS.find((b) => b.id === r.backend).label}<div class="muted ran">${escapeHtml(ranWith(r.info))}</div></td>`;
    if (r.unavailable) return `<tr data-workload="${r.workload}" data-backend="${r.backend}" class="unavailable">${first}<td colspan="3" class="muted">not available: ${escapeHtml(r.unavailable)}</td></tr>`;
    return `<tr data-workload="${r.workload}" data-backend="${r.backend}">${first}<td class="num mono">${r.ms.toFixed(3)}</td><td class="num mono">${r.throughput.toFixed(r.throughput < 100 ? 2 : 0)} ${w.unit}</td><td class="num mono">${speedup ? times(speedup) : '–'}</td></tr>`;
  }).join('');
}

function renderChart() {
  const c = $('chart'), ctx = c.getContext('2d');
  ctx.clearRect(0, 0, c.width, c.height);
  const rows = WORKLOADS.map((w) => ({ w, bars: BACKENDS.map((b) => { const r = results.find((x) => x.workload === w.id && x.backend === b.id); const base = results.find((x) => x.workload === w.id && x.backend === 'js'); return { b, v: r?.ms && base ? base.ms / r.ms : 0, unavailable: r?.unavailable }; }) }));
  const max = Math.max(1, ...rows.flatMap((r) => r.bars.map((b) => b.v)));
  const left = 20, right = 90, top = 20, barH = 34, gap = 10, groupGap = 40;
  const height = top + rows.length * (32 + BACKENDS.length * (barH + gap) + groupGap - gap);
  if (c.height !== height) c.height = height;
  const W = c.width - left - right;
  ctx.font = '22px system-ui, sans-serif';
  let y = top;
  for (const { w, bars } of rows) {
    ctx.fillStyle = '#1d2330';
    ctx.fillText(w.label, left, y + 20);
    y += 32;
    for (const { b, v, unavailable } of bars) {
      const len = (v / max) * W;
      ctx.fillStyle = b.color;
      ctx.fillRect(left, y, Math.max(2, len), barH);
      const inside = left + len + 8 > c.width - 260;
      ctx.fillStyle = inside ? '#ffffff' : v ? '#1d2330' : '#9aa3b5';
      ctx.fillText(v ? `${times(v)} ${b.label}` : unavailable ? `${b.label}: not available` : `… ${b.label}`, inside ? left + 10 : left + Math.max(2, len) + 8, y + 25);
      y += barH + gap;
    }
    y += groupGap - gap;
  }
}

async function runAll() {
  $('run').disabled = true;
  results.length = 0;
  window.__bench = { done: false, results };
  const ms = Number($('duration').value);
  const withTfjs = $('tfjs').checked;
  const available = [];
  const unavailable = new Map();
  for (const b of BACKENDS) {
    if (b.tfjs) { if (withTfjs) available.push(b); continue; }
    try { await nn.setBackend(b.name, b.options); available.push(b); } catch (e) { $('status').textContent = `${b.label}: not available (${e.message})`; }
  }
  for (const w of WORKLOADS) {
    const data = w.data();
    for (const b of available) {
      $('status').textContent = `${w.label} on ${b.label}…`;
      await new Promise((r) => setTimeout(r, 30));
      let row;
      if (b.tfjs) {
        // Loads TensorFlow.js on first use; a backend this browser lacks (webgl in a headless
        // browser) becomes a row that says so.
        const { tfjsBackend, tfjsWorkloads } = await import('./tfjs.js');
        const peer = unavailable.has(b.id) ? { unavailable: unavailable.get(b.id) } : await tfjsBackend(b.tfjs);
        if (peer.unavailable) {
          unavailable.set(b.id, peer.unavailable);
          row = { workload: w.id, backend: b.id, unavailable: peer.unavailable };
        } else {
          const per = await tfjsWorkloads[w.id]({ tf: peer.tf, time, ms, data });
          row = { workload: w.id, backend: b.id, ms: per, throughput: throughputOf(w, per), info: peer.info };
        }
      } else {
        await nn.setBackend(b.name, b.options);
        const per = await w.run(ms, data);
        // What the row really ran on, recorded next to its numbers.
        row = { workload: w.id, backend: b.id, ms: per, throughput: throughputOf(w, per), info: nn.backendInfo() };
      }
      results.push(row);
      renderTable();
      renderChart();
    }
  }
  $('status').textContent = `done · ${navigator.userAgent.match(/(Chrome|Firefox|Safari)\/[\d.]+/)?.[0] ?? ''}${globalThis.crossOriginIsolated ? ' · cross-origin isolated' : ''}`;
  window.__bench.done = true;
  $('run').disabled = false;
}

$('run').addEventListener('click', runAll);
renderChart();
if (new URLSearchParams(location.search).get('tfjs') === '0') $('tfjs').checked = false;
if (new URLSearchParams(location.search).has('autorun')) {
  const d = new URLSearchParams(location.search).get('duration');
  if (d) { const o = new Option(`${d} ms`, d, true, true); $('duration').add(o); }
  runAll();
}
