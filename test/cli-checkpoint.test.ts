/**
 * The CLI's --metrics, --checkpoint and --resume (src/cli/train.ts): extra metrics in the
 * progress lines and the final scores, a checkpoint directory loadable like any model, and a
 * resumed run that saves the same weights, byte for byte, as an uninterrupted one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin/wasm-mlp.mjs');
const data = join(root, 'test/fixtures/classification.csv');
let tmp = '';

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: tmp, env: { ...process.env, WASM_MLP_DEBUG: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  expect(existsSync(join(root, 'dist/node/index.js')), 'run `npm run build` first').toBe(true);
  const b = spawnSync(process.execPath, [join(root, 'scripts/build-cli.mjs')], { encoding: 'utf8' });
  expect(b.status, b.stderr).toBe(0);
  tmp = mkdtempSync(join(tmpdir(), 'wasm-mlp-cli-ckpt-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const base = ['train', data, '--label', 'label', '--layers', '8', '--lr', '0.01', '--seed', '3', '--quiet'];

describe('train --metrics / --checkpoint / --resume', () => {
  it('reports the extra metrics per epoch and at the end', () => {
    const r = cli(...base.filter((a) => a !== '--quiet'), '--epochs', '3', '--metrics', 'precision,recall,auc', '--out', 'm1');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Epoch 3\/3 .*auc[ =:]+0\.\d+.*val_auc/);
    expect(r.stdout).toMatch(/validation: loss \d\.\d{4}, accuracy [\d.]+%, precision \d\.\d{4}, recall \d\.\d{4}, auc \d\.\d{4}/);
    const json = JSON.parse(readFileSync(join(tmp, 'm1', 'model.json'), 'utf8'));
    expect(json.userDefinedMetadata.wasmMlp.metrics).toEqual(['accuracy', 'precision', 'recall', 'auc']);
  });

  it('an interrupted run resumed from its checkpoint saves the same weights as one run', () => {
    const whole = cli(...base, '--epochs', '6', '--metrics', 'auc', '--out', 'whole');
    expect(whole.code, whole.stderr).toBe(0);
    const part = cli(...base, '--epochs', '3', '--metrics', 'auc', '--checkpoint', 'ck', '--out', 'part');
    expect(part.code, part.stderr).toBe(0);
    expect(existsSync(join(tmp, 'ck', 'preprocessing.json'))).toBe(true);
    const resumed = cli(...base, '--epochs', '6', '--metrics', 'auc', '--checkpoint', 'ck', '--resume', '--out', 'resumed');
    expect(resumed.code, resumed.stderr).toBe(0);
    const w = (d: string) => readFileSync(join(tmp, d, 'weights.bin'));
    expect(w('resumed').equals(w('whole'))).toBe(true);
    expect(w('part').equals(w('whole'))).toBe(false);
    // The checkpoint now holds epoch 6; asking for 6 again is refused, naming the fix.
    const again = cli(...base, '--epochs', '6', '--checkpoint', 'ck', '--resume', '--out', 'again');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already ran 6 epochs; raise --epochs/);
  });

  it('refuses an unknown metric, --resume without --checkpoint, and one-hot metrics with --stream', () => {
    const bad = cli(...base, '--metrics', 'f1', '--out', 'x');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--metrics: unknown metric "f1"; use accuracy, binaryAccuracy/);
    expect(cli(...base, '--resume', '--out', 'x').stderr).toMatch(/--resume needs --checkpoint <dir>/);
    expect(cli(...base, '--stream', '--metrics', 'auc', '--out', 'x').stderr).toMatch(/not available with --stream/);
  });
});
