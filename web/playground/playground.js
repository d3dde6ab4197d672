// The Playground page. Only the public API of the built bundle is used: datasets, sequential models
// (main-thread copies that draw the heatmaps) and nn.worker (the model that trains, in a worker).
import * as nn from '/dist/browser/wasm-mlp.js';

// ---- settings and the URL ------------------------------------------------------------------------

const FEATURES = [['x1', 'X₁'], ['x2', 'X₂'], ['x1Squared', 'X₁²'], ['x2Squared', 'X₂²'], ['x1x2', 'X₁X₂'], ['sinX1', 'sin X₁'], ['sinX2', 'sin X₂']];
const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const REG_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const OPTIMIZERS = nn.optimizers.optimizerNames;
const ACTIVATIONS = Object.keys(nn.activations);
const KINDS = ['circle', 'xor', 'gauss', 'spiral'];
const MAX_LAYERS = 6;
const MAX_NEURONS = 8;
const N_POINTS = 500;
const GRID = 48; // heatmap resolution (cells per side) over the Playground's domain [-6, 6]

const DEFAULTS = { data: 'circle', noise: 0, ratio: 50, seed: 1, batch: 10, lr: 0.03, act: 'tanh', opt: 'sgd', reg: 'none', rr: 0, net: [4, 2], f: ['x1', 'x2'], backend: 'wasm' };

function encodeState(s) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(s)) p.set(k, Array.isArray(v) ? v.join(k === 'net' ? '-' : '.') : String(v));
  return p.toString();
}

function decodeState(hash) {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const s = structuredClone(DEFAULTS);
  const num = (k, ok) => { const v = Number(p.get(k)); if (p.has(k) && Number.isFinite(v) && ok(v)) s[k] = v; };
  const pick = (k, list) => { if (list.includes(p.get(k))) s[k] = p.get(k); };
  pick('data', KINDS); pick('act', ACTIVATIONS); pick('opt', OPTIMIZERS); pick('reg', ['none', 'l1', 'l2']); pick('backend', ['wasm', 'js']);
  num('noise', (v) => v >= 0 && v <= 50); num('ratio', (v) => v >= 10 && v <= 90); num('seed', (v) => Number.isInteger(v) && v >= 0);
  num('batch', (v) => Number.isInteger(v) && v >= 1 && v <= 30); num('lr', (v) => LEARNING_RATES.includes(v)); num('rr', (v) => REG_RATES.includes(v));
  if (p.has('net')) {
    const net = p.get('net') === '' ? [] : p.get('net').split('-').map(Number);
    if (net.length <= MAX_LAYERS && net.every((u) => Number.isInteger(u) && u >= 1 && u <= MAX_NEURONS)) s.net = net;
  }
  if (p.has('f')) {
    const f = p.get('f').split('.').filter((n) => FEATURES.some(([id]) => id === n));
    if (f.length) s.f = FEATURES.map(([id]) => id).filter((id) => f.includes(id));
  }
  return s;
}

let state = decodeState(location.hash);
const $ = (id) => document.getElementById(id);

// ---- data ----------------------------------------------------------------------------------------

let data; // { raw: split of coordinates, feat: split of features, nTrain }
function makeData(s = state) {
  const { x, y } = nn.datasets.playground(s.data, { n: N_POINTS, noise: s.noise / 100, seed: s.seed, labels: 'signed' });
  const split = { testRatio: 1 - s.ratio / 100, seed: s.seed };
  const raw = nn.datasets.splitTrainTest(x, y, split);
  const feat = nn.datasets.splitTrainTest(nn.datasets.playgroundFeatures(x, s.f), y, split);
  return { raw, feat, nTrain: raw.xTrain.shape[0] };
}

const gridPoints = (() => {
  const rows = [];
  for (let j = 0; j < GRID; j++) for (let i = 0; i < GRID; i++) rows.push([-6 + (12 * (i + 0.5)) / GRID, 6 - (12 * (j + 0.5)) / GRID]);
  return nn.tensor2d(rows);
})();

