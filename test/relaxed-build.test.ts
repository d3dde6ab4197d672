/**
 * The relaxed-SIMD wasm build (fused multiply-add) must pass the same conformance suite. Node 20
 * only enables relaxed SIMD behind a flag, so the suite runs in a child process with
 * NODE_OPTIONS=--experimental-wasm-relaxed-simd and WASM_MLP_BUILD=relaxed, which makes
 * test/helpers/backends.ts test 'wasm-relaxed' (createWasmBackend({ build: 'relaxed' })).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { wasmExists } from './helpers/backends.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const vitestBin = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));

describe.runIf(wasmExists)('relaxed-SIMD wasm build', () => {
  it('passes the conformance and gradient suites as wasm-relaxed', () => {
    const child = spawnSync(
      process.execPath,
      [
        vitestBin, 'run', 'test/conformance.test.ts', 'test/gradcheck.test.ts', 'test/sparse.test.ts',
        '--execArgv=--experimental-wasm-relaxed-simd', '--reporter=verbose', '--silent',
      ],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 120_000,
        env: {
          ...process.env,
          WASM_MLP_BUILD: 'relaxed',
          NO_COLOR: '1',
          FORCE_COLOR: '0',
        },
      },
    );
    const output = `${child.stdout}\n${child.stderr}`;
    const failures = output.split('\n').filter((line) => /FAIL|Error:|✗|×/.test(line)).slice(0, 20).join('\n');
    expect(child.status, `child vitest failed:\n${failures || output.slice(-4000)}`).toBe(0);
    // The relaxed backend really ran (not just js).
    expect(output).toMatch(/wasm-relaxed' backend/);
    expect(output).not.toMatch(/skipped/);
  });
});
