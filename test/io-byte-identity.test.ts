// Saved files stay byte-identical for existing models: test/fixtures/saved-models.json was written
// by the library as it was before the descriptor/registry refactor (issue 14) with
// `node test/fixtures/saved-models.mjs <old dist>`; the same models saved now must match it.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
// @ts-expect-error: a plain .mjs helper shared with the fixture generator
import { cases, saveAll } from './fixtures/saved-models.mjs';

const golden = JSON.parse(readFileSync(new URL('./fixtures/saved-models.json', import.meta.url), 'utf8')) as Record<string, { modelJson: string; weightsSha256: string }>;

describe('saved files are byte-identical to the pre-refactor fixtures', () => {
  let saved: Record<string, { modelJson: string; weightsSha256: string }>;
  beforeAll(async () => {
    await nn.setBackend('js');
    saved = await saveAll(nn);
  });
  afterAll(async () => {
    await nn.setBackend('wasm');
  });

  it('covers every case the fixture has', () => {
    expect(Object.keys(saved).sort()).toEqual(Object.keys(golden).sort());
    expect((cases as unknown[]).length).toBe(7);
  });

  for (const name of Object.keys(golden)) {
    it(`${name}: model.json and weights.bin`, () => {
      expect(saved[name]!.modelJson).toBe(golden[name]!.modelJson);
      expect(saved[name]!.weightsSha256).toBe(golden[name]!.weightsSha256);
    });
  }

  it('and they load back to the same bytes (load → save round trip)', async () => {
    const { mkdtempSync, readFileSync: read, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    for (const [name, build] of cases as [string, (n: typeof nn) => nn.Sequential][]) {
      const dir = mkdtempSync(path.join(tmpdir(), 'wasm-mlp-rt-'));
      const m = build(nn);
      await m.save(`file://${dir}`);
      const back = await nn.loadModel(`file://${dir}/model.json`);
      const dir2 = mkdtempSync(path.join(tmpdir(), 'wasm-mlp-rt-'));
      await back.save(`file://${dir2}`);
      expect(read(path.join(dir2, 'model.json'), 'utf8'), name).toBe(golden[name]!.modelJson);
      m.dispose();
      back.dispose();
      for (const d of [dir, dir2]) rmSync(d, { recursive: true, force: true });
    }
  });
});