// ---- models --------------------------------------------------------------------------------------

/** The plain-data model description the worker builds (the Playground's net: tanh output, ½·MSE units). */
function modelSpec(s = state, seed = s.seed) {
  const reg = s.reg === 'none' || s.rr === 0 ? {} : { kernelRegularizer: s.reg === 'l1' ? { l1: s.rr, l2: 0 } : { l1: 0, l2: s.rr } };
  const layers = s.net.map((units, i) => ({ type: 'dense', units, activation: s.act, ...(i === 0 ? { inputShape: [s.f.length] } : {}), ...reg }));
  layers.push({ type: 'dense', units: 1, activation: 'tanh', ...(s.net.length === 0 ? { inputShape: [s.f.length] } : {}), ...reg });
  return { seed, layers, backend: s.backend, compile: { optimizer: { name: s.opt, learningRate: s.lr }, loss: 'meanSquaredError' } };
}

/**
 * Main-thread copies for drawing: probe k is the network cut after hidden layer k (the last one is
 * the whole network). They get the worker's weights and predict the grid.
 */
function buildProbes(spec) {
  const probes = [];
  for (let k = 1; k <= spec.layers.length; k++) {
    const m = nn.sequential({ seed: 0 });
    for (const { type, kernelRegularizer, ...opts } of spec.layers.slice(0, k)) m.add(nn.layers.dense(opts));
    probes.push(m);
  }
  return probes;
}

const playgroundLoss = (pred, y) => {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (pred[i] - y[i]) ** 2;
  return s / (2 * y.length);
};
const accuracy = (pred, y) => {
  let ok = 0;
  for (let i = 0; i < y.length; i++) ok += (pred[i] >= 0 ? 1 : -1) === y[i] ? 1 : 0;
  return ok / y.length;
};

// ---- drawing -------------------------------------------------------------------------------------

const NEG = [8, 119, 189], MID = [232, 234, 235], POS = [245, 147, 34];
function color(v) {
  const t = Math.max(-1, Math.min(1, v));
  const [a, b] = t < 0 ? [MID, NEG] : [MID, POS];
  const u = Math.abs(t);
  return [a[0] + (b[0] - a[0]) * u, a[1] + (b[1] - a[1]) * u, a[2] + (b[2] - a[2]) * u];
}

const scratch = document.createElement('canvas');
scratch.width = scratch.height = GRID;
const scratchCtx = scratch.getContext('2d');
const scratchImg = scratchCtx.createImageData(GRID, GRID);

/** Paint column `col` of a [GRID², cols] output onto `canvas`, values scaled by `scale`. */
function paintGrid(canvas, values, cols, col, scale = 1, discrete = false) {
  const px = scratchImg.data;
  for (let i = 0; i < GRID * GRID; i++) {
    let v = values[i * cols + col] * scale;
    if (discrete) v = v >= 0 ? 1 : -1;
    const [r, g, b] = color(v);
    px[4 * i] = r; px[4 * i + 1] = g; px[4 * i + 2] = b; px[4 * i + 3] = 255;
  }
  scratchCtx.putImageData(scratchImg, 0, 0);
  const ctx = canvas.getContext('2d');
  ctx.imageSmoothingEnabled = !discrete;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(scratch, 0, 0, canvas.width, canvas.height);
}

function drawPoints(canvas, xs, ys, stroke) {
  const ctx = canvas.getContext('2d');
  const w = canvas.width, h = canvas.height;
  for (let i = 0; i < ys.length; i++) {
    const px = ((xs[2 * i] + 6) / 12) * w, py = ((6 - xs[2 * i + 1]) / 12) * h;
    if (px < 0 || px > w || py < 0 || py > h) continue;
    ctx.beginPath();
    ctx.arc(px, py, w > 100 ? 3.2 : 1.6, 0, 2 * Math.PI);
    ctx.fillStyle = ys[i] > 0 ? '#f59322' : '#0877bd';
    ctx.fill();
    ctx.lineWidth = w > 100 ? 1 : 0.6;
    ctx.strokeStyle = stroke;
    ctx.stroke();
  }
}

