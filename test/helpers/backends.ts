/**
 * The backends every conformance test runs on. 'js' always; 'wasm' as soon as
 * src/backend/wasm/index.ts exists — from then on a wasm backend that fails to load FAILS the
 * suite (its `create` rejects inside beforeAll) instead of being skipped. With
 * WASM_MLP_BUILD=relaxed (see test/relaxed-build.test.ts) the relaxed-SIMD build is tested as
 * 'wasm-relaxed' in place of the plain one. With WASM_MLP_THREADS=n (see test/threads.test.ts) the
 * wasm backend runs on n threads and splits every gemm and optimizer step it can ('wasm-threads').
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Backend } from '../../src/backend/contract.js';
import { createJsBackend } from '../../src/backend/js/index.js';

export interface BackendCase {
  name: 'js' | 'wasm' | 'wasm-relaxed' | 'wasm-threads';
  create(): Promise<Backend>;
}

export const wasmEntry = fileURLToPath(new URL('../../src/backend/wasm/index.ts', import.meta.url));
export const wasmExists = existsSync(wasmEntry);

async function createWasm(build?: 'simd' | 'relaxed', threads = 1): Promise<Backend> {
  const mod = (await import(/* @vite-ignore */ wasmEntry)) as {
    createWasmBackend?: (options: { build?: 'simd' | 'relaxed'; threads?: number; minParallelWork?: number }) => Promise<Backend>;
  };
  if (typeof mod.createWasmBackend !== 'function') {
    throw new Error(`${wasmEntry} exists but does not export createWasmBackend(options)`);
  }
  const backend = await mod.createWasmBackend({ ...(build ? { build } : {}), threads, ...(threads > 1 ? { minParallelWork: 0 } : {}) });
  // A threaded suite that silently ran on one thread would prove nothing about threads.
  if (backend.threads !== threads) {
    throw new Error(`asked for ${threads} threads, the wasm backend started ${backend.threads}${backend.reason ? `: ${backend.reason}` : ''}`);
  }
  if (build && backend.relaxedSimd !== (build === 'relaxed')) throw new Error(`asked for the ${build} build, got relaxedSimd = ${backend.relaxedSimd}`);
  return backend;
}

export function backendCases(): BackendCase[] {
  const cases: BackendCase[] = [{ name: 'js', create: async () => createJsBackend() }];
  if (wasmExists) {
    const threads = Number(process.env.WASM_MLP_THREADS ?? 1);
    const build = process.env.WASM_MLP_BUILD === 'relaxed' ? 'relaxed' : undefined;
    if (threads > 1) cases.push({ name: 'wasm-threads', create: () => createWasm(build, threads) });
    else if (process.env.WASM_MLP_BUILD === 'relaxed') cases.push({ name: 'wasm-relaxed', create: () => createWasm('relaxed') });
    else cases.push({ name: 'wasm', create: () => createWasm() });
  }
  return cases;
}
