/**
 * The forward pass and one training step, as kernel calls on the offsets of a ModelMemory.
 * A step allocates nothing in JS or in the arena: `out` and `optParams` are the caller's,
 * reused across steps.
 */
import type { OptimizerParams } from '../backend/contract.js';
import type { Layer } from '../layers/layer.js';
import type { Compiled } from './compile.js';
import type { ModelMemory } from './layout.js';

/** A step that would have made the weights or the optimizer state non-finite; nothing was changed. */
export class DivergenceError extends Error {}

/** Run every layer on `rows` rows at `x`; returns the offset of the last layer's output. */
export function forward(layers: readonly Layer[], memory: ModelMemory, x: number, rows: number, training: boolean): number {
  const ctx = memory.ctx;
  ctx.training = training;
  let cur = x;
  for (const layer of layers) cur = layer.forward(ctx, cur, rows);
  return cur;
}

/**
 * One optimisation step on the batch already in xBuf/yBuf. Returns the loss (with the
 * regularisation penalty) and sets out.accuracy to the count of correct predictions. Throws a
 * DivergenceError before updating anything if the loss, gradient or update is not finite.
 */
export function trainStep(
  layers: readonly Layer[], memory: ModelMemory, c: Compiled, optParams: OptimizerParams, rows: number, out: { accuracy: number },
): number {
  const b = memory.backend;
  const last = layers[layers.length - 1]!;
  const y = forward(layers, memory, memory.xBuf, rows, true);
  const loss = b.loss(c.lossCode, rows, last.units, y, memory.yBuf, last.dOut);
  out.accuracy = c.accuracy === undefined ? 0 : b.accuracyCount(c.accuracy, rows, last.units, y, memory.yBuf);
  if (!Number.isFinite(loss)) throw new DivergenceError(`the loss became ${loss}`);
  for (let i = layers.length - 1; i >= 0; i--) layers[i]!.backward(b, rows, i > 0 ? layers[i - 1]!.dOut : 0);
  let penalty = 0;
  const opt = c.optimizer;
  for (const layer of layers) {
    for (const p of layer.params) {
      if (p.regularizer) penalty += b.regularize(p.size, p.offset, p.grad, p.regularizer.l1, p.regularizer.l2);
      if (opt.clipNorm > 0) {
        const norm = Math.sqrt(b.sumSquares(p.size, p.grad));
        if (norm > opt.clipNorm) b.scale(p.size, p.grad, opt.clipNorm / norm);
      }
    }
  }
  // Double buffering: read the current side, write the other. The kernel's fused check says
  // whether every new weight and state value is finite; only then does the other side become
  // current. Otherwise the current side still holds the exact pre-step weights and state.
  const n = memory.paramFloats;
  const from = memory.side, to = 1 - from;
  opt.fill(optParams, memory.iterations + 1);
  const bad = b.optimizerStep(n, memory.params, memory.grads, memory.sideState[from]!, memory.sideParams[to]!, memory.sideState[to]!, optParams);
  if (bad !== 0) {
    // The failure path only: tell a bad gradient from an overflow. Σx² is accumulated in f64
    // by both backends, so it is finite exactly when every value is.
    const gradientOk = Number.isFinite(b.sumSquares(n, memory.grads));
    const weightsOk = Number.isFinite(b.sumSquares(n, memory.sideParams[to]!));
    throw new DivergenceError(
      !gradientOk ? 'the gradient became NaN or Infinity'
        : !weightsOk ? 'the update overflowed the weights (beyond float32 range)'
          : `the ${opt.className} state overflowed (beyond float32 range)`,
    );
  }
  memory.iterations++;
  memory.useSide(to);
  return loss + penalty;
}
