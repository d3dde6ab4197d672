// Plots every activation in nn.activations and its derivative on [−5, 5] into one SVG file
// (default examples/out/activations.svg), and prints the facts the course notes state.
//
//   node examples/activations.mjs [--out file.svg] [--quick]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as nn from 'wasm-mlp';

const { values: opt } = parseArgs({
  options: {
    out: { type: 'string', default: fileURLToPath(new URL('./out/activations.svg', import.meta.url)) },
    quick: { type: 'boolean', default: false }, // accepted for CI; plotting is already fast
  },
});

const names = Object.keys(nn.activations);
const notes = {
  step: "gradient 0: nothing upstream learns",
  sigmoid: "σ′(0) = 0.25 is its maximum",
  tanh: "tanh′(0) = 1 is its maximum",
  relu: "relu′(0) = 0, as TensorFlow.js",
  leakyRelu: 'alpha 0.01',
  elu: 'alpha 1',
  softmax: '2 classes: softmax([x, 0])₀ = σ(x)',
};
const X0 = -5, X1 = 5, SAMPLES = 401;
const cols = 4, panelW = 260, panelH = 200, pad = { l: 34, r: 10, t: 26, b: 22 };
const rows = Math.ceil(names.length / cols);
const W = cols * panelW, H = rows * panelH + 40;

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const fmt = (v) => Number(v.toFixed(2));
let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">\n`;
svg += `<rect width="${W}" height="${H}" fill="white"/>\n`;
svg += `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">nn.activations on [−5, 5]: f (blue) and its derivative f′ (orange, dashed)</text>\n`;

names.forEach((name, k) => {
  const a = nn.activations[name];
  const xs = Array.from({ length: SAMPLES }, (_, i) => X0 + ((X1 - X0) * i) / (SAMPLES - 1));
  const f = xs.map((x) => a.apply(x));
  const d = xs.map((x) => a.derivative(x));
  let lo = Math.min(...f, ...d, 0), hi = Math.max(...f, ...d, 1);
  const margin = (hi - lo) * 0.06;
  lo -= margin; hi += margin;
  const ox = (k % cols) * panelW, oy = 40 + Math.floor(k / cols) * panelH;
  const w = panelW - pad.l - pad.r, h = panelH - pad.t - pad.b;
  const px = (x) => fmt(ox + pad.l + ((x - X0) / (X1 - X0)) * w);
  const py = (y) => fmt(oy + pad.t + (1 - (y - lo) / (hi - lo)) * h);
  const path = (ys) => ys.map((y, i) => `${i ? 'L' : 'M'}${px(xs[i])},${py(y)}`).join('');
  svg += `<g>\n<rect x="${ox + pad.l}" y="${oy + pad.t}" width="${w}" height="${h}" fill="#fafafa" stroke="#ccc"/>\n`;
  svg += `<line x1="${px(X0)}" y1="${py(0)}" x2="${px(X1)}" y2="${py(0)}" stroke="#999"/>\n<line x1="${px(0)}" y1="${oy + pad.t}" x2="${px(0)}" y2="${oy + pad.t + h}" stroke="#999"/>\n`;
  for (const t of [-4, -2, 2, 4]) svg += `<text x="${px(t)}" y="${oy + pad.t + h + 14}" text-anchor="middle" fill="#666">${t}</text>\n`;
  const ticks = [lo + margin, (lo + hi) / 2, hi - margin];
  for (const t of ticks) svg += `<text x="${ox + pad.l - 4}" y="${py(t) + 4}" text-anchor="end" fill="#666">${Math.abs(t) < (hi - lo) * 1e-3 ? 0 : Number(t.toPrecision(2))}</text>\n`;
  svg += `<path d="${path(d)}" fill="none" stroke="#e8710a" stroke-width="2" stroke-dasharray="5,3"/>\n`;
  svg += `<path d="${path(f)}" fill="none" stroke="#1a73e8" stroke-width="2"/>\n`;
  svg += `<text x="${ox + pad.l}" y="${oy + pad.t - 8}" font-weight="bold" font-size="13">${name}</text>`;
  if (notes[name]) svg += `<text x="${ox + panelW - pad.r}" y="${oy + pad.t - 8}" text-anchor="end" fill="#555" font-size="10">${esc(notes[name])}</text>`;
  svg += '\n</g>\n';
});
svg += '</svg>\n';

mkdirSync(dirname(opt.out), { recursive: true });
writeFileSync(opt.out, svg);
const A = nn.activations;
console.log(`wrote ${relative(process.cwd(), opt.out) || opt.out} (${names.length} activations)`);
console.log(`sigmoid'(0) = ${A.sigmoid.derivative(0)}   (the maximum of sigmoid')`);
console.log(`sigmoid(-10) = ${A.sigmoid.apply(-10).toExponential(4)}, sigmoid'(10) = ${A.sigmoid.derivative(10).toExponential(4)}   (vanishing gradient)`);
console.log(`tanh'(0) = ${A.tanh.derivative(0)}   (the maximum of tanh')`);
console.log(`relu'(0) = ${A.relu.derivative(0)}, leakyRelu(-1) = ${A.leakyRelu.apply(-1)}, step'(x) = ${A.step.derivative(1)}`);
console.log(`softmax([1.2, 0.9, 0.75]) = [${Array.from(A.softmax.applyVector([1.2, 0.9, 0.75]), (v) => v.toFixed(2)).join(', ')}]`);
