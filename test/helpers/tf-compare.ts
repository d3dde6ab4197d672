/**
 * Comparing our values with TensorFlow.js's, for the oracle tests: every value within
 * |ours − tfjs| ≤ TOL.rel·|tfjs| + TOL.abs, and the first one that is not named with its index.
 */
import { expect } from 'vitest';
import type * as nn from '../../src/index.js';
import type { tfl } from './tf.js';

/** The tfjs oracle tolerance: 2e-5 relative + 2e-5 absolute (float32 summation-order noise). */
export const TOL = { rel: 2e-5, abs: 2e-5 };

export function expectValuesClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!, w = want[i]!;
    if (!(Math.abs(g - w) <= TOL.rel * Math.abs(w) + TOL.abs)) {
      throw new Error(`${what}: [${i}] is ${g}, tfjs says ${w} (|diff| ${Math.abs(g - w).toExponential(2)} > ${TOL.rel}·|want| + ${TOL.abs})`);
    }
  }
}

/** Every weight of ours (getWeights order) against tfjs's getWeights, value by value. */
export function expectWeightsMatch(ours: nn.Sequential, theirs: tfl.Sequential, what: string): void {
  const a = ours.getWeights();
  const b = theirs.getWeights();
  expect(a.length, `${what}: weight count`).toBe(b.length);
  a.forEach((w, t) => expectValuesClose(w.data, b[t]!.dataSync(), `${what}: ${w.name}`));
}