function drawChart(points) {
  const canvas = $('chart');
  const w = canvas.width, h = canvas.height;
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, w, h);
  if (points.length < 2) return;
  const maxY = Math.max(0.1, ...points.map((p) => Math.max(p.train, p.test)));
  const e0 = points[0].epoch, e1 = points.at(-1).epoch;
  const X = (e) => 2 + ((e - e0) / Math.max(1, e1 - e0)) * (w - 4);
  const Y = (v) => h - 3 - (v / maxY) * (h - 22);
  ctx.font = '20px system-ui, sans-serif';
  ctx.fillStyle = '#5d6679';
  ctx.fillText(maxY.toFixed(2), 4, 18);
  ctx.fillText(`epoch ${e1}`, w - ctx.measureText(`epoch ${e1}`).width - 4, 18);
  for (const [key, stroke] of [['train', '#9aa3b5'], ['test', '#1d2330']]) {
    ctx.beginPath();
    points.forEach((p, i) => (i === 0 ? ctx.moveTo(X(p.epoch), Y(p[key])) : ctx.lineTo(X(p.epoch), Y(p[key]))));
    ctx.strokeStyle = stroke;
    ctx.lineWidth = 3;
    ctx.stroke();
  }
}

// ---- the network view ----------------------------------------------------------------------------

let neuronCanvases = []; // [layer][unit] canvases of hidden layers
function renderNetwork() {
  const net = $('net');
  net.replaceChildren();
  const fcol = document.createElement('div');
  fcol.className = 'col';
  fcol.innerHTML = '<div class="head">Features<br><span class="small">(click to toggle)</span></div>';
  const fx = nn.datasets.playgroundFeatures(gridPoints, FEATURES.map(([id]) => id));
  FEATURES.forEach(([id, label], c) => {
    const on = state.f.includes(id);
    const row = document.createElement('label');
    row.className = `feature${on ? '' : ' off'}`;
    row.innerHTML = `<input type="checkbox" ${on ? 'checked' : ''} aria-label="Feature ${label}"><span class="name">${label}</span><span class="neuron"><canvas width="${GRID}" height="${GRID}"></canvas></span>`;
    let maxAbs = 0;
    for (let i = 0; i < GRID * GRID; i++) maxAbs = Math.max(maxAbs, Math.abs(fx.data[i * 7 + c]));
    paintGrid(row.querySelector('canvas'), fx.data, 7, c, 1 / maxAbs);
    row.querySelector('input').addEventListener('change', (e) => {
      const f = e.target.checked ? [...state.f, id] : state.f.filter((n) => n !== id);
      if (f.length === 0) { e.target.checked = true; return message('Keep at least one input feature.'); }
      update({ f: FEATURES.map(([n]) => n).filter((n) => f.includes(n)) });
    });
    fcol.append(row);
  });
  net.append(fcol);

  neuronCanvases = state.net.map((units, l) => {
    const col = document.createElement('div');
    col.className = 'col';
    col.innerHTML = `<div class="head"><div class="row"><button class="round" aria-label="Add a neuron to hidden layer ${l + 1}">+</button><button class="round" aria-label="Remove a neuron from hidden layer ${l + 1}">−</button></div><span>${units} neuron${units > 1 ? 's' : ''}</span></div>`;
    const [plus, minus] = col.querySelectorAll('button');
    plus.disabled = units >= MAX_NEURONS;
    minus.disabled = units <= 1;
    plus.addEventListener('click', () => update({ net: state.net.map((u, i) => (i === l ? u + 1 : u)) }));
    minus.addEventListener('click', () => update({ net: state.net.map((u, i) => (i === l ? u - 1 : u)) }));
    const canvases = [];
    for (let u = 0; u < units; u++) {
      const cell = document.createElement('div');
      cell.className = 'neuron';
      cell.title = `Layer ${l + 1}, neuron ${u + 1}: its output over the input plane`;
      cell.innerHTML = `<canvas width="${GRID}" height="${GRID}" role="img" aria-label="Hidden layer ${l + 1} neuron ${u + 1}"></canvas>`;
      canvases.push(cell.firstChild);
      col.append(cell);
    }
    net.append(col);
    return canvases;
  });
  $('layerCount').textContent = `${state.net.length} hidden layer${state.net.length === 1 ? '' : 's'}`;
  $('addLayer').disabled = state.net.length >= MAX_LAYERS;
  $('removeLayer').disabled = state.net.length === 0;
}

