/** Small helpers shared by the commands. */
import { mulberry32 } from '../util/random.js';

/** 0..n-1 in a seeded random order (mulberry32 + Fisher–Yates). */
export function seededShuffle(n: number, seed: number): number[] {
  const rand = mulberry32(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/**
 * MSE, RMSE, MAE and R² accumulated batch by batch (Welford for the targets' variance), in the
 * label's units: standardized targets and predictions are mapped back with `target`.
 */
export class RegressionScore {
  private n = 0;
  private se = 0;
  private ae = 0;
  private mean = 0;
  private m2 = 0;
  constructor(private readonly target: { mean: number; std: number }) {}

  add(y: ArrayLike<number>, pred: ArrayLike<number>): void {
    const { mean: mu, std } = this.target;
    for (let i = 0; i < y.length; i++) {
      const t = y[i]! * std + mu, d = pred[i]! * std + mu - t;
      this.se += d * d;
      this.ae += Math.abs(d);
      this.n++;
      const dm = t - this.mean;
      this.mean += dm / this.n;
      this.m2 += dm * (t - this.mean);
    }
  }

  get rows(): number {
    return this.n;
  }

  result(): { mse: number; rmse: number; mae: number; r2: number } {
    const n = this.n;
    return { mse: this.se / n, rmse: Math.sqrt(this.se / n), mae: this.ae / n, r2: this.m2 > 0 ? 1 - this.se / this.m2 : NaN };
  }
}

/** MSE, RMSE, MAE and R² of predictions against targets. */
export function regressionMetrics(y: ArrayLike<number>, pred: ArrayLike<number>): { mse: number; rmse: number; mae: number; r2: number } {
  const n = y.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i]! / n;
  let se = 0;
  let ae = 0;
  let tot = 0;
  for (let i = 0; i < n; i++) {
    const d = pred[i]! - y[i]!;
    se += d * d;
    ae += Math.abs(d);
    tot += (y[i]! - mean) ** 2;
  }
  return { mse: se / n, rmse: Math.sqrt(se / n), mae: ae / n, r2: tot > 0 ? 1 - se / tot : NaN };
}

/** Row-wise argmax of an [n, k] matrix. */
export function argmaxRows(data: Float32Array, k: number): Int32Array {
  const n = data.length / k;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (data[i * k + j]! > data[i * k + best]!) best = j;
    out[i] = best;
  }
  return out;
}

/** A number as the CLI prints it: 4 decimals, or exponent notation when that would hide it. */
export function fmtNum(x: number): string {
  return Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(3) : x.toFixed(4);
}
