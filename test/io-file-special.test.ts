// Weight files that are not regular files must be refused, not read forever.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';

describe('file:// loading refuses special weight files', () => {
  let dir: string;
  beforeAll(async () => {
    await nn.setBackend('js');
    dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-special-'));
    const m = nn.sequential({ seed: 1, layers: [nn.layers.dense({ units: 3, inputShape: [2] })] });
    await m.save(`file://${dir}`);
    m.dispose();
    unlinkSync(join(dir, 'weights.bin'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a FIFO named weights.bin is refused at once (it would block forever)', async () => {
    execFileSync('mkfifo', [join(dir, 'weights.bin')]);
    try {
      await expect(nn.loadModel(`file://${dir}/model.json`)).rejects.toThrow(/not a regular file/);
    } finally {
      unlinkSync(join(dir, 'weights.bin'));
    }
  });

  it('a link to /dev/zero (size 0, endless) is refused', async () => {
    symlinkSync('/dev/zero', join(dir, 'weights.bin'));
    try {
      await expect(nn.loadModel(`file://${dir}/model.json`)).rejects.toThrow(/not a regular file/);
    } finally {
      unlinkSync(join(dir, 'weights.bin'));
    }
  });
});