function renderDatasets() {
  const box = $('datasets');
  box.replaceChildren();
  for (const kind of KINDS) {
    const b = document.createElement('button');
    b.setAttribute('role', 'radio');
    b.setAttribute('aria-checked', String(kind === state.data));
    b.tabIndex = kind === state.data ? 0 : -1;
    b.dataset.kind = kind;
    b.innerHTML = `<canvas width="64" height="64"></canvas>${kind}`;
    const c = b.querySelector('canvas');
    const ctx = c.getContext('2d');
    ctx.fillStyle = '#f3f4f6';
    ctx.fillRect(0, 0, 64, 64);
    const d = nn.datasets.playground(kind, { n: 200, noise: 0, seed: 3, labels: 'signed' });
    drawPoints(c, d.x.data, d.y.data, 'transparent');
    b.addEventListener('click', () => update({ data: kind }));
    b.addEventListener('keydown', (e) => {
      const dir = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
      if (!dir) return;
      e.preventDefault();
      const next = KINDS[(KINDS.indexOf(state.data) + dir + KINDS.length) % KINDS.length];
      update({ data: next });
      box.querySelector(`[data-kind="${next}"]`).focus();
    });
    box.append(b);
  }
}

// ---- training ------------------------------------------------------------------------------------

const trainer = {
  wm: nn.worker.createWorkerModel(new URL('./worker.js', import.meta.url)),
  running: false,
  fit: undefined,
  epoch: 0,
  weights: undefined, // latest weights from the worker
  drawn: undefined, // weights last drawn
  probes: [],
  curve: [],
  rate: [], // [time, steps] samples for steps/s
  generation: 0, // bumps on every reset, so late messages of an old run are ignored
};

function message(text, bad = false) {
  $('message').textContent = text;
  $('message').className = `small ${bad ? 'bad' : 'muted'}`;
}

async function reset() {
  await pause();
  const gen = ++trainer.generation;
  data = makeData();
  const spec = modelSpec();
  for (const p of trainer.probes) p.dispose();
  trainer.probes = buildProbes(spec);
  trainer.epoch = 0;
  trainer.curve = [];
  trainer.rate = [];
  message('');
  try {
    const info = await trainer.wm.init(spec);
    if (gen !== trainer.generation) return;
    $('params').textContent = info.params;
    $('engine').textContent = `${engineText} · worker: ${info.backend}`;
    trainer.weights = await trainer.wm.getWeights();
  } catch (e) {
    return message(e.message, true);
  }
  window.__playground.ready = true;
  scheduleDraw();
}

async function play() {
  if (trainer.running) return;
  trainer.running = true;
  setPlaying(true);
  const gen = trainer.generation;
  const stepsPerEpoch = Math.ceil(data.nTrain / state.batch);
  trainer.rate = [[performance.now(), 0]];
  let steps = 0;
  trainer.fit = trainer.wm
    .fit(data.feat.xTrain, data.feat.yTrain, {
      epochs: trainer.epoch + 1_000_000, batchSize: state.batch, initialEpoch: trainer.epoch, weightsEvery: 1,
      onEpochEnd: (epoch, logs, weights) => {
        if (gen !== trainer.generation) return;
        trainer.epoch = epoch + 1;
        trainer.weights = weights;
        steps += stepsPerEpoch;
        const t = performance.now();
        trainer.rate.push([t, steps]);
        while (trainer.rate.length > 2 && t - trainer.rate[0][0] > 1000) trainer.rate.shift();
        scheduleDraw();
      },
    })
    .catch((e) => message(e.message, true))
    .finally(() => { trainer.running = false; setPlaying(false); });
  await trainer.fit;
}

