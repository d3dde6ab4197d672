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
 * One step over n parameters w with gradient g and state s1..s3 (element indices; 0 = unused):
 * - sgd:        w −= lr·g
 * - momentum:   v = p1·v + g; w −= lr·v                                     (s1 = v)
 * - nesterov:   v = p1·v + g; w −= lr·(g + p1·v)                             (s1 = v)
 * - adagrad:    a += g²; w −= lr·g/√(a + ε)                                  (s1 = a)
 * - rmsprop:    ms = ρ·ms + (1−ρ)·g²; mom = μ·mom + lr·g/√(ms + ε); w −= mom  (ρ = p1, μ = p2; s1 = ms, s2 = mom)
 * - rmspropCentered: also mg = ρ·mg + (1−ρ)·g, and the root is √(ms − mg² + ε)  (s3 = mg)
 * - adam:       m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; w −= lr·(m/c1)/(√(v/c2) + ε)
 *               (β1 = p1, β2 = p2, c1 = p3 = 1−β1ᵗ, c2 = p4 = 1−β2ᵗ; s1 = m, s2 = v)
 * - adamw:      w −= lr·weightDecay·w, then adam
 */
export function optimizerStep(
  f: Float32Array, n: number, w: number, g: number, s1: number, s2: number, s3: number, p: OptimizerParams,
): void {
  const { lr, p1, p2, p3, p4, eps, clipValue: clip } = p;
  switch (p.kind) {
    case Opt.sgd:
      for (let i = 0; i < n; i++) f[w + i] -= lr * clipped(f[g + i]!, clip);
      return;
    case Opt.momentum:
    case Opt.nesterov: {
      const nesterov = p.kind === Opt.nesterov;
      for (let i = 0; i < n; i++) {
        const gi = clipped(f[g + i]!, clip);
        const v = Math.fround(p1 * f[s1 + i]! + gi);
        f[s1 + i] = v;
        f[w + i] -= lr * (nesterov ? gi + p1 * v : v);
      }
      return;
    }
    case Opt.adagrad:
      for (let i = 0; i < n; i++) {
        const gi = clipped(f[g + i]!, clip);
        const acc = Math.fround(f[s1 + i]! + gi * gi);
        f[s1 + i] = acc;
        f[w + i] -= (lr * gi) / Math.sqrt(acc + eps);
      }
      return;
    case Opt.rmsprop:
    case Opt.rmspropCentered: {
      const centered = p.kind === Opt.rmspropCentered;
      for (let i = 0; i < n; i++) {
        const gi = clipped(f[g + i]!, clip);
        const ms = Math.fround(p1 * f[s1 + i]! + (1 - p1) * gi * gi);
        f[s1 + i] = ms;
        let denom = ms + eps;
        if (centered) {
          const mg = Math.fround(p1 * f[s3 + i]! + (1 - p1) * gi);
          f[s3 + i] = mg;
          denom -= mg * mg;
        }
        const mom = Math.fround(p2 * f[s2 + i]! + (lr * gi) / Math.sqrt(denom));
        f[s2 + i] = mom;
        f[w + i] -= mom;
      }
      return;
    }
    case Opt.adam:
    case Opt.adamw: {
      const decay = p.kind === Opt.adamw ? lr * p.weightDecay : 0;
      for (let i = 0; i < n; i++) {
        const gi = clipped(f[g + i]!, clip);
        const m = Math.fround(p1 * f[s1 + i]! + (1 - p1) * gi);
        const v = Math.fround(p2 * f[s2 + i]! + (1 - p2) * gi * gi);
        f[s1 + i] = m;
        f[s2 + i] = v;
        const wi = Math.fround(f[w + i]! - decay * f[w + i]!);
        f[w + i] = wi - (lr * (m / p3)) / (Math.sqrt(v / p4) + eps);
      }
      return;
    }
    default:
      throw new Error(`optimizerStep: unknown optimizer code ${String(p.kind)}`);
  }
}
