/** Keras-style `model.summary()` table. */
import type { Layer } from '../layers/layer.js';

export function formatSummary(name: string, layers: Layer[]): string {
  const widths = [33, 26, 12];
  // A cell wider than its column (a long layer name) keeps one space before the next.
  const line = (cells: string[]) => cells.map((c, i) => (c.length < widths[i]! ? c.padEnd(widths[i]!) : `${c} `)).join('').trimEnd();
  const rule = (ch: string) => ch.repeat(widths.reduce((a, b) => a + b, 0));
  const rows = [`Model: "${name}"`, rule('_'), line(['Layer (type)', 'Output Shape', 'Param #']), rule('=')];
  let trainable = 0, fixed = 0;
  layers.forEach((layer, i) => {
    const t = layer.params.reduce((s, p) => s + p.size, 0), n = layer.nonTrainable.reduce((s, p) => s + p.size, 0);
    trainable += t;
    fixed += n;
    const count = t + n;
    rows.push(line([`${layer.name} (${layer.className})`, `(None, ${layer.units})`, count.toLocaleString('en-US')]));
    rows.push(i === layers.length - 1 ? rule('=') : '');
  });
  if (layers.length === 0) rows.push(rule('='));
  const fmt = (n: number) => n.toLocaleString('en-US');
  rows.push(`Total params: ${fmt(trainable + fixed)}`, `Trainable params: ${fmt(trainable)}`, `Non-trainable params: ${fmt(fixed)}`, rule('_'));
  return rows.join('\n');
}
