/** fit({ verbose: 1 }): one console line per epoch, as a callback that runs before the user's. */
import type { Callback, Logs } from '../callbacks.js';
import { now } from '../util/yield.js';

/** "Epoch 3/10 - 0.42s - loss: 0.1234 - accuracy: 0.9500 - 23810 samples/s" at the end of every epoch. */
export function verboseLogger(samples: number | undefined, lastEpoch: number): Callback {
  let t0 = 0;
  return {
    onEpochBegin(): void {
      t0 = now();
    },
    onEpochEnd(epoch: number, logs: Logs = {}): void {
      const secs = (now() - t0) / 1000;
      // As Keras's progress bar: 4 decimals, or 4 significant digits in e-notation below 1e-3 (small learning rates).
      const parts = Object.entries(logs).map(([k, v]) => `${k}: ${Math.abs(v) > 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(4)}`);
      console.log(`Epoch ${epoch + 1}/${lastEpoch} - ${secs.toFixed(2)}s - ${parts.join(' - ')}${samples === undefined ? '' : ` - ${Math.round(samples / secs)} samples/s`}`);
    },
  };
}
