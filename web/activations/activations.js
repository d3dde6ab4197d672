// Plots of nn.activations: each function and its derivative, with notes whose numbers are computed live.
import * as nn from '/dist/browser/wasm-mlp.js';

const A = nn.activations;
const f = (v, d = 3) => (Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(2) : Number(v.toFixed(d)).toString());
/** Maximum of g over [−10, 10] and where it is reached. */
function maxOf(g) {
  let best = -Infinity, at = 0;
  for (let x = -10; x <= 10; x += 0.001) { const v = g(x); if (v > best) { best = v; at = x; } }
  return [best, Math.abs(at) < 1e-9 ? 0 : at];
}

/** Teaching notes per activation; the formulas come from the declarations (nn.activations[name].formula). */
const INFO = {
  linear: { note: () => `The derivative is the constant ${f(A.linear.derivative(3))}. Stacked linear layers collapse into one: W₂(W₁x + b₁) + b₂ = (W₂W₁)x + (W₂b₁ + b₂) — linear regression. Use it on regression outputs.` },
  step: { note: () => `f′(x) = ${f(A.step.derivative(-1))} for x < 0 and ${f(A.step.derivative(1))} for x > 0: gradient descent gets no signal, so weights feeding a step unit never update. Not for hidden layers.` },
  sigmoid: { note: () => { const [m, at] = maxOf(A.sigmoid.derivative); return `σ′ peaks at x = ${f(at)} with ${f(m, 4)} — at most a quarter of the gradient gets through each layer. σ′(±10) = ${f(A.sigmoid.derivative(10), 6)}: saturated units barely learn (vanishing gradient). σ(−10) = ${A.sigmoid.apply(-10).toExponential(4)}.`; } },
  tanh: { note: () => { const [m, at] = maxOf(A.tanh.derivative); return `Zero-centred, range (−1, 1). tanh′ peaks at x = ${f(at)} with ${f(m, 4)} (not 0.25) — four times sigmoid's. tanh′(±10) = ${f(A.tanh.derivative(10), 9)}: it saturates too.`; } },
  relu: { note: () => `relu′ = ${f(A.relu.derivative(2))} for x > 0 and ${f(A.relu.derivative(-2))} for x < 0 (we use ${f(A.relu.derivative(0))} at 0, as TensorFlow.js). A unit whose input stays negative gets zero gradient and stops learning: the dying ReLU.` },
  leakyRelu: { note: () => `The negative side keeps a small slope, f′(−3) = ${f(A.leakyRelu.derivative(-3))}, so a unit with negative inputs still learns; f′(3) = ${f(A.leakyRelu.derivative(3))}. f(−3) = ${f(A.leakyRelu.apply(-3))}.` },
  elu: { note: () => `Smooth for x < 0 and saturating at −α = ${f(A.elu.apply(-20))}; f′(−1) = ${f(A.elu.derivative(-1))}. Mean activations closer to 0 than ReLU.` },
  selu: { note: () => `Scaled ELU (λ ≈ ${f(A.selu.derivative(1), 4)}, λα ≈ ${f(-A.selu.apply(-30), 4)}) chosen so activations self-normalise to mean 0, variance 1 through deep stacks with leCunNormal init.` },
  softplus: { note: () => `A smooth ReLU: f′ is the sigmoid, f′(0) = ${f(A.softplus.derivative(0))}. Never exactly zero gradient, never exactly zero output (f(0) = ${f(A.softplus.apply(0))}).` },
  swish: { note: () => { const m = Math.min(...Array.from({ length: 2001 }, (_, i) => A.swish.apply(-10 + i / 100))); return `Google, 2017: “better than ReLU at similar cost”. Smooth and non-monotonic — it dips to ${f(m)} before rising; f′(0) = ${f(A.swish.derivative(0))}.`; } },
  mish: { note: () => { const m = Math.min(...Array.from({ length: 2001 }, (_, i) => A.mish.apply(-10 + i / 100))); return `Misra, 2019: x·tanh(softplus(x)), smooth and non-monotonic like swish — its minimum is ${f(m)}; f′(0) = ${f(A.mish.derivative(0))} (tanh(ln 2)). Unbounded above, bounded below.`; } },
  gelu: { note: () => `Weights x by the probability that a standard normal is below it; f′(0) = ${f(A.gelu.derivative(0))}, f(−1) = ${f(A.gelu.apply(-1))}. The default in transformers.` },
  softmax: { note: () => `A vector function: softmax([1.2, 0.9, 0.75]) = [${A.softmax.applyVector([1.2, 0.9, 0.75]).map((v) => v.toFixed(2)).join(', ')}]. Plotted here as its two-class form softmax([x, 0])₀, which is exactly σ(x). For the output layer with categorical cross-entropy.` },
};

