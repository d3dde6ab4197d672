// A per-epoch progress bar for fit(): a redrawn line on a terminal, one line per epoch otherwise.
export function progressBar({ epochs, samples, batchSize, out = process.stdout, width = 24 }) {
  const batches = Math.ceil(samples / batchSize);
  const tty = Boolean(out.isTTY);
  let t0 = 0;
  let seen = 0;
  let lastDraw = 0;
  const fmt = (logs) => Object.entries(logs).filter(([k]) => k !== 'batch' && k !== 'size').map(([k, v]) => `${k} ${v.toFixed(4)}`).join('  ');
  const bar = (done) => '█'.repeat(Math.round(done * width)).padEnd(width, '·');
  return {
    onEpochBegin(epoch) {
      t0 = performance.now();
      seen = 0;
      this.epoch = epoch;
    },
    onBatchEnd(batch, logs) {
      seen += logs.size;
      const t = performance.now();
      if (!tty || t - lastDraw < 100) return;
      lastDraw = t;
      const rate = seen / ((t - t0) / 1000);
      const eta = (samples - seen) / rate;
      out.write(`\rEpoch ${this.epoch + 1}/${epochs} ${bar((batch + 1) / batches)} ${fmt({ loss: logs.loss, ...(logs.accuracy !== undefined ? { accuracy: logs.accuracy } : {}) })}  ${Math.round(rate)} samples/s  ETA ${eta.toFixed(1)}s  `);
    },
    onEpochEnd(epoch, logs) {
      const secs = (performance.now() - t0) / 1000;
      const line = `Epoch ${epoch + 1}/${epochs} ${bar(1)} ${fmt(logs)}  ${Math.round(samples / secs)} samples/s  ${secs.toFixed(2)}s`;
      out.write(tty ? `\r${line}\x1b[K\n` : `${line}\n`);
    },
  };
}
