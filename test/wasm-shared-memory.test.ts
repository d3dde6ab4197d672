/**
 * The -threads wasm builds are made at run time from the plain ones by rewriting the memory import
 * (src/backend/wasm/shared-memory.ts; scripts/build-wasm.mjs checks the bytes against asc's own
 * -threads output). Here: the rewritten modules import a shared memory with the 4 GiB maximum,
 * instantiate over a shared memory (and no longer over a plain one), compute what the plain build
 * computes, and bad input is refused with a clear error.
 */
import { describe, expect, it } from 'vitest';
import type { Kernels } from '../src/backend/wasm/kernels.generated.js';
import { inflateSync } from 'node:zlib';
import relaxedDeflated from '../src/backend/wasm/relaxed.generated.js';
import { SHARED_MAXIMUM_PAGES, withSharedMemoryImport } from '../src/backend/wasm/shared-memory.js';
import simdDeflated from '../src/backend/wasm/simd.generated.js';
import { hasRelaxedSimd } from '../src/backend/wasm/features.js';
import { wasmBytes } from '../src/backend/wasm/index.js';

// The generated modules hold each build deflated, as base64: inflated here with Node's zlib (an
// outside decoder), and the runtime's DecompressionStream path must give the same bytes.
const bytesOf = (b64: string) => new Uint8Array(inflateSync(Buffer.from(b64, 'base64')));
const abort = () => {
  throw new Error('abort');
};

/** The limits of the module's memory import, read with the JS API's `WebAssembly.Module.imports` and by hand. */
function memoryImportLimits(bytes: Uint8Array): { flags: number; rest: number[] } {
  // "env" "memory" then kind 2 then the limits: find the field name's bytes.
  const name = [...new TextEncoder().encode('memory')];
  for (let i = 0; i < bytes.length - name.length; i++) {
    if (name.every((b, j) => bytes[i + j] === b) && bytes[i - 1] === name.length && bytes[i + name.length] === 2) {
      const at = i + name.length + 1;
      return { flags: bytes[at]!, rest: [...bytes.subarray(at + 1, at + 6)] };
    }
  }
  throw new Error('no memory import found');
}

/** The byte after a module's import section (section id 2), read from the section headers. */
function importSectionEnd(bytes: Uint8Array): number {
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at++]!;
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[at++]!;
      size |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    at += size;
    if (id === 2) return at;
  }
  throw new Error('no import section');
}

describe.each([
  ['simd', simdDeflated],
  ['relaxed', relaxedDeflated],
] as const)('the %s build with a shared memory import', (build, deflated) => {
  const plain = bytesOf(deflated);
  const shared = withSharedMemoryImport(plain);

  it('is embedded deflated, and the runtime inflates it to a valid module (zlib agrees byte for byte)', async () => {
    expect(deflated.length).toBeLessThan((plain.length * 4) / 3 * 0.3);
    expect(plain.subarray(0, 4)).toEqual(new Uint8Array([0, 0x61, 0x73, 0x6d]));
    expect(Buffer.from(await wasmBytes(build)).equals(Buffer.from(plain))).toBe(true);
  });

  it('declares a shared memory with the 4 GiB maximum, three bytes longer, everything else equal', () => {
    expect(memoryImportLimits(plain).flags).toBe(0);
    const limits = memoryImportLimits(shared);
    expect(limits.flags).toBe(3);
    expect(limits.rest.slice(0, 4)).toEqual([0, 0x80, 0x80, 0x04]); // min 0, max 65536 as LEB128
    expect(SHARED_MAXIMUM_PAGES).toBe(65536);
    expect(shared.length).toBe(plain.length + 3);
    // Past the import section, the bytes are the plain build's, shifted by three.
    const end = importSectionEnd(plain);
    expect(importSectionEnd(shared)).toBe(end + 3);
    expect(Buffer.from(shared.subarray(end + 3)).equals(Buffer.from(plain.subarray(end)))).toBe(true);
    // Before it, only the import section's size and the memory limits differ: the type section is the same.
    expect(Buffer.from(shared.subarray(0, 9)).equals(Buffer.from(plain.subarray(0, 9)))).toBe(true);
    expect(WebAssembly.validate(shared)).toBe(build === 'simd' || hasRelaxedSimd());
  });
});

describe('the rewritten simd build', () => {
  const plain = bytesOf(simdDeflated);
  it('instantiates over a shared memory only, and computes what the plain build computes', async () => {
    const sharedModule = await WebAssembly.compile(withSharedMemoryImport(plain));
    const sharedMemory = new WebAssembly.Memory({ initial: 2, maximum: 4096, shared: true });
    const plainMemory = new WebAssembly.Memory({ initial: 2 });
    await expect(WebAssembly.instantiate(sharedModule, { env: { memory: plainMemory, abort } })).rejects.toThrow(/memory/i);
    await expect(WebAssembly.instantiate(await WebAssembly.compile(plain), { env: { memory: sharedMemory, abort } })).rejects.toThrow(/memory/i);

    const run = async (module: WebAssembly.Module, memory: WebAssembly.Memory) => {
      const k = (await WebAssembly.instantiate(module, { env: { memory, abort } })).exports as unknown as Kernels;
      const f = new Float32Array(memory.buffer);
      const [rows, cols] = [5, 7];
      const x = k.heapBase() + 64, y = x + rows * cols * 4;
      for (let i = 0; i < rows * cols; i++) f[x / 4 + i] = Math.sin(i + 1) * 3;
      k.softmax(rows, cols, x, y);
      return [...f.subarray(y / 4, y / 4 + rows * cols)];
    };
    const out = await run(sharedModule, sharedMemory);
    expect(out).toEqual(await run(await WebAssembly.compile(plain), plainMemory));
    expect(out.some((v) => v !== 0)).toBe(true);
  });
});

describe('withSharedMemoryImport refuses what it cannot rewrite', () => {
  const plain = bytesOf(simdDeflated);
  it('a module whose memory is already shared', () => {
    expect(() => withSharedMemoryImport(withSharedMemoryImport(plain))).toThrow(/already imports a shared memory/);
  });
  it('a module that imports no memory', () => {
    const empty = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    expect(() => withSharedMemoryImport(empty)).toThrow(/imports no memory/);
  });
  it('a truncated module', () => {
    expect(() => withSharedMemoryImport(plain.subarray(0, 240))).toThrow(/ends early|imports no memory/);
  });
});
