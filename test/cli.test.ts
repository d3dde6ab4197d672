// End to end: the built `wasm-mlp` bin, spawned as a user would run it, on the CSV fixtures in
// test/fixtures (regenerate them with `node test/fixtures/generate.mjs`).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin/wasm-mlp.mjs');
const fixture = (name: string) => join(root, 'test/fixtures', name);
let tmp = '';

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: tmp, env: { ...process.env, WASM_MLP_DEBUG: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A user error: its message on stderr, exit code `code`, and no stack trace. */
function expectFailure(r: ReturnType<typeof cli>, message: RegExp, code = 1) {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

beforeAll(() => {
  // The CLI bundle is cheap to rebuild; the library bundle (dist/node) comes from `npm run build`.
  expect(existsSync(join(root, 'dist/node/index.js')), 'run `npm run build` first').toBe(true);
  const b = spawnSync(process.execPath, [join(root, 'scripts/build-cli.mjs')], { encoding: 'utf8' });
  expect(b.status, b.stderr).toBe(0);
  tmp = mkdtempSync(join(tmpdir(), 'wasm-mlp-cli-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('help', () => {
  it('prints top-level help and help for every command, exit 0', () => {
    const top = cli('--help');
    expect(top.code).toBe(0);
    for (const c of ['train', 'predict', 'evaluate', 'summary', 'bench']) {
      expect(top.stdout).toContain(c);
      const r = cli(c, '--help');
      expect(r.code, c).toBe(0);
      expect(r.stdout, c).toMatch(new RegExp(`^Usage: wasm-mlp ${c}`));
      expect(cli('help', c).stdout).toBe(r.stdout);
    }
    expect(cli('--version').stdout.trim()).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
  });

  it('no command prints help and fails; an unknown command or flag is a usage error (exit 2)', () => {
    const none = cli();
    expect(none.code).toBe(1);
    expect(none.stdout).toContain('Commands:');
    expectFailure(cli('fly'), /unknown command "fly"; commands: train, predict/, 2);
    expectFailure(cli('train', fixture('classification.csv'), '--label', 'label', '--out', 'm', '--bogus'), /Unknown option '--bogus'[\s\S]*wasm-mlp train --help/, 2);
    expectFailure(cli('train', fixture('classification.csv'), '--out', 'm'), /missing --label/, 2);
    expectFailure(cli('train', fixture('classification.csv'), '--label', 'label', '--out', 'm', '--epochs', 'ten'), /--epochs must be an integer >= 1, got "ten"/, 2);
    expectFailure(cli('train', fixture('classification.csv'), '--label', 'label', '--out', 'm', '--activation', 'relux'), /--activation must be one of relu, tanh/, 2);
  });
});

describe('classification with a categorical column', () => {
  const model = () => join(tmp, 'cls');
  it('train writes model.json, weights.bin and preprocessing.json', () => {
    const r = cli('train', fixture('classification.csv'), '--label', 'label', '--layers', '16', '--epochs', '30', '--lr', '0.01', '--out', model(), '--seed', '3');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/task: classification \(inferred\), label "label" with 2 classes \(no, yes\)/);
    expect(r.stdout).toMatch(/inputs: 5 from x1, x2, color\[3\]/);
    expect(r.stdout).toMatch(/Epoch 30\/30 .* loss \d\.\d{4}  accuracy \d\.\d{4}  val_loss \d\.\d{4}  val_accuracy \d\.\d{4}  \d+ samples\/s/);
    for (const f of ['model.json', 'weights.bin', 'preprocessing.json']) expect(existsSync(join(model(), f)), f).toBe(true);
    const pre = JSON.parse(readFileSync(join(model(), 'preprocessing.json'), 'utf8'));
    expect(pre).toMatchObject({ task: 'classification', label: 'label', classes: ['no', 'yes'], inputUnits: 5 });
    expect(pre.columns.map((c: { name: string; kind: string }) => `${c.name}:${c.kind}`)).toEqual(['x1:numeric', 'x2:numeric', 'color:categorical']);
    expect(pre.columns[2].categories).toEqual(['blue', 'green', 'red']);
    const json = JSON.parse(readFileSync(join(model(), 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
  });

  it('predict writes one row per input with the class name and probabilities', () => {
    const r = cli('predict', model(), fixture('classification.csv'));
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('predicted,prob_no,prob_yes');
    expect(lines).toHaveLength(241);
    for (const line of lines.slice(1)) {
      const [label, ...p] = line.split(',');
      expect(['no', 'yes']).toContain(label);
      const probs = p.map(Number);
      expect(probs[0]! + probs[1]!).toBeCloseTo(1, 4);
      expect(label).toBe(probs[1]! > probs[0]! ? 'yes' : 'no');
    }
    const out = join(tmp, 'preds.csv');
    const f = cli('predict', join(model(), 'model.json'), fixture('classification.csv'), '--out', out);
    expect(f.code, f.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(r.stdout);
  });

  it('evaluate reports high accuracy and a confusion matrix', () => {
    const r = cli('evaluate', model(), fixture('classification.csv'), '--json');
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout);
    expect(m.accuracy).toBeGreaterThan(0.93);
    expect(m.loss).toBeLessThan(0.3);
    expect(m.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(240);
    const text = cli('evaluate', model(), fixture('classification.csv'));
    expect(text.stdout).toMatch(/accuracy \d+\.\d\d% \(\d+\/240\)/);
    expect(text.stdout).toMatch(/confusion matrix \(rows: true, columns: predicted\)\n\s+no\s+yes\nno\s+\d+\s+\d+\nyes\s+\d+\s+\d+/);
  });

  it('summary shows the layers and the preprocessing', () => {
    const r = cli('summary', model());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Total params: 130/); // 5·16+16 + 16·2+2
    expect(r.stdout).toMatch(/color: categorical, one-hot over 3 \(blue, green, red\)/);
  });

  it('predict refuses a file with other columns, naming them', () => {
    expectFailure(cli('predict', model(), fixture('mismatch.csv')), /missing "x2"; unexpected "z"\. Expected: x1, x2, color/);
  });
});

describe('regression', () => {
  const model = () => join(tmp, 'reg');
  it('train (with early stopping) → evaluate gives R² > 0.9 in the label units; predict undoes the scaling', () => {
    const r = cli('train', fixture('regression.csv'), '--label', 'price', '--layers', '16', '--epochs', '80', '--lr', '0.01', '--patience', '5', '--backend', 'js', '--out', model());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/task: regression \(inferred\)/);
    expect(r.stdout).toMatch(/backend js/);
    expect(r.stdout).toMatch(/validation: MSE [\d.]+, MAE [\d.]+, R² 0\.9\d+/);
    const m = JSON.parse(cli('evaluate', model(), fixture('regression.csv'), '--json').stdout);
    expect(m.r2).toBeGreaterThan(0.9);
    expect(m.mae).toBeLessThan(2);
    const p = cli('predict', model(), fixture('regression.csv'));
    const preds = p.stdout.trim().split('\n');
    expect(preds[0]).toBe('predicted');
    const truth = readFileSync(fixture('regression.csv'), 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[3]));
    expect(preds).toHaveLength(truth.length + 1);
    // Predictions are in dollars, not standardized units.
    expect(Math.abs(Number(preds[1]) - truth[0]!)).toBeLessThan(3);
  });

  it('an integer label can be forced to regression with --task', () => {
    const r = cli('train', fixture('classification.csv'), '--label', 'color', '--task', 'regression', '--out', join(tmp, 'bad'), '--quiet');
    expectFailure(r, /line 2 \(data row 1\), column "color": "green" is not a number/);
  });
});

describe('bad input', () => {
  const train = (file: string, ...more: string[]) => cli('train', file, '--label', 'label', '--out', join(tmp, 'never'), '--quiet', ...more);
  it('a missing file', () => expectFailure(train(fixture('nope.csv')), /error: data file not found: .*nope\.csv/));
  it('an empty file', () => expectFailure(train(fixture('empty.csv')), /empty\.csv is empty; expected a header row/));
  it('a header without rows', () => expectFailure(train(fixture('header-only.csv')), /header-only\.csv has a header \(x1, x2, color, label\) but no data rows/));
  it('a missing label column lists the columns', () => {
    expectFailure(cli('train', fixture('classification.csv'), '--label', 'species', '--out', join(tmp, 'never')), /has no label column "species"; its columns are: x1, x2, color, label/);
  });
  it('a non-numeric value in a numeric column names the line and column', () => {
    expectFailure(train(fixture('bad-numeric.csv')), /bad-numeric\.csv line 18 \(data row 17\), column "x2": "oops" is not a number/);
  });
  it('a row with too few fields', () => expectFailure(train(fixture('ragged.csv')), /ragged\.csv: Invalid Record Length: expect 4, got 3 on line 6/));
  it('a missing model directory', () => expectFailure(cli('predict', join(tmp, 'nothing'), fixture('classification.csv')), /model not found/));
  it('evaluate needs the label column', () => {
    expectFailure(cli('evaluate', join(tmp, 'cls'), fixture('mismatch.csv')), /missing "x2", "label"/);
  });
});

describe('train --stream (the file is never read whole: the path large files take)', () => {
  it('classification: trains, saves the preprocessing, and evaluate agrees; progress lines by bytes', () => {
    const out = join(tmp, 'stream-cls');
    const r = cli('train', fixture('classification.csv'), '--label', 'label', '--layers', '16', '--epochs', '30', '--lr', '0.01', '--out', out, '--seed', '3', '--stream', '--shuffle-buffer', '64');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/streaming \(0\.0 MiB\), about 80% of rows for training/);
    expect(r.stdout).toMatch(/task: classification \(inferred\), label "label" with 2 classes \(no, yes\)/);
    expect(r.stdout).toMatch(/statistics █+ 100\.0%/);
    expect(r.stdout).toMatch(/Epoch 30\/30 █+ 100\.0% .* rows\/s  loss \d\.\d{4}  accuracy \d\.\d{4}  val_loss \d\.\d{4}  val_accuracy \d\.\d{4}/);
    const pre = JSON.parse(readFileSync(join(out, 'preprocessing.json'), 'utf8'));
    expect(pre).toMatchObject({ format: 'wasm-mlp-preprocessing', task: 'classification', classes: ['no', 'yes'], inputUnits: 5 });
    expect(pre.columns[2].categories).toEqual(['blue', 'green', 'red']);
    const m = JSON.parse(cli('evaluate', out, fixture('classification.csv'), '--json').stdout);
    expect(m.accuracy).toBeGreaterThan(0.93);
  });

  it('regression with early stopping: R² > 0.9 in the label units', () => {
    const out = join(tmp, 'stream-reg');
    const r = cli('train', fixture('regression.csv'), '--label', 'price', '--layers', '16', '--epochs', '80', '--lr', '0.01', '--patience', '5', '--backend', 'js', '--out', out, '--stream');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/validation: MSE [\d.]+, MAE [\d.]+, R² 0\.9\d+/);
    expect(JSON.parse(cli('evaluate', out, fixture('regression.csv'), '--json').stdout).r2).toBeGreaterThan(0.9);
  });

  it('the row cache: the text is parsed twice whatever the epochs, the weights equal those of a run that parses every pass, and the cache is deleted', () => {
    const cacheDir = join(tmp, 'row-cache');
    mkdirSync(cacheDir);
    const run = (out: string, cache: string) => cli('train', fixture('classification.csv'), '--label', 'label', '--layers', '8', '--epochs', '3', '--seed', '5', '--stream', '--shuffle-buffer', '50', '--out', join(tmp, out), '--cache-dir', cache);
    const cached = run('cache-on', cacheDir);
    expect(cached.code, cached.stderr).toBe(0);
    expect(cached.stdout).toMatch(/row cache: the first epoch writes the 240 encoded rows \(0\.0 MiB\)/);
    // Epochs 2 and 3, three validations and the two final scores read the cache.
    expect(cached.stdout).toMatch(/read: 2 parses of the CSV \(statistics, 1 more\), 7 passes over the row cache/);
    expect(readdirSync(cacheDir)).toEqual([]);
    const parsed = run('cache-off', 'off');
    expect(parsed.code, parsed.stderr).toBe(0);
    expect(parsed.stdout).toMatch(/row cache: off; every pass parses the file/);
    expect(parsed.stdout).toMatch(/read: 9 parses of the CSV \(statistics, 8 more\), 0 passes over the row cache/);
    const lines = (r: ReturnType<typeof cli>) => r.stdout.split('\n').filter((l) => /^(Epoch|training:|validation:)/.test(l)).map((l) => l.replace(/ [\d.]+ MB\/s +\d+ rows\/s/, ''));
    expect(lines(cached)).toEqual(lines(parsed));
    expect(lines(cached)).toHaveLength(5);
    expect(readFileSync(join(tmp, 'cache-on', 'weights.bin')).equals(readFileSync(join(tmp, 'cache-off', 'weights.bin')))).toBe(true);
  });

  it('bad cells and rows name the line and column, as one error line', () => {
    const train = (file: string) => cli('train', file, '--label', 'label', '--out', join(tmp, 'never'), '--quiet', '--stream');
    expectFailure(train(fixture('bad-numeric.csv')), /bad-numeric\.csv line 18, column "x2": "oops" is not a number/);
    expectFailure(train(fixture('ragged.csv')), /ragged\.csv: Invalid Record Length: expect 4, got 3 on line 6/);
    expectFailure(train(fixture('nope.csv')), /file not found: .*nope\.csv/);
  });
});

describe('train --batch-norm (a batchNormalization after each hidden layer)', () => {
  // Streaming is slower per epoch (a parser worker, a shuffle buffer): fewer epochs there.
  it.each([['in memory', '80', 0.88, []], ['streamed', '12', 0.7, ['--stream', '--shuffle-buffer', '64']]] as const)('%s (%s epochs): trains, saves the moving statistics, evaluate and summary agree', (_how, epochs, minAccuracy, extra) => {
    const out = join(tmp, `bn-${extra.length}`);
    const r = cli('train', fixture('classification.csv'), '--label', 'label', '--layers', '16,8', '--batch-norm', '--epochs', epochs, '--lr', '0.01', '--out', out, '--seed', '3', ...extra);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/model: 5 → 16 → 8 → 2 \(relu \+ batch norm, softmax output\)/);
    const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    const layers = json.modelTopology.config.layers.map((l: { class_name: string }) => l.class_name);
    expect(layers).toEqual(['Dense', 'BatchNormalization', 'Dense', 'BatchNormalization', 'Dense']);
    const specs = json.weightsManifest[0].weights.map((w: { name: string }) => w.name);
    expect(specs.slice(-4)).toEqual(['batch_normalization/moving_mean', 'batch_normalization/moving_variance', 'batch_normalization_1/moving_mean', 'batch_normalization_1/moving_variance']);
    const m = JSON.parse(cli('evaluate', out, fixture('classification.csv'), '--json').stdout);
    // The moving statistics (momentum 0.99) need a few hundred steps to forget their initial values.
    expect(m.accuracy).toBeGreaterThan(minAccuracy);
    const s = cli('summary', out);
    expect(s.stdout).toMatch(/Non-trainable params: 48/); // 2·16 + 2·8 moving statistics
  });
});

describe('train --lr-schedule and --class-weight', () => {
  it('exponential decay: the learning rate per epoch follows lr·rate^(steps/decaySteps); balanced class weights as scikit-learn; the schedule is saved', () => {
    const dir = join(tmp, 'sched');
    // 240 rows, batch 32: 8 steps per epoch. Classes no: 105, yes: 135 → 240/(2·105), 240/(2·135).
    const r = cli('train', fixture('classification.csv'), '--label', 'label', '--layers', '8', '--epochs', '3', '--batch', '32', '--lr', '0.02',
      '--validation', '0', '--lr-schedule', 'exponential:10:0.5', '--class-weight', 'balanced', '--out', dir, '--seed', '2');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`class weights: no ${(240 / 210).toFixed(4)}, yes ${(240 / 270).toFixed(4)}`);
    expect(r.stdout).toMatch(/adam lr 0\.02 \(exponential:10:0\.5\)/);
    const rates = [...r.stdout.matchAll(/Epoch \d\/3 .* learning_rate (\S+)/g)].map((m) => Number(m[1]));
    expect(rates).toHaveLength(3);
    rates.forEach((v, e) => expect(v).toBeCloseTo(0.02 * 0.5 ** ((8 * (e + 1)) / 10), 4));
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.userDefinedMetadata.wasmMlp.trainingConfig.optimizer_config.config.learning_rate).toMatchObject({
      class_name: 'ExponentialDecay', config: { initial_learning_rate: 0.02, decay_steps: 10, decay_rate: 0.5, staircase: false },
    });
  });

  it('cosine with warmup, piecewise and plateau run; explicit class weights by label', () => {
    for (const schedule of ['cosine:40:0.1:5', 'piecewise:8,16:0.01,0.005,0.001', 'plateau:0.5:0']) {
      const r = cli('train', fixture('classification.csv'), '--label', 'label', '--layers', '4', '--epochs', '2', '--lr-schedule', schedule,
        '--class-weight', 'no=1,yes=2.5', '--out', join(tmp, 'sched2'), '--quiet');
      expect(r.code, `${schedule}: ${r.stderr}`).toBe(0);
    }
  });

  it('bad specs are usage errors naming the syntax', () => {
    const t = (...a: string[]) => cli('train', fixture('classification.csv'), '--label', 'label', '--out', join(tmp, 'x'), ...a);
    expectFailure(t('--lr-schedule', 'exp:10'), /--lr-schedule "exp:10": unknown schedule "exp"; expected exponential:<decaySteps>:<decayRate>\[:staircase\]/, 2);
    expectFailure(t('--lr-schedule', 'exponential:10'), /exponential takes <decaySteps>:<decayRate>\[:staircase\]/, 2);
    expectFailure(t('--lr-schedule', 'piecewise:5:0.1'), /values must have one more entry than boundaries: expected 2 values for 1 boundaries, got 1/, 2);
    expectFailure(t('--lr-schedule', 'plateau:2'), /factor must be a number in \(0, 1\), got "2"/, 2);
    expectFailure(t('--class-weight', 'yes=2'), /no weight for class no; give every class a weight, or use balanced/, 2);
    expectFailure(t('--class-weight', 'maybe=2'), /expected balanced or <label>=<weight>,… with labels from no, yes, got "maybe=2"/, 2);
    expectFailure(cli('train', fixture('regression.csv'), '--label', 'price', '--out', join(tmp, 'x'), '--class-weight', 'balanced'), /--class-weight needs a classification task/, 2);
    expectFailure(t('--stream', '--class-weight', 'balanced'), /--class-weight balanced needs the class counts .* not supported when streaming.*--class-weight <label>=<weight>/, 2);
    expectFailure(t('--stream', '--class-weight', 'yes=2'), /no weight for class no; give every class a weight/, 2);
  });

  it('--stream takes class weights by label (fitDataset classWeight): printed, and they change the model', () => {
    const run = (name: string, ...extra: string[]) => {
      const r = cli('train', fixture('classification.csv'), '--label', 'label', '--layers', '6', '--epochs', '2', '--stream', '--seed', '3', '--out', join(tmp, name), ...extra);
      expect(r.code, r.stderr).toBe(0);
      return { out: r.stdout, weights: readFileSync(join(tmp, name, 'weights.bin')) };
    };
    const weighted = run('stream-cw', '--class-weight', 'no=1,yes=4');
    expect(weighted.out).toContain('class weights: no 1.0000, yes 4.0000');
    const plain = run('stream-plain');
    expect(plain.out).not.toContain('class weights');
    expect(weighted.weights.equals(plain.weights)).toBe(false);
    // All-ones weights are the unweighted run, bit for bit.
    expect(run('stream-ones', '--class-weight', 'no=1,yes=1').weights.equals(plain.weights)).toBe(true);
  });
});
