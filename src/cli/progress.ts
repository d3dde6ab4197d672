/**
 * A per-epoch progress line for `train`: redrawn in place on a terminal, one line per epoch
 * otherwise (logs, CI). Shows loss and metrics, samples/s and the time left.
 */
import type { Logs } from '../callbacks.js';

/**
 * "loss 0.1234  accuracy 0.9500 …" from epoch logs. The learning rate is shown only when it can
 * change (`showLearningRate`: a schedule or plateau callback), in e-notation below 1e-3.
 */
export function formatLogs(logs: Logs, showLearningRate: boolean): string {
  return Object.entries(logs)
    .filter(([k]) => k !== 'batch' && k !== 'size' && (showLearningRate || k !== 'learning_rate'))
    .map(([k, v]) => `${k} ${Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(3) : v.toFixed(4)}`)
    .join('  ');
}

export function progressBar(opts: { epochs: number; samples: number; batchSize: number; out: NodeJS.WriteStream; showLearningRate?: boolean }) {
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
  const fmt = (logs: Logs) => formatLogs(logs, opts.showLearningRate ?? false);
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

/**
 * Progress by bytes of a file being streamed: redrawn every 200 ms on a terminal (bar, %, MB/s,
 * rows/s, ETA), one summary line at done() otherwise.
 */
export function byteProgress(opts: { label: string; progress: { bytes: number; totalBytes: number | undefined }; out: NodeJS.WriteStream; rows?: () => number }) {
  const { label, progress, out, rows } = opts;
  const width = 20;
  const tty = Boolean(out.isTTY);
  const t0 = performance.now();
  const line = (extra: string) => {
    const secs = Math.max((performance.now() - t0) / 1000, 1e-9);
    const total = progress.totalBytes;
    const share = total ? Math.min(progress.bytes / total, 1) : 0;
    const mbs = progress.bytes / 1e6 / secs;
    const eta = total && mbs > 0 ? ` ETA ${((total - progress.bytes) / 1e6 / mbs).toFixed(0)}s` : '';
    const r = rows ? `  ${Math.round(rows() / secs)} rows/s` : '';
    return `${label} ${'█'.repeat(Math.round(share * width)).padEnd(width, '·')} ${total ? `${(100 * share).toFixed(1)}%` : `${(progress.bytes / 2 ** 20).toFixed(0)} MiB`}  ${mbs.toFixed(1)} MB/s${r}${extra ? `  ${extra}` : eta}`;
  };
  const timer = tty ? setInterval(() => out.write(`\r${line('')}\x1b[K`), 200) : undefined;
  timer?.unref?.();
  return {
    done(extra = '') {
      if (timer) clearInterval(timer);
      const text = line(extra || `${((performance.now() - t0) / 1000).toFixed(1)}s`);
      out.write(tty ? `\r${text}\x1b[K\n` : `${text}\n`);
    },
  };
}
