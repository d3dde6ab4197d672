/** Keras-style `model.summary()` table. */
import type { Layer } from '../layers/layer.js';

export function formatSummary(name: string, layers: Layer[]): string {
  const widths = [33, 26, 12];
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('').trimEnd();
  const rule = (ch: string) => ch.repeat(widths.reduce((a, b) => a + b, 0));
  const rows = [`Model: "${name}"`, rule('_'), line(['Layer (type)', 'Output Shape', 'Param #']), rule('=')];
  let total = 0;
  layers.forEach((layer, i) => {
    const count = layer.params.reduce((s, p) => s + p.size, 0);
    total += count;
    rows.push(line([`${layer.name} (${layer.className})`, `(None, ${layer.units})`, count.toLocaleString('en-US')]));
    rows.push(i === layers.length - 1 ? rule('=') : '');
  });
  if (layers.length === 0) rows.push(rule('='));
  rows.push(`Total params: ${total.toLocaleString('en-US')}`, `Trainable params: ${total.toLocaleString('en-US')}`, 'Non-trainable params: 0', rule('_'));
  return rows.join('\n');
}
