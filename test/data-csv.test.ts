/**
 * nn.data.csv / nn.data.fitPreprocessing: streaming CSV into batches. Parsing edge cases (quotes,
 * CRLF, BOM, empty lines, chunk boundaries inside characters, huge lines), errors naming line and
 * column, shuffle buffers, and training: fitDataset on the CSV gives the weights of fit on the
 * same rows encoded in memory by the CLI's preprocessing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { readCsv } from '../src/cli/csv.js';
import { encodeClasses, encodeFeatures, fitPreprocessing as cliFit } from '../src/cli/preprocess.js';

const dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string | Uint8Array) => { const p = join(dir, name); writeFileSync(p, text); return p; };
const enc = new TextEncoder();
/** The text in chunks of `size` bytes (cutting through multi-byte characters and CRLFs). */
function* chunks(text: string, size: number) { const b = enc.encode(text); for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size); }

async function all(ds: AsyncIterable<nn.data.CsvBatch>) {
  const xs: number[][] = [], ys: number[][] = [];
  for await (const b of ds) {
    for (let r = 0; r < b.xs.rows; r++) xs.push(Array.from(b.xs.data.subarray(r * b.xs.cols, (r + 1) * b.xs.cols)));
    if (b.ys instanceof Int32Array) ys.push(...Array.from(b.ys, (v) => [v]));
    else for (let r = 0; r < b.ys.rows; r++) ys.push(Array.from(b.ys.data.subarray(r * b.ys.cols, (r + 1) * b.ys.cols)));
  }
  return { xs, ys };
}

const tricky = '\ufeffsize,"colour, named",kind\r\n1,"red",a\r\n\r\n3,"bl""ue",b\r\n  5 , "line\r\nbreak" ,a\r\n\r\n';

