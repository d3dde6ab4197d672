// Normalization kernels (batch and layer normalization) on a [rows × cols] matrix; the JS backend
// (src/backend/js/normalization.ts) is the specification. axis 0: one mean/variance per COLUMN over
// the rows (batch norm); axis 1: one per ROW over the columns (layer norm). gamma/beta: one per
// column, 0 = none (1 and 0). Variance is the biased one (÷ N). Sums in f32 lanes.

/** Σ of the 4 lanes. */
@inline function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** mean[s] = Σ x / N, variance[s] = Σ (x − mean[s])² / N over each group (two passes). */
export function moments(axis: i32, rows: i32, cols: i32, x: usize, mean: usize, variance: usize): void {
  const rowBytes = <usize>cols << 2;
  if (axis == 0) {
    // Row-major passes with the column statistics as vector accumulators (as columnSums).
    memory.fill(mean, 0, rowBytes);
    memory.fill(variance, 0, rowBytes);
    for (let r = 0; r < rows; r++) {
      const xr = x + <usize>r * rowBytes;
      let j: usize = 0;
      for (; j + 16 <= rowBytes; j += 16) v128.store(mean + j, f32x4.add(v128.load(mean + j), v128.load(xr + j)));
      for (; j < rowBytes; j += 4) store<f32>(mean + j, load<f32>(mean + j) + load<f32>(xr + j));
    }
    const invN: f32 = <f32>1 / <f32>rows;
    for (let j: usize = 0; j < rowBytes; j += 4) store<f32>(mean + j, load<f32>(mean + j) * invN);
    for (let r = 0; r < rows; r++) {
      const xr = x + <usize>r * rowBytes;
      let j: usize = 0;
      for (; j + 16 <= rowBytes; j += 16) {
        const d = f32x4.sub(v128.load(xr + j), v128.load(mean + j));
        v128.store(variance + j, f32x4.add(v128.load(variance + j), f32x4.mul(d, d)));
      }
      for (; j < rowBytes; j += 4) {
        const d = load<f32>(xr + j) - load<f32>(mean + j);
        store<f32>(variance + j, load<f32>(variance + j) + d * d);
      }
    }
    for (let j: usize = 0; j < rowBytes; j += 4) store<f32>(variance + j, load<f32>(variance + j) * invN);
    return;
  }
  const invC: f32 = <f32>1 / <f32>cols;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    let acc = f32x4.splat(0);
    let j: usize = 0;
    for (; j + 16 <= rowBytes; j += 16) acc = f32x4.add(acc, v128.load(xr + j));
    let sum = hsum(acc);
    for (; j < rowBytes; j += 4) sum += load<f32>(xr + j);
    const m = sum * invC;
    const mv = f32x4.splat(m);
    acc = f32x4.splat(0);
    j = 0;
    for (; j + 16 <= rowBytes; j += 16) { const d = f32x4.sub(v128.load(xr + j), mv); acc = f32x4.add(acc, f32x4.mul(d, d)); }
    let sq = hsum(acc);
    for (; j < rowBytes; j += 4) { const d = load<f32>(xr + j) - m; sq += d * d; }
    store<f32>(mean + (<usize>r << 2), m);
    store<f32>(variance + (<usize>r << 2), sq * invC);
  }
}

@inline function loadOr(p: usize, j: usize, fallback: f32): v128 {
  return p ? v128.load(p + j) : f32x4.splat(fallback);
}
@inline function loadOr1(p: usize, j: usize, fallback: f32): f32 {
  return p ? load<f32>(p + j) : fallback;
}

