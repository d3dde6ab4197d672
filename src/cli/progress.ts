/**
 * A per-epoch progress line for `train`: redrawn in place on a terminal, one line per epoch
 * otherwise (logs, CI). Shows loss and metrics, samples/s and the time left.
 */
import type { Logs } from '../callbacks.js';

export function progressBar(opts: { epochs: number; samples: number; batchSize: number; out: NodeJS.WriteStream }) {
  const { epochs, samples, batchSize, out } = opts;
  const width = 20;
  const batches = Math.ceil(samples / batchSize);
  const tty = Boolean(out.isTTY);
  const start = performance.now();
  let t0 = 0;
  let seen = 0;
  let lastDraw = 0;
  let epochNow = 0;
  const bar = (done: number) => '█'.repeat(Math.round(done * width)).padEnd(width, '·');
  const fmt = (logs: Logs) =>
    Object.entries(logs)
      .filter(([k]) => k !== 'batch' && k !== 'size')
      .map(([k, v]) => `${k} ${v.toFixed(4)}`)
      .join('  ');
  const clock = (s: number) => (s >= 60 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(1)}s`);
  const pad = String(epochs).length;
  const label = (e: number) => `Epoch ${String(e + 1).padStart(pad)}/${epochs}`;
  return {
    onEpochBegin(epoch: number) {
      t0 = performance.now();
      seen = 0;
      epochNow = epoch;
    },
    onBatchEnd(batch: number, logs: Logs) {
      seen += logs.size ?? 0;
      if (!tty) return;
      const t = performance.now();
      if (t - lastDraw < 100) return;
      lastDraw = t;
      const rate = seen / Math.max((t - t0) / 1000, 1e-9);
      const eta = (samples - seen) / rate + (epochs - epochNow - 1) * (samples / rate);
      out.write(`\r${label(epochNow)} ${bar((batch + 1) / batches)} ${fmt({ loss: logs.loss!, ...(logs.accuracy !== undefined ? { accuracy: logs.accuracy } : {}) })}  ${Math.round(rate)} samples/s  ETA ${clock(eta)}\x1b[K`);
    },
    onEpochEnd(epoch: number, logs: Logs) {
      const t = performance.now();
      const secs = (t - t0) / 1000;
      const perEpoch = (t - start) / 1000 / (epoch + 1);
      const left = epochs - epoch - 1;
      const line = `${label(epoch)} ${bar(1)} ${fmt(logs)}  ${Math.round(samples / Math.max(secs, 1e-9))} samples/s  ${left ? `ETA ${clock(perEpoch * left)}` : `${clock((t - start) / 1000)} total`}`;
      out.write(tty ? `\r${line}\x1b[K\n` : `${line}\n`);
    },
  };
}