function plot(canvas, act) {
  const dpr = 2;
  const w = (canvas.width = 300 * dpr), h = (canvas.height = 200 * dpr);
  const ctx = canvas.getContext('2d');
  const xs = Array.from({ length: 401 }, (_, i) => -5 + i / 40);
  const ys = xs.map((x) => act.apply(x)), ds = xs.map((x) => act.derivative(x));
  let lo = Math.min(-1, ...ys, ...ds), hi = Math.max(1, ...ys, ...ds);
  lo = Math.max(lo, -5); hi = Math.min(hi, 5);
  const pad = 0.1 * (hi - lo); lo -= pad; hi += pad;
  const X = (x) => ((x + 5) / 10) * w, Y = (y) => h - ((y - lo) / (hi - lo)) * h;
  ctx.strokeStyle = '#e2e6ee'; ctx.lineWidth = 2;
  for (let gx = -4; gx <= 4; gx += 2) { ctx.beginPath(); ctx.moveTo(X(gx), 0); ctx.lineTo(X(gx), h); ctx.stroke(); }
  for (let gy = Math.ceil(lo); gy <= hi; gy++) { ctx.beginPath(); ctx.moveTo(0, Y(gy)); ctx.lineTo(w, Y(gy)); ctx.stroke(); }
  ctx.strokeStyle = '#9aa3b5'; ctx.lineWidth = 2;
  ctx.beginPath(); ctx.moveTo(X(0), 0); ctx.lineTo(X(0), h); ctx.moveTo(0, Y(0)); ctx.lineTo(w, Y(0)); ctx.stroke();
  ctx.fillStyle = '#5d6679'; ctx.font = `${11 * dpr}px system-ui`;
  for (let gy = Math.ceil(lo); gy <= hi; gy++) if (gy !== 0) ctx.fillText(String(gy), X(0) + 4, Y(gy) - 3);
  const line = (vals, color, dash) => {
    ctx.beginPath();
    ctx.setLineDash(dash);
    vals.forEach((v, i) => { const y = Y(Math.max(lo - 1, Math.min(hi + 1, v))); i ? ctx.lineTo(X(xs[i]), y) : ctx.moveTo(X(xs[i]), y); });
    ctx.strokeStyle = color; ctx.lineWidth = 3 * dpr / 1.5; ctx.stroke(); ctx.setLineDash([]);
  };
  line(ds, '#f59322', [10, 8]);
  line(ys, '#2f6fde', []);
}

const grid = document.getElementById('grid');
for (const name of Object.keys(A)) {
  const info = INFO[name] ?? { note: () => '' };
  const card = document.createElement('article');
  card.className = 'panel act';
  card.id = name;
  card.innerHTML = `<h2>${name}</h2><p class="formula">${A[name].formula}</p><canvas role="img" aria-label="${name} and its derivative from −5 to 5"></canvas><p>${info.note()}</p>`;
  plot(card.querySelector('canvas'), A[name]);
  grid.append(card);
}
window.__activationsReady = Object.keys(A);
