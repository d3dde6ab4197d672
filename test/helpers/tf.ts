/**
 * TensorFlow.js as the oracle: tfjs-core + tfjs-layers on the plain CPU backend (float32, no
 * native bindings), so results are deterministic and comparable with ours.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';

let readyPromise: Promise<typeof tf> | undefined;

/** Select tfjs's 'cpu' backend once per test file; resolves to the tfjs-core namespace. */
export function tfReady(): Promise<typeof tf> {
  readyPromise ??= (async () => {
    const ok = await tf.setBackend('cpu');
    if (!ok || tf.getBackend() !== 'cpu') throw new Error(`tfjs: could not select the cpu backend (got ${tf.getBackend()})`);
    return tf;
  })();
  return readyPromise;
}

export { tf, tfl };