async function pause() {
  if (!trainer.running) return;
  await trainer.wm.stop();
  await trainer.fit;
}

async function step() {
  if (trainer.running) return pause();
  const gen = trainer.generation;
  try {
    await trainer.wm.fit(data.feat.xTrain, data.feat.yTrain, {
      epochs: trainer.epoch + 1, batchSize: state.batch, initialEpoch: trainer.epoch, weightsEvery: 1,
      onEpochEnd: (epoch, logs, weights) => { if (gen === trainer.generation) { trainer.epoch = epoch + 1; trainer.weights = weights; } },
    });
  } catch (e) {
    message(e.message, true);
  }
  scheduleDraw();
}

function setPlaying(on) {
  const b = $('play');
  b.innerHTML = on
    ? '<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true"><path d="M7 5h3.5v14H7zM13.5 5H17v14h-3.5z" fill="currentColor"/></svg>'
    : '<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true"><path d="M8 5l11 7-11 7z" fill="currentColor"/></svg>';
  b.setAttribute('aria-pressed', String(on));
  b.setAttribute('aria-label', on ? 'Pause' : 'Run');
}

let drawPending = false;
function scheduleDraw() {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => { drawPending = false; draw(); });
}

function draw() {
  const w = trainer.weights;
  $('epoch').textContent = String(trainer.epoch).padStart(6, '0');
  if (trainer.rate.length > 1 && trainer.running) {
    const [t0, s0] = trainer.rate[0], [t1, s1] = trainer.rate.at(-1);
    $('sps').textContent = t1 > t0 ? Math.round(((s1 - s0) * 1000) / (t1 - t0)).toLocaleString('en-US') : '–';
  }
  if (!w || w === trainer.drawn || trainer.probes.length === 0) return;
  trainer.drawn = w;
  const probes = trainer.probes;
  probes.forEach((p, k) => p.setWeights(w.slice(0, 2 * (k + 1))));
  const full = probes.at(-1);
  // Hidden neurons
  probes.slice(0, -1).forEach((p, l) => {
    const out = p.predict(featureGrid).data;
    const units = state.net[l];
    neuronCanvases[l]?.forEach((c, u) => paintGrid(c, out, units, u));
  });
  // Output, points, losses
  const out = full.predict(featureGrid).data;
  const hm = $('heatmap');
  paintGrid(hm, out, 1, 0, 1, $('discretize').checked);
  drawPoints(hm, data.raw.xTrain.data, data.raw.yTrain.data, '#ffffff');
  if ($('showTest').checked) drawPoints(hm, data.raw.xTest.data, data.raw.yTest.data, '#1d2330');
  const pTrain = full.predict(data.feat.xTrain).data, pTest = full.predict(data.feat.xTest).data;
  const train = playgroundLoss(pTrain, data.feat.yTrain.data), test = playgroundLoss(pTest, data.feat.yTest.data);
  const acc = accuracy(pTest, data.feat.yTest.data);
  $('trainLoss').textContent = train.toFixed(3);
  $('testLoss').textContent = test.toFixed(3);
  $('testAcc').textContent = `${(acc * 100).toFixed(1)} %`;
  const curve = trainer.curve;
  if (curve.length === 0 || curve.at(-1).epoch !== trainer.epoch) curve.push({ epoch: trainer.epoch, train, test });
  if (curve.length > 600) trainer.curve = curve.filter((_, i) => i % 2 === 0 || i === curve.length - 1);
  drawChart(trainer.curve);
  Object.assign(window.__playground, { epoch: trainer.epoch, trainLoss: train, testLoss: test, testAccuracy: acc, draws: window.__playground.draws + 1 });
}

