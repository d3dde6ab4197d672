// nn.data.csv in the browser bundle, in real headless Chromium: a File chosen in an
// <input type=file> (playwright sets it as a user would), a ReadableStream and a Blob, each read
// in chunks through csv-parse's lazily loaded browser build, trained on with fitDataset; a bad
// row is refused naming its line and column. The page shows the results (screenshot).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root, screenshots, start, type Harness } from './browser/harness.js';

let h: Harness;
beforeAll(async () => { h = await start(); }, 120_000);
afterAll(async () => { await h?.close(); });

describe('nn.data.csv in Chromium', () => {
  it('trains from a File (input type=file), a ReadableStream and a Blob; a bad row names line and column', async () => {
    const page = await h.newPage();
    await page.goto(h.url);
    await page.evaluate(() => {
      document.body.innerHTML = '<h1>nn.data.csv</h1><input type="file" id="csv"><pre id="out"></pre>';
    });
    const iris = readFileSync(join(root, 'examples/data/iris.csv'));
    await page.setInputFiles('#csv', { name: 'iris.csv', mimeType: 'text/csv', buffer: iris });
    const result = await page.evaluate(async () => {
      const nn = await new Function('u', 'return import(u)')('/dist/browser/wasm-mlp.js');
      const out = document.getElementById('out')!;
      const log = (s: string) => { out.textContent += s + '\n'; };
      const file = (document.getElementById('csv') as HTMLInputElement).files![0]!;
      const ds = nn.data.csv(file, { label: 'species', batchSize: 16, shuffleBufferSize: 150, seed: 2 });
      const pre = await ds.preprocessing();
      log(`${file.name}: ${file.size} bytes, inputs ${pre.inputUnits}, classes ${pre.classes.join(', ')}`);
      const model = nn.sequential({ seed: 1 });
      model.add(nn.layers.dense({ units: 12, activation: 'relu', inputShape: [pre.inputUnits] }));
      model.add(nn.layers.dense({ units: pre.classes.length, activation: 'softmax' }));
      model.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.05 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      const h = await model.fitDataset(ds, { epochs: 25 });
      log(`File: 25 epochs, loss ${h.history.loss.at(-1).toFixed(4)}, progress ${ds.progress.bytes}/${ds.progress.totalBytes} bytes`);
      // A ReadableStream (one pass) with the fitted preprocessing, cut into 7-byte chunks.
      const bytes = new Uint8Array(await file.arrayBuffer());
      const stream = new ReadableStream({ start(c) { for (let i = 0; i < bytes.length; i += 7) c.enqueue(bytes.slice(i, i + 7)); c.close(); } });
      const streamEval = await model.evaluateDataset(nn.data.csv(stream, { label: 'species', preprocessing: pre, batchSize: 50 }));
      log(`ReadableStream: accuracy ${(100 * streamEval.accuracy).toFixed(1)}%`);
      const blobEval = await model.evaluateDataset(nn.data.csv(new Blob([bytes]), { label: 'species', preprocessing: pre, batchSize: 50 }));
      log(`Blob: accuracy ${(100 * blobEval.accuracy).toFixed(1)}%`);
      const text = new TextDecoder().decode(bytes).split('\n');
      text[40] = text[40]!.replace(/^[^,]+/, 'n/a');
      let error = '';
      try {
        await model.fitDataset(nn.data.csv(new Blob([text.join('\n')]), { label: 'species', preprocessing: pre }), { epochs: 1 });
      } catch (e) {
        error = `${(e as Error).name}: ${(e as Error).message} (line ${(e as { line: number }).line})`;
      }
      log(`bad row: ${error}`);
      let fsError = '';
      try { nn.data.csv('data/iris.csv', { label: 'species' })[Symbol.asyncIterator]().next().catch((e: Error) => { fsError = e.message; }); } catch (e) { fsError = (e as Error).message; }
      await new Promise((r) => setTimeout(r, 50));
      log(`file path: ${fsError}`);
      return { loss: h.history.loss, streamAcc: streamEval.accuracy, blobAcc: blobEval.accuracy, same: streamEval.loss === blobEval.loss, error, fsError, bytes: ds.progress.bytes, total: ds.progress.totalBytes, size: file.size };
    });
    await page.screenshot({ path: `${screenshots}/data-csv.png`, fullPage: true });
    expect(result.loss.at(-1)).toBeLessThan(result.loss[0]! / 3);
    expect(result.streamAcc).toBeGreaterThan(0.9);
    expect(result.same).toBe(true);
    expect(result.blobAcc).toBe(result.streamAcc);
    expect(result.bytes).toBe(result.size);
    expect(result.total).toBe(result.size);
    expect(result.error).toMatch(/^CsvError: data.csv: file "|^CsvError: data.csv: the Blob line 41, column "sepal_length": "n\/a" is not a number/);
    expect(result.error).toMatch(/line 41, column "[a-z_]+": "n\/a" is not a number.*\(line 41\)$/);
    expect(result.fsError).toMatch(/looks like a file path, which needs Node; in a browser pass a URL, a File\/Blob or a ReadableStream/);
    await page.close();
  });
});
