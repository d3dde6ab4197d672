/**
 * First-fit allocator over one linear arena, shared by both backends. It only does bookkeeping:
 * the backend supplies `grow(bytes)`, which must make the arena at least `bytes` long (or throw).
 * Every block is 16-byte aligned so SIMD loads never straddle a block's start; offsets below
 * `base` (the kernels' static data, and a null guard so 0 can mean "no buffer") are never handed out.
 */
import { formatBytes } from '../util/format.js';

/**
 * The most bytes an arena may span, on both backends: a 32-bit WebAssembly memory (65536 pages
 * of 64 KiB), mirrored by the js backend so both fail at the same size.
 */
export const ARENA_MAX_BYTES = 2 ** 32;

export class Arena {
  private readonly freeList: { offset: number; size: number }[] = [];
  private readonly used = new Map<number, number>();
  private top: number;
  private reserved = 0;

  constructor(
    base: number,
    private capacity: number,
    private readonly grow: (minBytes: number) => number,
    private readonly maxBytes: number,
  ) {
    this.top = Math.max(16, align16(base));
  }

  alloc(bytes: number): number {
    if (!Number.isFinite(bytes) || bytes < 0) throw new RangeError(`alloc: expected a byte count >= 0, got ${bytes}`);
    const size = Math.max(16, align16(bytes));
    for (let i = 0; i < this.freeList.length; i++) {
      const block = this.freeList[i]!;
      if (block.size >= size) {
        const offset = block.offset;
        if (block.size === size) this.freeList.splice(i, 1);
        else { block.offset += size; block.size -= size; }
        this.used.set(offset, size);
        this.reserved += size;
        return offset;
      }
    }
    const offset = this.top;
    const end = offset + size;
    if (end > this.maxBytes) {
      throw new RangeError(
        `Out of memory: this needs ${formatBytes(size, false)} more, but the arena would reach ${formatBytes(end, false)}, ` +
          `over its limit of ${formatBytes(this.maxBytes, false)} (in use: ${formatBytes(this.reserved, false)}). ` +
          `Use a smaller model or batch size, or dispose() models you no longer need.`,
      );
    }
    if (end > this.capacity) this.capacity = this.grow(end);
    this.top = end;
    this.used.set(offset, size);
    this.reserved += size;
    return offset;
  }

  free(offset: number): void {
    const size = this.used.get(offset);
    if (size === undefined) throw new Error(`free: ${offset} is not an allocated block (double free?)`);
    this.used.delete(offset);
    this.reserved -= size;
    if (offset + size === this.top) {
      this.top = offset;
      // Fold trailing free blocks back into the top.
      for (let last = this.freeList.at(-1); last && last.offset + last.size === this.top; last = this.freeList.at(-1)) {
        this.top = last.offset;
        this.freeList.pop();
      }
      return;
    }
    // Insert sorted by offset and merge with neighbours.
    let i = 0;
    while (i < this.freeList.length && this.freeList[i]!.offset < offset) i++;
    this.freeList.splice(i, 0, { offset, size });
    const next = this.freeList[i + 1];
    if (next && offset + size === next.offset) { this.freeList[i]!.size += next.size; this.freeList.splice(i + 1, 1); }
    const prev = this.freeList[i - 1];
    if (prev && prev.offset + prev.size === offset) { prev.size += this.freeList[i]!.size; this.freeList.splice(i, 1); }
  }

  /** Bytes handed out and not yet freed. */
  get bytesInUse(): number {
    return this.reserved;
  }
}

export function align16(n: number): number {
  return Math.ceil(n / 16) * 16;
}