let featureGrid = nn.datasets.playgroundFeatures(gridPoints, state.f);

// ---- controls ------------------------------------------------------------------------------------

function fillSelect(id, values, label = String) {
  $(id).innerHTML = values.map((v) => `<option value="${v}">${label(v)}</option>`).join('');
}

function syncControls() {
  $('lr').value = String(state.lr);
  $('act').value = state.act;
  $('opt').value = state.opt;
  $('reg').value = state.reg;
  $('rr').value = String(state.rr);
  $('batch').value = String(state.batch);
  $('batchOut').textContent = state.batch;
  $('ratio').value = String(state.ratio);
  $('ratioOut').textContent = `${state.ratio} %`;
  $('noise').value = String(state.noise);
  $('noiseOut').textContent = state.noise;
  $('seed').value = String(state.seed);
  $('backend').value = state.backend;
}

let lastArch = '';
/** Apply a settings change: URL, controls, views, and a fresh network. */
async function update(changes, { fromHash = false } = {}) {
  state = { ...state, ...changes };
  if (!fromHash) history.replaceState(null, '', `#${encodeState(state)}`);
  syncControls();
  const arch = `${state.net.join('-')}|${state.f.join('.')}`;
  if (arch !== lastArch) {
    lastArch = arch;
    featureGrid = nn.datasets.playgroundFeatures(gridPoints, state.f);
    renderNetwork();
  }
  renderDatasets();
  trainer.drawn = undefined;
  await reset();
}

fillSelect('lr', LEARNING_RATES);
fillSelect('rr', REG_RATES);
fillSelect('act', ACTIVATIONS);
fillSelect('opt', OPTIMIZERS, (o) => nn.optimizers.getOptimizer(o).className);
for (const [id, key, parse] of [['lr', 'lr', Number], ['act', 'act', String], ['opt', 'opt', String], ['reg', 'reg', String], ['rr', 'rr', Number], ['backend', 'backend', String], ['batch', 'batch', Number], ['ratio', 'ratio', Number], ['noise', 'noise', Number]]) {
  $(id).addEventListener('change', (e) => update({ [key]: parse(e.target.value) }));
}
for (const id of ['batch', 'ratio', 'noise']) $(id).addEventListener('input', (e) => { $(`${id}Out`).textContent = id === 'ratio' ? `${e.target.value} %` : e.target.value; });
$('seed').addEventListener('change', (e) => { const v = Math.max(0, Math.floor(Number(e.target.value) || 0)); update({ seed: v }); });
$('reseed').addEventListener('click', () => update({ seed: Math.floor(Math.random() * 100000) }));
$('addLayer').addEventListener('click', () => update({ net: [...state.net, 2] }));
$('removeLayer').addEventListener('click', () => update({ net: state.net.slice(0, -1) }));
$('play').addEventListener('click', () => (trainer.running ? pause() : play()));
$('step').addEventListener('click', () => step());
$('reset').addEventListener('click', () => reset());
for (const id of ['showTest', 'discretize']) $(id).addEventListener('change', () => { trainer.drawn = undefined; draw(); });
window.addEventListener('hashchange', () => update(decodeState(location.hash), { fromHash: true }));
document.addEventListener('keydown', (e) => {
  if (e.target.closest?.('input, select, textarea, button') || e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.key === ' ') { e.preventDefault(); $('play').click(); }
  else if (e.key === 's' || e.key === 'S') step();
  else if (e.key === 'r' || e.key === 'R') reset();
});

// ---- course exercises ----------------------------------------------------------------------------

