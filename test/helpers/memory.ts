/** Put data into a backend's arena and read it back; frees everything it allocated on `freeAll`. */
import type { Backend } from '../../src/backend/contract.js';

export class Mem {
  private readonly blocks: number[] = [];
  constructor(readonly backend: Backend) {}

  /** Allocate n floats (contents unspecified — the arena reuses blocks). */
  alloc(n: number): number {
    const offset = this.backend.alloc(n * 4);
    this.blocks.push(offset);
    return offset;
  }
  /** Allocate and fill with `data` (a copy). */
  put(data: ArrayLike<number>): number {
    const offset = this.alloc(data.length);
    this.backend.f32().set(data, offset >>> 2);
    return offset;
  }
  /** Allocate n floats set to `value` (NaN by default, so unwritten outputs show). */
  fill(n: number, value = Number.NaN): number {
    const offset = this.alloc(n);
    this.backend.f32().fill(value, offset >>> 2, (offset >>> 2) + n);
    return offset;
  }
  putI32(data: ArrayLike<number>): number {
    const offset = this.backend.alloc(data.length * 4);
    this.blocks.push(offset);
    this.backend.i32().set(data, offset >>> 2);
    return offset;
  }
  /** A copy of n floats at offset. */
  get(offset: number, n: number): Float32Array {
    return this.backend.f32().slice(offset >>> 2, (offset >>> 2) + n);
  }
  getI32(offset: number, n: number): Int32Array {
    return this.backend.i32().slice(offset >>> 2, (offset >>> 2) + n);
  }
  freeAll(): void {
    for (const b of this.blocks.splice(0)) this.backend.free(b);
  }
}
