// docs/scale-out.md as a user runs it: train here and export .keras/.onnx, continue in Keras 3
// with DataParallel across 2 CPU devices (examples/python/continue_training.py), load the result
// back here: it predicts what Keras predicts (1e-5) and the loss Keras reached is ours too.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { python, pythonEnv, repoRoot } from './helpers/python.js';

describe.skipIf(!python)('examples/python (Keras 3 on 2 CPU devices)', () => {
  it('scale-out: export → Keras DataParallel fit → back here with the same predictions', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-scale-out-'));
    const run = (cmd: string, args: string[]) => {
      const r = spawnSync(cmd, args, { cwd: repoRoot, encoding: 'utf8', env: pythonEnv({ XLA_FLAGS: '--xla_force_host_platform_device_count=2' }), timeout: 240_000 });
      expect(r.status, `${args.join(' ')} failed:\n${r.stderr}`).toBe(0);
      return r.stdout;
    };
    expect(run(process.execPath, ['examples/scale-out.mjs', 'export', '--dir', dir, '--quick'])).toMatch(/trained here: loss/);
    const out = run(python!, ['examples/python/continue_training.py', dir, '--epochs', '30']);
    expect(out).toMatch(/data parallel across 2 devices/);
    const report = JSON.parse(readFileSync(join(dir, 'keras-report.json'), 'utf8'));
    expect(report.distribution).toBe('DataParallel');
    expect(report.devices).toHaveLength(2);
    expect(report.after.loss).toBeLessThan(report.before.loss);
    const back = JSON.parse(run(process.execPath, ['examples/scale-out.mjs', 'import', '--dir', dir]).trim().split('\n').pop()!);
    expect(back.worst).toBeLessThan(1e-5);
    expect(back.loss).toBeCloseTo(report.after.loss, 4);
    expect(back.accuracy).toBeCloseTo(report.after.accuracy, 6);
  }, 300_000);
});
