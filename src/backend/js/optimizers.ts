/**
 * Optimizer updates, one fused pass over a parameter buffer (TensorFlow.js tf.train rules).
 * The switch picks one loop per optimizer; inside it, g is first clipped to [−clip, clip] when
 * clipValue > 0 (g in memory is left as it was).
 */
import { Opt, type OptimizerParams } from '../contract.js';

function clipped(g: number, clip: number): number {
  return clip > 0 ? (g > clip ? clip : g < -clip ? -clip : g) : g;
}

/**
 * One step over n parameters: reads weights wIn, gradient g and state slots at sIn + k·n, writes
 * weights wOut and state at sOut + k·n (element indices; in place when wOut = wIn, sOut = sIn).
 * Each element's inputs are read before its outputs are written, so in place is exact.
 * Returns Σ (x − x) over every value written: 0 when all are finite, NaN otherwise.
 * The rules (one case each) are written out in src/optimizers/rules.ts.
 */
export function optimizerStep(
  f: Float32Array, n: number, wIn: number, g: number, sIn: number, wOut: number, sOut: number, p: OptimizerParams,
): number {
  const { learningRate: lr, epsilon: eps, clipValue: clip } = p;
  // Slot k of the state: s1 at +0, s2 at +n, s3 at +2n.
  const in1 = sIn, in2 = sIn + n, in3 = sIn + 2 * n;
  const out1 = sOut, out2 = sOut + n, out3 = sOut + 2 * n;
  // x − x is 0 for a finite x and NaN for ±Infinity or NaN; one NaN makes the sum NaN.
  let bad = 0;
  switch (p.kind) {
    case Opt.sgd:
      for (let i = 0; i < n; i++) {
        const w = Math.fround(f[wIn + i]! - lr * clipped(f[g + i]!, clip));
        f[wOut + i] = w;
        bad += w - w;
      }
      return bad;
    case Opt.momentum:
    case Opt.nesterov: {
      const nesterov = p.kind === Opt.nesterov;
      const mu = p.momentum;
      for (let i = 0; i < n; i++) {
        const gi = clipped(f[g + i]!, clip);
        const v = Math.fround(mu * f[in1 + i]! + gi);
        const w = Math.fround(f[wIn + i]! - lr * (nesterov ? gi + mu * v : v));
        f[out1 + i] = v;
        f[wOut + i] = w;
        bad += (v - v) + (w - w);
      }
      return bad;
    }
    case Opt.adagrad:
      for (let i = 0; i < n; i++) {
        const gi = clipped(f[g + i]!, clip);
        const acc = Math.fround(f[in1 + i]! + gi * gi);
        const w = Math.fround(f[wIn + i]! - (lr * gi) / Math.sqrt(acc + eps));
        f[out1 + i] = acc;
        f[wOut + i] = w;
        bad += (acc - acc) + (w - w);
      }
      return bad;
    case Opt.rmsprop:
    case Opt.rmspropCentered: {
      const centered = p.kind === Opt.rmspropCentered;
      const { rho, momentum } = p;
      for (let i = 0; i < n; i++) {
        const gi = clipped(f[g + i]!, clip);
        const ms = Math.fround(rho * f[in1 + i]! + (1 - rho) * gi * gi);
        let denom = ms + eps;
        if (centered) {
          const mg = Math.fround(rho * f[in3 + i]! + (1 - rho) * gi);
          f[out3 + i] = mg;
          bad += mg - mg;
          denom -= mg * mg;
        }
        const mom = Math.fround(momentum * f[in2 + i]! + (lr * gi) / Math.sqrt(denom));
        const w = Math.fround(f[wIn + i]! - mom);
        f[out1 + i] = ms;
        f[out2 + i] = mom;
        f[wOut + i] = w;
        bad += (ms - ms) + (mom - mom) + (w - w);
      }
      return bad;
    }
    case Opt.adam:
    case Opt.adamw: {
      const decay = p.kind === Opt.adamw ? lr * p.weightDecay : 0;
      const { beta1, beta2, biasCorrection1: c1, biasCorrection2: c2 } = p;
      for (let i = 0; i < n; i++) {
        const gi = clipped(f[g + i]!, clip);
        const m = Math.fround(beta1 * f[in1 + i]! + (1 - beta1) * gi);
        const v = Math.fround(beta2 * f[in2 + i]! + (1 - beta2) * gi * gi);
        const wi = Math.fround(f[wIn + i]! - decay * f[wIn + i]!);
        const w = Math.fround(wi - (lr * (m / c1)) / (Math.sqrt(v / c2) + eps));
        f[out1 + i] = m;
        f[out2 + i] = v;
        f[wOut + i] = w;
        bad += (m - m) + (v - v) + (w - w);
      }
      return bad;
    }
    case Opt.adamax: {
      const { beta1, beta2, biasCorrection1: c1 } = p;
      for (let i = 0; i < n; i++) {
        const gi = clipped(f[g + i]!, clip);
        const m = Math.fround(beta1 * f[in1 + i]! + (1 - beta1) * gi);
        const u = Math.fround(Math.max(beta2 * f[in2 + i]!, Math.abs(gi)));
        const w = Math.fround(f[wIn + i]! - (lr * m) / (c1 * (u + eps)));
        f[out1 + i] = m;
        f[out2 + i] = u;
        f[wOut + i] = w;
        bad += (m - m) + (u - u) + (w - w);
      }
      return bad;
    }
    case Opt.nadam: {
      const { beta1, beta2, biasCorrection2: c2, firstMomentWeight: mw, gradientWeight: gw } = p;
      for (let i = 0; i < n; i++) {
        const gi = clipped(f[g + i]!, clip);
        const m = Math.fround(beta1 * f[in1 + i]! + (1 - beta1) * gi);
        const v = Math.fround(beta2 * f[in2 + i]! + (1 - beta2) * gi * gi);
        const w = Math.fround(f[wIn + i]! - (lr * (mw * m + gw * gi)) / (Math.sqrt(v / c2) + eps));
        f[out1 + i] = m;
        f[out2 + i] = v;
        f[wOut + i] = w;
        bad += (m - m) + (v - v) + (w - w);
      }
      return bad;
    }
    default:
      throw new Error(`optimizerStep: unknown optimizer code ${String(p.kind)}`);
  }
}