const XOR_Q1 = { data: 'xor', noise: 35, ratio: 50, batch: 10, f: ['x1', 'x2'], reg: 'none', rr: 0, backend: state.backend };
const EXERCISES = [
  {
    title: '1 · A linear model cannot learn XOR',
    text: 'X₁, X₂ → one linear neuron (noise 35, 50 % training data, batch 10). Without a nonlinearity the best it can do is a half-plane: the test loss stays near 0.5, the score of always answering 0.',
    setup: { ...XOR_Q1, net: [1], act: 'linear', opt: 'sgd', lr: 0.01 },
    epochs: 200, seeds: [1, 2, 3, 4, 5], runs: [{}],
    verdict: ([r]) => { const best = Math.min(...r.test); return [best >= 0.45, `best test loss over ${r.test.length} seeds: ${best.toFixed(3)} (≥ 0.45 means it learned nothing)`]; },
  },
  {
    title: '2 · Two ReLU neurons underfit',
    text: 'One hidden layer of 2 ReLU neurons, noise 0. The boundary can bend, but two half-planes cannot carve out four quadrants: the loss stays high on every run.',
    setup: { ...XOR_Q1, noise: 0, net: [2], act: 'relu', opt: 'sgd', lr: 0.03 },
    epochs: 300, seeds: [1, 2, 3, 4, 5], runs: [{}],
    verdict: ([r]) => { const best = Math.min(...r.test); return [best > 0.1, `best test loss over ${r.test.length} seeds: ${best.toFixed(3)} (no seed gets below 0.1)`]; },
  },
  {
    title: '3 · Three ReLU neurons can fit (on some seeds)',
    text: 'XOR is a combination of 3 half-planes, so 3 ReLU neurons suffice at noise 0 — but not every initialisation finds them; some runs end with duplicate neurons.',
    setup: { ...XOR_Q1, noise: 0, net: [3], act: 'relu', opt: 'sgd', lr: 0.03 },
    epochs: 300, seeds: [1, 2, 3, 4, 5, 6], runs: [{}],
    verdict: ([r]) => { const fit = r.test.filter((t) => t < 0.05).length; return [fit >= 1, `${fit} of ${r.test.length} seeds reach test loss < 0.05`]; },
  },
  {
    title: '4 · The smallest network with test loss ≤ 0.177',
    text: 'Noise 35, 50 % training data, batch 10. The course answer is 3 hidden layers of 3, 3, 2 neurons. Verify searches candidates from small to large (Adam, learning rate 0.01, 300 epochs, 5 seeds) and reports the smallest that gets there.',
    setup: { ...XOR_Q1, net: [3, 3, 2], act: 'tanh', opt: 'adam', lr: 0.01 },
    epochs: 300, seeds: [1, 2, 3, 4, 5],
    runs: [[2], [3], [4], [3, 3], [3, 3, 2], [6], [4, 4]].flatMap((net) => [{ net, act: 'relu' }, { net, act: 'tanh' }]),
    verdict: (rs) => {
      const hit = rs.find((r) => Math.min(...r.test) <= 0.177);
      return [Boolean(hit), hit ? `smallest found: ${hit.label} (best test loss ${Math.min(...hit.test).toFixed(3)})` : 'no candidate reached 0.177'];
    },
  },
  {
    title: '5 · Noise, regularization and size vs overfitting',
    text: 'A big network (3 × 8 ReLU) on noisy XOR (noise 50) memorises the noise: training loss far below test loss. L2 regularization, a smaller network or less noise shrink the gap.',
    setup: { ...XOR_Q1, noise: 50, net: [8, 8, 8], act: 'relu', opt: 'adam', lr: 0.01 },
    epochs: 500, seeds: [1, 2, 3],
    runs: [{ label: 'big, noise 50' }, { label: 'big + L2 0.01', reg: 'l2', rr: 0.01 }, { label: 'small [3]', net: [3] }, { label: 'big, noise 0', noise: 0 }],
    verdict: (rs) => { const gap = (r) => mean(r.test) - mean(r.train); return [gap(rs[0]) > gap(rs[1]) && gap(rs[0]) > gap(rs[2]), `gap (test − train): big ${gap(rs[0]).toFixed(3)}, with L2 ${gap(rs[1]).toFixed(3)}, small ${gap(rs[2]).toFixed(3)}, noise 0 ${gap(rs[3]).toFixed(3)}`]; },
  },
];
const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;

