/**
 * The -threads builds of the kernels differ from the plain ones in one place only: their memory
 * import is `shared` with a maximum (a shared memory must declare one). So the package ships the
 * two plain builds and makes the shared ones here, by rewriting that import's limits; the result is
 * byte for byte what asc emits with `--sharedMemory` (scripts/build-wasm.mjs compiles both and
 * checks). This halves the wasm bytes in the package; a page still downloads one build.
 */

/** The maximum (in 64 KiB pages) the shared memory import declares: 4 GiB, asconfig.json's `maximumMemory`. */
export const SHARED_MAXIMUM_PAGES = 65536;

const IMPORT_SECTION = 2;
const MEMORY_KIND = 2;
const HAS_MAXIMUM = 1;
const SHARED = 2;

/** Unsigned LEB128, as the wasm binary format writes integers. */
function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/** A reader over a module's bytes that throws a clear error instead of reading past the end. */
class Reader {
  constructor(readonly bytes: Uint8Array, public at = 0) {}
  byte(): number {
    if (this.at >= this.bytes.length) throw new Error('wasm-mlp: the wasm module ends early (a truncated build?)');
    return this.bytes[this.at++]!;
  }
  u32(): number {
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      if (shift > 28) throw new Error('wasm-mlp: malformed LEB128 in the wasm module');
    }
  }
  skip(n: number): void {
    this.at += n;
  }
  /** Skips one import's description (after module and field names). */
  skipImportDescription(kind: number): void {
    if (kind === 0) this.u32(); // function: type index
    else if (kind === 1) { this.byte(); this.skipLimits(); } // table: element type, limits
    else if (kind === MEMORY_KIND) this.skipLimits();
    else if (kind === 3) { this.byte(); this.byte(); } // global: value type, mutability
    else throw new Error(`wasm-mlp: unexpected import kind ${kind} in the wasm module`);
  }
  skipLimits(): void {
    const flags = this.byte();
    this.u32();
    if (flags & HAS_MAXIMUM) this.u32();
  }
}

/**
 * The module `bytes` (which imports a non-shared memory) with its memory import made shared, with
 * a maximum of `maximumPages`. Throws when the module imports no memory or already shares it.
 */
export function withSharedMemoryImport(bytes: Uint8Array, maximumPages = SHARED_MAXIMUM_PAGES): Uint8Array<ArrayBuffer> {
  const r = new Reader(bytes, 8); // after the magic number and version
  while (r.at < bytes.length) {
    const id = r.byte();
    const sizeAt = r.at;
    const size = r.u32();
    const contentAt = r.at;
    if (id !== IMPORT_SECTION) {
      r.skip(size);
      continue;
    }
    const count = r.u32();
    for (let i = 0; i < count; i++) {
      r.skip(r.u32()); // module name
      r.skip(r.u32()); // field name
      const kind = r.byte();
      if (kind !== MEMORY_KIND) {
        r.skipImportDescription(kind);
        continue;
      }
      const limitsAt = r.at;
      const flags = r.byte();
      if (flags & SHARED) throw new Error('wasm-mlp: the wasm module already imports a shared memory');
      const minimum = r.u32();
      if (flags & HAS_MAXIMUM) r.u32();
      const limitsEnd = r.at;
      const limits = [HAS_MAXIMUM | SHARED, ...uleb(minimum), ...uleb(maximumPages)];
      const newSize = size - (limitsEnd - limitsAt) + limits.length;
      const head = bytes.subarray(0, sizeAt);
      const parts = [head, uleb(newSize), bytes.subarray(contentAt, limitsAt), limits, bytes.subarray(limitsEnd)];
      const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
      return out;
    }
    break;
  }
  throw new Error('wasm-mlp: the wasm module imports no memory to share');
}
