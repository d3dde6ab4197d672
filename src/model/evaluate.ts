/**
 * Inference over whole datasets: predict() and evaluate() run the forward pass in chunks of
 * rows through the model's batch buffers (dropout off), copying results out to ordinary JS memory.
 */
import type { Layer } from '../layers/layer.js';
import { Tensor2D } from '../tensor.js';
import type { Compiled } from './compile.js';
import { checkPositiveInt } from './data.js';
import type { ModelMemory } from './layout.js';
import { forward } from './step.js';

export interface Evaluation {
  loss: number;
  accuracy?: number;
}

/**
 * Rows per chunk for `rows` rows, growing the batch buffers when needed. While fit() runs
 * (`fitting`), its buffers are reused rather than reallocated under it.
 */
export function chunkRows(layers: readonly Layer[], memory: ModelMemory, rows: number, batchSize: number | undefined, what: string, fitting: boolean): number {
  if (batchSize !== undefined) checkPositiveInt(batchSize, 'batchSize', what);
  const want = fitting ? memory.capacity : Math.min(rows, batchSize ?? Math.max(memory.capacity, 256));
  memory.ensureCapacity(want, layers[0]!.inUnits, layers.at(-1)!.units);
  return Math.min(want, memory.capacity);
}

/** Outputs for every row of x, `chunk` rows at a time; throws on a float32 overflow. */
export function predictRows(layers: readonly Layer[], memory: ModelMemory, x: Tensor2D, chunk: number): Tensor2D {
  const b = memory.backend;
  const inputUnits = x.cols;
  const units = layers.at(-1)!.units;
  const result = new Float32Array(x.rows * units);
  for (let start = 0; start < x.rows; start += chunk) {
    const rows = Math.min(chunk, x.rows - start);
    b.f32().set(x.data.subarray(start * inputUnits, (start + rows) * inputUnits), memory.xBuf >>> 2);
    const out = forward(layers, memory, memory.xBuf, rows, false);
    result.set(b.f32().subarray(out >>> 2, (out >>> 2) + rows * units), start * units);
  }
  // Inputs and weights are finite, but their products can still overflow float32.
  for (let i = 0; i < result.length; i++) {
    const v = result[i]!;
    if (v - v !== 0) {
      throw new Error(
        `predict: the output at row ${Math.floor(i / units)}, column ${i % units} is ${v} (float32 overflow): the inputs or weights are ` +
          `too large — scale the inputs, or retrain with a lower learning rate or clipNorm/clipValue`,
      );
    }
  }
  return new Tensor2D(result, [x.rows, units]);
}

/** Mean loss and accuracy, `chunk` rows at a time; throws (starting the message with `what`) when the loss is not finite. */
export function evaluateRows(layers: readonly Layer[], memory: ModelMemory, c: Compiled, x: Tensor2D, y: Tensor2D, chunk: number, what: string): Evaluation {
  const b = memory.backend;
  const units = layers.at(-1)!.units;
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < x.rows; start += chunk) {
    const rows = Math.min(chunk, x.rows - start);
    const f32 = b.f32();
    f32.set(x.data.subarray(start * x.cols, (start + rows) * x.cols), memory.xBuf >>> 2);
    f32.set(y.data.subarray(start * y.cols, (start + rows) * y.cols), memory.yBuf >>> 2);
    const out = forward(layers, memory, memory.xBuf, rows, false);
    lossSum += b.loss(c.lossCode, rows, units, out, memory.yBuf, 0) * rows;
    if (c.accuracy !== undefined) correct += b.accuracyCount(c.accuracy, rows, units, out, memory.yBuf);
  }
  const result: Evaluation = { loss: lossSum / x.rows };
  if (!Number.isFinite(result.loss)) {
    throw new Error(
      `${what} loss is ${result.loss}: the outputs do not suit loss '${c.lossName}' (cross-entropy losses need probabilities, ` +
        `e.g. a softmax or sigmoid output layer), or the weights have grown too large`,
    );
  }
  if (c.accuracy !== undefined) result.accuracy = correct / (x.rows * c.accuracyPerRow);
  return result;
}