let lab; // a second worker, so verifying never disturbs the page or the main run
let labQueue = Promise.resolve(); // one verification at a time: they share the lab's model
function verify(ex, out) {
  const job = labQueue.then(() => verifyNow(ex, out));
  labQueue = job.catch(() => {});
  return job;
}
async function verifyNow(ex, out) {
  lab ??= nn.worker.createWorkerModel(new URL('./worker.js', import.meta.url));
  const results = [];
  for (const run of ex.runs) {
    const s = { ...state, ...ex.setup, ...run, backend: state.backend };
    const r = { label: run.label ?? (run.net ? `[${run.net.join(', ')}] ${run.act}` : `[${s.net.join(', ')}] ${s.act}`), train: [], test: [] };
    for (const seed of ex.seeds) {
      const d = makeData({ ...s, seed });
      await lab.init(modelSpec(s, seed));
      await lab.fit(d.feat.xTrain, d.feat.yTrain, { epochs: ex.epochs, batchSize: s.batch });
      r.train.push(playgroundLoss((await lab.predict(d.feat.xTrain)).data, d.feat.yTrain.data));
      r.test.push(playgroundLoss((await lab.predict(d.feat.xTest)).data, d.feat.yTest.data));
      out.querySelector('.progress').textContent = `${r.label}: seed ${seed}…`;
    }
    results.push(r);
  }
  const [ok, text] = ex.verdict(results);
  out.innerHTML = `<p class="${ok ? 'ok' : 'bad'}"><b>${ok ? '✓ Confirmed' : '✗ Not confirmed'}</b> — ${text}</p>
    <table><thead><tr><th>setup</th><th>train loss (mean)</th><th>test loss per seed</th></tr></thead><tbody>${results
      .map((r) => `<tr><td>${r.label}</td><td>${mean(r.train).toFixed(3)}</td><td class="mono">${r.test.map((t) => t.toFixed(3)).join(' ')}</td></tr>`)
      .join('')}</tbody></table>`;
  out.dataset.verdict = ok ? 'pass' : 'fail';
}

for (const [i, ex] of EXERCISES.entries()) {
  const div = document.createElement('article');
  div.className = 'ex';
  div.innerHTML = `<h3>${ex.title}</h3><p>${ex.text}</p><div class="row"><button class="primary" data-setup="${i}">Set up</button><button data-verify="${i}">Verify (${ex.runs.length * ex.seeds.length} runs)</button></div><div class="result" aria-live="polite"><span class="progress muted"></span></div>`;
  div.querySelector('[data-setup]').addEventListener('click', () => update({ ...ex.setup, seed: 1 }).then(() => window.scrollTo({ top: 0, behavior: 'smooth' })));
  div.querySelector('[data-verify]').addEventListener('click', async (e) => {
    const out = div.querySelector('.result');
    e.target.disabled = true;
    out.innerHTML = '<span class="progress muted">queued…</span>';
    try { await verify(ex, out); } catch (err) { out.innerHTML = `<p class="bad">${err.message}</p>`; }
    e.target.disabled = false;
  });
  $('exList').append(div);
}

// ---- start ---------------------------------------------------------------------------------------

setPlaying(false);
window.__playground = { ready: false, draws: 0, play, pause, step, reset, get state() { return state; }, get running() { return trainer.running; }, get trainedEpoch() { return trainer.epoch; } };
let engineText = '';
const info = await nn.ready();
engineText = `${info.name}${info.relaxedSimd ? ' · relaxed SIMD' : info.simd ? ' · SIMD' : ''}`;
await update({}, { fromHash: true });
history.replaceState(null, '', `#${encodeState(state)}`);
