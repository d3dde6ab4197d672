/** Row-wise softmax and its backward pass. */

/** y[r, :] = e^(x − max) / Σ e^(x − max) per row (max-subtracted so e^ never overflows). x = y allowed. */
export function softmax(f: Float32Array, rows: number, cols: number, x: number, y: number): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + r * cols;
    const yr = y + r * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) max = Math.max(max, f[xr + j]!);
    let sum = 0;
    for (let j = 0; j < cols; j++) { const e = Math.exp(f[xr + j]! - max); f[yr + j] = e; sum += e; }
    const inv = 1 / sum;
    for (let j = 0; j < cols; j++) f[yr + j] *= inv;
  }
}

/**
 * dx[r, j] = y[r, j]·(dy[r, j] − Σ_k dy[r, k]·y[r, k]) per row, given y = softmax(x):
 * the Jacobian-vector product of softmax. dx = dy allowed.
 */
export function softmaxGrad(f: Float32Array, rows: number, cols: number, y: number, dy: number, dx: number): void {
  for (let r = 0; r < rows; r++) {
    const yr = y + r * cols;
    const gr = dy + r * cols;
    const xr = dx + r * cols;
    let dot = 0;
    for (let j = 0; j < cols; j++) dot += f[gr + j]! * f[yr + j]!;
    for (let j = 0; j < cols; j++) f[xr + j] = f[yr + j]! * (f[gr + j]! - dot);
  }
}
