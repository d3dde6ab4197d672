// Every example runs in --quick mode, as a user would run it, and its output is checked.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
let tmp = '';

function example(name: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'examples', name), ...args], { encoding: 'utf8', cwd: root });
  expect(r.status, `${name} failed:\n${r.stderr}`).toBe(0);
  return r.stdout;
}

beforeAll(() => {
  expect(existsSync(join(root, 'dist/node/index.js')), 'run `npm run build` first').toBe(true);
  const b = spawnSync(process.execPath, [join(root, 'scripts/build-cli.mjs')], { encoding: 'utf8' });
  expect(b.status, b.stderr).toBe(0);
  tmp = mkdtempSync(join(tmpdir(), 'wasm-mlp-examples-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('examples (--quick)', () => {
  it('xor.mjs: learns XOR, and the hand-built ReLU network outputs exactly [0, 1, 1, 0]', () => {
    const out = example('xor.mjs', '--quick');
    expect(out).toContain('outputs: [0, 1, 1, 0]');
    expect(out).toMatch(/ {2}0 1 \| 1\n {2}1 0 \| 1\n {2}1 1 \| 0/);
    const learned = [...out.matchAll(/rounds to (\d), want (\d)/g)];
    expect(learned).toHaveLength(4);
    for (const m of learned) expect(m[1]).toBe(m[2]);
  });

  it('playground-exercises.mjs: the course conclusions hold', () => {
    const { rows, smallest, threshold } = JSON.parse(example('playground-exercises.mjs', '--quick', '--json'));
    expect(threshold).toBe(0.177);
    const row = (q: string, net?: string) => rows.find((r: { question: string; network: string }) => r.question === q && (!net || r.network === net));
    for (const r of rows) for (const k of ['trainMedian', 'testBest', 'testMedian']) expect(r[k]).toBeGreaterThanOrEqual(0);
    // Q1: linear cannot learn XOR (≈ 0.5, the score of always answering 0).
    expect(row('Q1 linear model').testMedian).toBeGreaterThan(0.4);
    // Q2: 2 neurons underfit even at noise 0; Q3: 3 neurons fit on some runs.
    expect(row('Q2 2 ReLU neurons').testBest).toBeGreaterThan(0.1);
    expect(row('Q3 3 ReLU neurons').testBest).toBeLessThan(0.05);
    // Q4: a network reaching ≤ 0.177 exists, and one neuron is never enough.
    expect(smallest).toMatch(/relu/);
    expect(row('Q4 search', '2 → 1 relu → 1').hits).toBe(0);
    expect(row('Q4 search', '2 → 8 → 8 relu → 1').testMedian).toBeLessThanOrEqual(0.177);
    // Overfitting: the too-large net generalises worse than the just-big-enough one.
    const small = row('overfit: just enough');
    const big = row('overfit: too large');
    expect(big.testMedian).toBeGreaterThan(small.testMedian);
    expect(big.testMedian - big.trainMedian).toBeGreaterThan(small.testMedian - small.trainMedian);
    // The table form prints the same rows.
    const table = example('playground-exercises.mjs', '--quick', '--seeds', '1');
    expect(table).toMatch(/^Q1 linear model\s+2 → 1 linear → 1\s+0\.35\s+250\s+0\.\d{3}/m);
    expect(table).toMatch(/Smallest network reaching test loss ≤ 0\.177/);
  });

  it('intent-classifier.mjs: Dense 256/Dropout/128/Dropout/softmax answers unseen phrasings', () => {
    const out = example('intent-classifier.mjs', '--quick');
    expect(out).toMatch(/13 intents, \d+ patterns, vocabulary of \d+ stems; model \d+ → 256 → 128 → 13/);
    expect(out).toMatch(/training accuracy (9\d|100)\.\d%/);
    expect(out).toMatch(/> my parcel still has not arrived\n\[order_status/);
    expect(out).toMatch(/> do you accept credit cards\n\[payment/);
    const ask = example('intent-classifier.mjs', '--quick', '--ask', 'hello there!');
    expect(ask).toMatch(/> hello there!\n\[greeting \d+%\]/);
  });

  it('batch-norm.mjs: on unscaled features batch normalization learns the circle, the plain network does not', () => {
    const r = JSON.parse(example('batch-norm.mjs', '--quick', '--json'));
    expect(r.batchNorm.diverged).toBe(false);
    expect(r.batchNorm.accuracy).toBeGreaterThan(0.9);
    expect(r.plain.diverged || r.plain.accuracy < r.batchNorm.accuracy - 0.15).toBeTruthy();
  });

  it('iris.mjs: trains the CLI on iris.csv, evaluates and predicts', () => {
    const out = example('iris.mjs', '--quick', '--out', join(tmp, 'iris'));
    expect(out).toMatch(/150 rows → 120 training, 30 validation/);
    const acc = Number(/accuracy (\d+\.\d+)% \(\d+\/150\)/.exec(out)![1]);
    expect(acc).toBeGreaterThan(90);
    expect(out).toMatch(/predicted,prob_setosa,prob_versicolor,prob_virginica\nsetosa,[\d.,]+\nversicolor,[\d.,]+\nvirginica,/);
    expect(existsSync(join(tmp, 'iris', 'model.json'))).toBe(true);
  });

  it('checkpoint-resume.mjs: per-epoch precision/recall/AUC, the best epoch kept, a resumed run identical to one run', () => {
    const out = example('checkpoint-resume.mjs', '--quick', '--out', join(tmp, 'ckpt'));
    expect(out).toMatch(/epoch  loss    precision recall  auc     val_auc/);
    expect(out).toMatch(/best val_auc (0\.\d{4}) \(epoch \d+\); the saved model scores val_auc \1/);
    expect(out).toMatch(/resumed after epoch 4: weights identical to the uninterrupted run/);
  });

  it('activations.mjs: writes an SVG with every activation and prints the course facts', () => {
    const file = join(tmp, 'activations.svg');
    const out = example('activations.mjs', '--quick', '--out', file);
    expect(out).toContain("sigmoid'(0) = 0.25");
    expect(out).toContain("tanh'(0) = 1");
    expect(out).toContain('softmax([1.2, 0.9, 0.75]) = [0.42, 0.31, 0.27]');
    const svg = readFileSync(file, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    for (const name of ['linear', 'step', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'elu', 'selu', 'softplus', 'swish', 'gelu', 'mish', 'softmax']) {
      expect(svg).toContain(`>${name}</text>`);
    }
    expect(svg.match(/<path /g)).toHaveLength(26); // f and f′ for each of the 13 (mish added by issue 14)
    expect(svg).not.toMatch(/NaN|Infinity/);
  });
});