describe('nn.data.csv parsing', () => {
  it('BOM, CRLF, quoted fields (escaped quotes, delimiters and line breaks inside), empty lines, trimmed cells; any chunking', async () => {
    const pre = await nn.data.fitPreprocessing(file('tricky.csv', tricky), { label: 'kind' });
    expect(pre.columns).toEqual([
      { name: 'size', kind: 'numeric', mean: 3, std: Math.sqrt(8 / 3) },
      { name: 'colour, named', kind: 'categorical', categories: ['bl"ue', 'line\r\nbreak', 'red'] },
    ]);
    expect(pre.classes).toEqual(['a', 'b']);
    const s = Math.sqrt(8 / 3);
    const want = { xs: [[-2 / s, 0, 0, 1], [0, 1, 0, 0], [2 / s, 0, 1, 0]], ys: [[0], [1], [0]] };
    for (const size of [1, 2, 3, 7, 1 << 16]) {
      const got = await all(nn.data.csv(chunks(tricky, size), { label: 'kind', preprocessing: pre, batchSize: 2 }));
      expect(got.xs.map((r) => r.map((v) => Math.fround(v))), `chunks of ${size}`).toEqual(want.xs.map((r) => r.map((v) => Math.fround(v))));
      expect(got.ys).toEqual(want.ys);
    }
    // Multi-byte characters split across chunks.
    const utf = 'name,y\nnaïve 東京 🙂,1\nplain,0\n';
    const p2 = await nn.data.fitPreprocessing(chunks(utf, 1), { label: 'y' });
    expect((p2.columns[0] as { categories: string[] }).categories).toEqual(['naïve 東京 🙂', 'plain']);
  });

  it('malformed input: errors are CsvErrors naming the line and column', async () => {
    const cases: [string, RegExp, number | undefined, string | undefined][] = [
      ['a,b,y\n1,2,0\n3,4\n5,6,1\n', /Invalid Record Length: expect 3, got 2 on line 3/, 3, undefined],
      ['a,b,y\n1,2,0\n3,"4,1\n5,6,1\n', /Quote Not Closed|quote/i, undefined, undefined],
      ['a,b,y\n1,2,0\n3,x"y,1\n', /Invalid (Opening )?Quote|quote/i, undefined, undefined],
      ['a,b,y\n1,2,0\n3,4,1\n5,6,1\n7,,0\n8,9,1\n', /line 5, column "b" is empty/, 5, 'b'],
      ['a,b,y\n1,2,0\n3,4,1\n5,6,1\n7,8,1\n9,ten,0\n', /line 6, column "b": "ten" is not a number, but the column is numeric/, 6, 'b'],
      ['a,b,y\n1,2,0\n3,4,\n', /line 3: the label "y" is empty/, 3, 'y'],
      ['a,a,y\n1,2,0\n', /the header names column "a" twice/, 1, 'a'],
      ['a,,y\n1,2,0\n', /column 2 of the header has no name/, 1, undefined],
      ['', /is empty; expected a header row/, 1, undefined],
      ['a,b,y\n', /has a header \(a, b, y\) but no data rows/, undefined, undefined],
      ['a,b,z\n1,2,0\n', /has no label column "y"; its columns are: a, b, z/, undefined, 'y'],
      // Line numbers count quoted line breaks, CRLF and skipped empty lines.
      ['a,t,y\r\n1,"two\nlines",0\r\n\r\n2,p,1\r\n3,q,0\r\n4,r,1\r\n5,s,0\r\nbad,u,1\r\n', /line 9, column "a": "bad" is not a number/, 9, 'a'],
    ];
    for (const [text, msg, line, column] of cases) {
      const err = await nn.data.fitPreprocessing(file('bad.csv', text), { label: 'y' }).then(() => undefined, (e: unknown) => e);
      expect(err, text).toBeInstanceOf(nn.data.CsvError);
      expect((err as Error).message, text).toMatch(msg);
      expect((err as Error).message, text).toContain('bad.csv');
      if (line !== undefined) expect((err as nn.data.CsvError).line, text).toBe(line);
      if (column !== undefined) expect((err as nn.data.CsvError).column, text).toBe(column);
    }
    // Encoding with a fitted preprocessing: an unseen category or class, a bad number — named.
    const pre = await nn.data.fitPreprocessing(file('ok.csv', 'n,c,y\n1,p,a\n2,q,b\n'), { label: 'y' });
    for (const [text, msg] of [
      ['n,c,y\n1,p,a\n2,r,b\n', /line 3, column "c": "r" is not one of the column's 2 categories/],
      ['n,c,y\n1,p,a\n2,q,zz\n', /line 3, column "y": label "zz" is not one of the classes \(a, b\)/],
      ['n,c,y\n1,p,a\nNaN,q,b\n', /line 3, column "n": "NaN" is not a number/],
      ['n,y\n1,a\n', /missing "c"/],
    ] as const) {
      await expect(all(nn.data.csv(chunks(text, 5), { label: 'y', preprocessing: pre })), text).rejects.toThrow(msg);
    }
  });

  it('huge lines: a 600 000-character record parses; beyond maxLineLength it is refused (a file without line breaks cannot fill memory)', async () => {
    const big = 'x'.repeat(600_000);
    const text = `t,y\n${big},a\nshort,b\n`;
    const pre = await nn.data.fitPreprocessing(chunks(text, 4096), { label: 'y' });
    expect((pre.columns[0] as { categories: string[] }).categories.map((c) => c.length).sort()).toEqual([5, 600_000]);
    await expect(nn.data.fitPreprocessing(chunks(text, 4096), { label: 'y', maxLineLength: 100_000 })).rejects.toThrow(/maxLineLength/);
    const noBreaks = 'a,y\n' + '1,'.repeat(200_000);
    await expect(nn.data.fitPreprocessing(chunks(noBreaks, 65536), { label: 'y', maxLineLength: 65536 })).rejects.toThrow(nn.data.CsvError);
  });

  it('options are checked: misspelt keys, bad sizes, non-sources, a stream read twice', async () => {
    expect(() => nn.data.csv('a.csv', { label: 'y', batchsize: 3 } as never)).toThrow(/data.csv: unknown option 'batchsize'; did you mean 'batchSize'\?/);
    expect(() => nn.data.csv('a.csv', { label: 'y', batchSize: 0 })).toThrow(/data.csv: batchSize must be an integer >= 1, got number 0/);
    expect(() => nn.data.csv(42 as never, { label: 'y' })).toThrow(/expected a file path, a URL, a File\/Blob, a ReadableStream/);
    expect(() => nn.data.csv('a.csv', {} as never)).toThrow(/label must name the column/);
    await expect(nn.data.fitPreprocessing(join(dir, 'missing.csv'), { label: 'y' })).rejects.toThrow(/file not found: .*missing.csv/);
    const text = 'a,y\n1,p\n2,q\n';
    const stream = new ReadableStream<Uint8Array>({ start(c) { c.enqueue(enc.encode(text)); c.close(); } });
    const ds = nn.data.csv(stream, { label: 'y' });
    await expect(all(ds)).rejects.toThrow(/the source is a stream, which can be read once/);
    const stream2 = new ReadableStream<Uint8Array>({ start(c) { c.enqueue(enc.encode(text)); c.close(); } });
    const pre = await nn.data.fitPreprocessing(file('s.csv', text), { label: 'y' });
    expect((await all(nn.data.csv(stream2, { label: 'y', preprocessing: pre }))).ys).toEqual([[0], [1]]);
  });

  it('Blob sources and progress by bytes', async () => {
    const text = 'a,y\n' + Array.from({ length: 500 }, (_, i) => `${i},${i % 3}`).join('\n') + '\n';
    const ds = nn.data.csv(new Blob([text]), { label: 'y', batchSize: 64 });
    const seen: number[] = [];
    for await (const b of ds) seen.push(b.xs.rows);
    expect(seen).toEqual([64, 64, 64, 64, 64, 64, 64, 52]);
    expect(ds.progress).toEqual({ bytes: enc.encode(text).length, totalBytes: enc.encode(text).length });
  });

  it('shuffleBufferSize: each pass is a permutation of the rows, replayed by the seed, different per pass', async () => {
    const text = 'a,y\n' + Array.from({ length: 300 }, (_, i) => `${i},${i % 2}`).join('\n') + '\n';
    const p = file('shuffle.csv', text);
    const pre = await nn.data.fitPreprocessing(p, { label: 'y' });
    const { mean, std } = pre.columns[0] as { mean: number; std: number };
    const order = async (ds: nn.data.CsvDataset) => (await all(ds)).xs.map((r) => Math.round(r[0]! * std + mean));
    const a = nn.data.csv(p, { label: 'y', preprocessing: pre, shuffleBufferSize: 50, seed: 3, batchSize: 7 });
    const first = await order(a), second = await order(a);
    const sorted = Array.from({ length: 300 }, (_, i) => i);
    expect([...first].sort((x, y) => x - y)).toEqual(sorted);
    expect([...second].sort((x, y) => x - y)).toEqual(sorted);
    expect(first).not.toEqual(sorted);
    expect(second).not.toEqual(first);
    const b = nn.data.csv(p, { label: 'y', preprocessing: pre, shuffleBufferSize: 50, seed: 3, batchSize: 300 });
    expect(await order(b)).toEqual(first);
    expect(await order(b)).toEqual(second);
  });
});

describe('nn.data helpers', () => {
  it('splitRows: a seeded share of rows, the same for the same seed, complementary filters cover every row once', async () => {
    const a = nn.data.splitRows(0.2, 7), b = nn.data.splitRows(0.2, 7), c = nn.data.splitRows(0.2, 8);
    const rows = Array.from({ length: 20000 }, (_, i) => i);
    const picked = rows.filter(a);
    expect(picked.length / rows.length).toBeGreaterThan(0.18);
    expect(picked.length / rows.length).toBeLessThan(0.22);
    expect(rows.filter(b)).toEqual(picked);
    expect(rows.filter(c)).not.toEqual(picked);
    expect(rows.filter(nn.data.splitRows(0, 1))).toEqual([]);
    expect(rows.filter(nn.data.splitRows(1, 1)).length).toBe(20000);
    expect(() => nn.data.splitRows(1.5, 1)).toThrow(/share must be a number in \[0, 1\]/);
    const text = 'a,y\n' + Array.from({ length: 200 }, (_, i) => `${i},${i % 2}`).join('\n') + '\n';
    const p = file('split.csv', text);
    const pre = await nn.data.fitPreprocessing(p, { label: 'y' });
    const { mean, std } = pre.columns[0] as { mean: number; std: number };
    const ids = async (filter: (r: number) => boolean) => (await all(nn.data.csv(p, { label: 'y', preprocessing: pre, filter }))).xs.map((r) => Math.round(r[0]! * std + mean));
    const isVal = nn.data.splitRows(0.25, 3);
    const val = await ids(isVal), train = await ids((r) => !isVal(r));
    expect([...val, ...train].sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(val).toEqual(Array.from({ length: 200 }, (_, i) => i).filter(isVal));
  });

  it('labels: false gives features only (the label column may be absent); strictColumns names unexpected columns', async () => {
    const pre = await nn.data.fitPreprocessing(file('fit.csv', 'n,c,y\n1,p,a\n3,q,b\n'), { label: 'y' });
    const batches: nn.data.CsvBatch[] = [];
    for await (const b of nn.data.csv(chunks('c,n\nq,3\np,1\n', 4), { label: 'y', preprocessing: pre, labels: false })) batches.push(b);
    expect(batches).toHaveLength(1);
    expect(Array.from(batches[0]!.xs.data)).toEqual([1, 0, 1, -1, 1, 0]);
    expect(batches[0]!.ys).toBeUndefined();
    await expect(all(nn.data.csv(chunks('n,c,z\n1,p,0\n', 4), { label: 'y', preprocessing: pre, labels: false, strictColumns: true })))
      .rejects.toThrow(/unexpected "z"\. Expected: n, c \(and optionally y\)/);
    expect(() => nn.data.csv('x.csv', { label: 'y', labels: false })).toThrow(/labels: false needs options.preprocessing/);
  });
});

describe.each(['js', 'wasm'] as const)('training from nn.data.csv (%s)', (backend) => {
  it('fitDataset on the CSV = fit on the same rows encoded in memory by the CLI preprocessing; the statistics agree', async () => {
    await nn.setBackend(backend, backend === 'wasm' ? { threads: 1 } : {});
    const path = new URL('../examples/data/iris.csv', import.meta.url).pathname;
    const table = readCsv(path);
    const rows = table.rows.map((_, i) => i);
    const cli = cliFit(table, rows, { label: 'species' });
    const ds = nn.data.csv(path, { label: 'species', batchSize: 16 });
    const pre = await ds.preprocessing();
    expect(pre.classes).toEqual(cli.classes);
    expect(pre.task).toBe(cli.task);
    pre.columns.forEach((c, j) => {
      const d = cli.columns[j]!;
      expect(c.name).toBe(d.name);
      if (c.kind === 'numeric' && d.kind === 'numeric') {
        expect(c.mean).toBeCloseTo(d.mean, 12);
        expect(c.std).toBeCloseTo(d.std, 12);
      } else expect(c).toEqual(d);
    });
    const make = () => {
      const m = nn.sequential({ seed: 5 });
      m.add(nn.layers.dense({ units: 8, activation: 'relu', inputShape: [pre.inputUnits] }));
      m.add(nn.layers.dense({ units: pre.classes!.length, activation: 'softmax' }));
      m.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.05 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      return m;
    };
    const a = make(), b = make();
    const h = await a.fitDataset(ds, { epochs: 4 });
    await b.fit(nn.tensor2d(encodeFeatures(pre, table, rows), [rows.length, pre.inputUnits]), encodeClasses(pre, table, rows), { epochs: 4, batchSize: 16, shuffle: false });
    const wa = a.getWeights().flatMap((w) => Array.from(w.data)), wb = b.getWeights().flatMap((w) => Array.from(w.data));
    // Float32 inputs from the same formula; the stats differ only in the last bits (streaming vs two-pass).
    wa.forEach((v, i) => expect(v).toBeCloseTo(wb[i]!, 4));
    expect(h.params.samples).toBe(150);
    const e = await a.evaluateDataset(ds);
    expect(e.accuracy).toBeGreaterThan(0.8);
    a.dispose(); b.dispose();
  });

  it('a bad row mid-file stops fitDataset with the line and column; the model keeps the batches before it', async () => {
    await nn.setBackend(backend, backend === 'wasm' ? { threads: 1 } : {});
    const lines = Array.from({ length: 100 }, (_, i) => `${(i % 7) / 7},${(i % 5) / 5},${i % 2}`);
    const good = file('good.csv', `a,b,y\n${lines.join('\n')}\n`);
    lines[70] = '0.5,oops,1';
    const bad = file('bad-row.csv', `a,b,y\n${lines.join('\n')}\n`);
    const pre = await nn.data.fitPreprocessing(good, { label: 'y' });
    const make = () => {
      const m = nn.sequential({ seed: 1 });
      m.add(nn.layers.dense({ units: 2, activation: 'softmax', inputShape: [2] }));
      m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
      return m;
    };
    const m = make();
    const err = await m.fitDataset(nn.data.csv(bad, { label: 'y', preprocessing: pre, batchSize: 10 }), { epochs: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(nn.data.CsvError);
    expect((err as Error).message).toMatch(/bad-row\.csv line 72, column "b": "oops" is not a number/);
    // Batches 1–7 (rows 1–70) were trained on; the batch holding line 72 never was.
    const ref = make();
    await ref.fitDataset(nn.data.csv(good, { label: 'y', preprocessing: pre, batchSize: 10 }), { epochs: 1, batchesPerEpoch: 7 });
    expect(m.getWeights().flatMap((w) => Array.from(w.data))).toEqual(ref.getWeights().flatMap((w) => Array.from(w.data)));
    m.dispose(); ref.dispose();
  });
});
