/**
 * Normalization kernels (batch and layer normalization) on a [rows × cols] matrix. `axis` says
 * which elements share one mean and variance:
 *   axis 0 — each COLUMN over the rows (batch normalization: statistics of a feature over the batch);
 *   axis 1 — each ROW over the columns (layer normalization: statistics of a sample over its features).
 * mean and variance hold `cols` values for axis 0 and `rows` values for axis 1; gamma and beta
 * always hold one value per column. The variance is the biased one (÷ N), as Keras and TensorFlow.js.
 * Sums are accumulated in f64 here; the wasm kernels use f32 lanes (agreement up to float rounding).
 */

/** mean[s] = Σ x / N and variance[s] = Σ (x − mean[s])² / N over each group s (two passes, so no cancellation). */
export function moments(f: Float32Array, axis: number, rows: number, cols: number, x: number, mean: number, variance: number): void {
  const groups = axis === 0 ? cols : rows;
  const n = axis === 0 ? rows : cols;
  const step = axis === 0 ? cols : 1;
  for (let s = 0; s < groups; s++) {
    const start = axis === 0 ? x + s : x + s * cols;
    let sum = 0;
    for (let k = 0; k < n; k++) sum += f[start + k * step]!;
    const m = Math.fround(sum / n);
    let sq = 0;
    for (let k = 0; k < n; k++) { const d = f[start + k * step]! - m; sq += d * d; }
    f[mean + s] = m;
    f[variance + s] = sq / n;
  }
}

/**
 * y = (x − mean[s]) / sqrt(variance[s] + epsilon) · gamma[j] + beta[j]. gamma = 0 means 1 and
 * beta = 0 means 0 (a layer built with scale: false / center: false). In place (x = y) allowed.
 */
export function normalize(
  f: Float32Array, axis: number, rows: number, cols: number, x: number, mean: number, variance: number, epsilon: number,
  gamma: number, beta: number, y: number,
): void {
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const s = axis === 0 ? j : i;
      const inv = 1 / Math.sqrt(f[variance + s]! + epsilon);
      const g = gamma ? f[gamma + j]! : 1;
      const b = beta ? f[beta + j]! : 0;
      const at = i * cols + j;
      f[y + at] = (f[x + at]! - f[mean + s]!) * inv * g + b;
    }
  }
}

/**
 * Backward of `normalize` when mean and variance are the statistics of x itself (training), so
 * the gradient flows through them too. With x̂ = (x − mean)·inv, inv = 1/sqrt(variance + ε), and
 * d = dy·gamma[j], over each group of N elements:
 *   dx = inv/N · (N·d − Σ d − x̂·Σ d·x̂)
 * and, per column over the rows, dgamma[j] = Σ dy·x̂ and dbeta[j] = Σ dy (both overwritten; both
 * required, even when the layer has no gamma or beta: pass a scratch buffer of `cols` floats).
 * gamma = 0 means 1. In place (dx = dy) allowed.
 */
export function normalizeGrad(
  f: Float32Array, axis: number, rows: number, cols: number, x: number, mean: number, variance: number, epsilon: number,
  gamma: number, dy: number, dx: number, dgamma: number, dbeta: number,
): void {
  // Per-column sums over the rows (the parameter gradients). (Plain loops, no closures: a training step allocates nothing.)
  for (let j = 0; j < cols; j++) {
    let sb = 0, sg = 0;
    for (let i = 0; i < rows; i++) {
      const s = axis === 0 ? j : i;
      const xhat = (f[x + i * cols + j]! - f[mean + s]!) / Math.sqrt(f[variance + s]! + epsilon);
      const d = f[dy + i * cols + j]!;
      sb += d;
      sg += d * xhat;
    }
    f[dbeta + j] = sb;
    f[dgamma + j] = sg;
  }
  if (axis === 0) {
    // Σ d = gamma·dbeta and Σ d·x̂ = gamma·dgamma for column j.
    for (let j = 0; j < cols; j++) {
      const inv = 1 / Math.sqrt(f[variance + j]! + epsilon);
      const c = ((gamma ? f[gamma + j]! : 1) * inv) / rows, sb = f[dbeta + j]!, sg = f[dgamma + j]!;
      for (let i = 0; i < rows; i++) {
        const at = i * cols + j;
        f[dx + at] = c * (rows * f[dy + at]! - sb - (f[x + at]! - f[mean + j]!) * inv * sg);
      }
    }
    return;
  }
  for (let i = 0; i < rows; i++) {
    const inv = 1 / Math.sqrt(f[variance + i]! + epsilon), m = f[mean + i]!;
    let s1 = 0, s2 = 0;
    for (let j = 0; j < cols; j++) {
      const d = f[dy + i * cols + j]! * (gamma ? f[gamma + j]! : 1);
      s1 += d;
      s2 += d * (f[x + i * cols + j]! - m) * inv;
    }
    const c = inv / cols;
    for (let j = 0; j < cols; j++) {
      const at = i * cols + j;
      f[dx + at] = c * (cols * f[dy + at]! * (gamma ? f[gamma + j]! : 1) - s1 - (f[x + at]! - m) * inv * s2);
    }
  }
}

/** moving −= (moving − value)·(1 − momentum) over n floats: TensorFlow.js's moving-average update. */
export function movingAverage(f: Float32Array, n: number, value: number, moving: number, momentum: number): void {
  const decay = Math.fround(1 - momentum);
  for (let i = 0; i < n; i++) f[moving + i] = f[moving + i]! - (f[moving + i]! - f[value + i]!) * decay;
}