/** y = (x − mean[s]) / sqrt(variance[s] + ε) · gamma[j] + beta[j]. In place allowed. */
export function normalize(axis: i32, rows: i32, cols: i32, x: usize, mean: usize, variance: usize, epsilon: f32, gamma: usize, beta: usize, y: usize): void {
  const rowBytes = <usize>cols << 2;
  const eps = f32x4.splat(epsilon), one = f32x4.splat(1);
  if (axis == 0) {
    // Column blocks outside, rows inside: the per-column factor is computed once per block.
    let j: usize = 0;
    for (; j + 16 <= rowBytes; j += 16) {
      const a = f32x4.mul(f32x4.div(one, f32x4.sqrt(f32x4.add(v128.load(variance + j), eps))), loadOr(gamma, j, 1));
      const m = v128.load(mean + j), b = loadOr(beta, j, 0);
      for (let r = 0; r < rows; r++) {
        const o = <usize>r * rowBytes + j;
        v128.store(y + o, f32x4.add(f32x4.mul(f32x4.sub(v128.load(x + o), m), a), b));
      }
    }
    for (; j < rowBytes; j += 4) {
      const a = (<f32>1 / Mathf.sqrt(load<f32>(variance + j) + epsilon)) * loadOr1(gamma, j, 1);
      const m = load<f32>(mean + j), b = loadOr1(beta, j, 0);
      for (let r = 0; r < rows; r++) {
        const o = <usize>r * rowBytes + j;
        store<f32>(y + o, (load<f32>(x + o) - m) * a + b);
      }
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * rowBytes;
    const inv: f32 = <f32>1 / Mathf.sqrt(load<f32>(variance + (<usize>r << 2)) + epsilon);
    const m = load<f32>(mean + (<usize>r << 2));
    const mv = f32x4.splat(m), iv = f32x4.splat(inv);
    let j: usize = 0;
    for (; j + 16 <= rowBytes; j += 16) {
      const xh = f32x4.mul(f32x4.sub(v128.load(x + o + j), mv), iv);
      v128.store(y + o + j, f32x4.add(f32x4.mul(xh, loadOr(gamma, j, 1)), loadOr(beta, j, 0)));
    }
    for (; j < rowBytes; j += 4) store<f32>(y + o + j, (load<f32>(x + o + j) - m) * inv * loadOr1(gamma, j, 1) + loadOr1(beta, j, 0));
  }
}

/**
 * Backward of `normalize` through the batch statistics (see the JS backend): dx, and per column
 * dgamma[j] = Σ dy·x̂, dbeta[j] = Σ dy (overwritten; both required). In place (dx = dy) allowed.
 */
export function normalizeGrad(
  axis: i32, rows: i32, cols: i32, x: usize, mean: usize, variance: usize, epsilon: f32, gamma: usize, dy: usize, dx: usize, dgamma: usize, dbeta: usize,
): void {
  const rowBytes = <usize>cols << 2;
  const eps = f32x4.splat(epsilon), one = f32x4.splat(1);
  memory.fill(dgamma, 0, rowBytes);
  memory.fill(dbeta, 0, rowBytes);
  if (axis == 0) {
    // Pass 1 (row-major): dbeta = Σ dy, dgamma = Σ dy·(x − mean), scaled by inv per column after.
    for (let r = 0; r < rows; r++) {
      const o = <usize>r * rowBytes;
      let j: usize = 0;
      for (; j + 16 <= rowBytes; j += 16) {
        const d = v128.load(dy + o + j);
        v128.store(dbeta + j, f32x4.add(v128.load(dbeta + j), d));
        v128.store(dgamma + j, f32x4.add(v128.load(dgamma + j), f32x4.mul(d, f32x4.sub(v128.load(x + o + j), v128.load(mean + j)))));
      }
      for (; j < rowBytes; j += 4) {
        const d = load<f32>(dy + o + j);
        store<f32>(dbeta + j, load<f32>(dbeta + j) + d);
        store<f32>(dgamma + j, load<f32>(dgamma + j) + d * (load<f32>(x + o + j) - load<f32>(mean + j)));
      }
    }
    // Pass 2 (column blocks): dx = gamma·inv/N · (N·dy − dbeta − x̂·dgamma).
    const n = f32x4.splat(<f32>rows), invN: f32 = <f32>1 / <f32>rows;
    let j: usize = 0;
    for (; j + 16 <= rowBytes; j += 16) {
      const inv = f32x4.div(one, f32x4.sqrt(f32x4.add(v128.load(variance + j), eps)));
      const sg = f32x4.mul(v128.load(dgamma + j), inv);
      v128.store(dgamma + j, sg);
      const sb = v128.load(dbeta + j), m = v128.load(mean + j);
      const c = f32x4.mul(f32x4.mul(loadOr(gamma, j, 1), inv), f32x4.splat(invN));
      for (let r = 0; r < rows; r++) {
        const o = <usize>r * rowBytes + j;
        const xh = f32x4.mul(f32x4.sub(v128.load(x + o), m), inv);
        v128.store(dx + o, f32x4.mul(c, f32x4.sub(f32x4.sub(f32x4.mul(n, v128.load(dy + o)), sb), f32x4.mul(xh, sg))));
      }
    }
    for (; j < rowBytes; j += 4) {
      const inv: f32 = <f32>1 / Mathf.sqrt(load<f32>(variance + j) + epsilon);
      const sg = load<f32>(dgamma + j) * inv;
      store<f32>(dgamma + j, sg);
      const sb = load<f32>(dbeta + j), m = load<f32>(mean + j);
      const c = loadOr1(gamma, j, 1) * inv * invN;
      for (let r = 0; r < rows; r++) {
        const o = <usize>r * rowBytes + j;
        store<f32>(dx + o, c * (<f32>rows * load<f32>(dy + o) - sb - (load<f32>(x + o) - m) * inv * sg));
      }
    }
    return;
  }
  const cf = <f32>cols;
  const cv = f32x4.splat(cf);
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * rowBytes;
    const inv: f32 = <f32>1 / Mathf.sqrt(load<f32>(variance + (<usize>r << 2)) + epsilon);
    const m = load<f32>(mean + (<usize>r << 2));
    const mv = f32x4.splat(m), iv = f32x4.splat(inv);
    // Row sums Σ d and Σ d·x̂ (d = dy·gamma), and the column sums for dgamma/dbeta.
    let a1 = f32x4.splat(0), a2 = f32x4.splat(0);
    let j: usize = 0;
    for (; j + 16 <= rowBytes; j += 16) {
      const g = v128.load(dy + o + j);
      const xh = f32x4.mul(f32x4.sub(v128.load(x + o + j), mv), iv);
      const d = f32x4.mul(g, loadOr(gamma, j, 1));
      a1 = f32x4.add(a1, d);
      a2 = f32x4.add(a2, f32x4.mul(d, xh));
      v128.store(dbeta + j, f32x4.add(v128.load(dbeta + j), g));
      v128.store(dgamma + j, f32x4.add(v128.load(dgamma + j), f32x4.mul(g, xh)));
    }
    let s1 = hsum(a1), s2 = hsum(a2);
    for (; j < rowBytes; j += 4) {
      const g = load<f32>(dy + o + j);
      const xh = (load<f32>(x + o + j) - m) * inv;
      const d = g * loadOr1(gamma, j, 1);
      s1 += d;
      s2 += d * xh;
      store<f32>(dbeta + j, load<f32>(dbeta + j) + g);
      store<f32>(dgamma + j, load<f32>(dgamma + j) + g * xh);
    }
    const c = f32x4.splat(inv / cf), s1v = f32x4.splat(s1), s2v = f32x4.splat(s2);
    j = 0;
    for (; j + 16 <= rowBytes; j += 16) {
      const xh = f32x4.mul(f32x4.sub(v128.load(x + o + j), mv), iv);
      const d = f32x4.mul(v128.load(dy + o + j), loadOr(gamma, j, 1));
      v128.store(dx + o + j, f32x4.mul(c, f32x4.sub(f32x4.sub(f32x4.mul(cv, d), s1v), f32x4.mul(xh, s2v))));
    }
    for (; j < rowBytes; j += 4) {
      const xh = (load<f32>(x + o + j) - m) * inv;
      const d = load<f32>(dy + o + j) * loadOr1(gamma, j, 1);
      store<f32>(dx + o + j, (inv / cf) * (cf * d - s1 - xh * s2));
    }
  }
}

/** moving −= (moving − value)·(1 − momentum) over n floats (TensorFlow.js's moving-average update). */
export function movingAverage(n: i32, value: usize, moving: usize, momentum: f64): void {
  const end = <usize>n << 2;
  const decay = <f32>(1.0 - momentum); // rounded once from f64, as the JS backend's
  const dv = f32x4.splat(decay);
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) {
    const m = v128.load(moving + i);
    v128.store(moving + i, f32x4.sub(m, f32x4.mul(f32x4.sub(m, v128.load(value + i)), dv)));
  }
  for (; i < end; i += 4) {
    const m = load<f32>(moving + i);
    store<f32>(moving + i, m - (m - load<f32>(value + i)) * decay);
  }
}
