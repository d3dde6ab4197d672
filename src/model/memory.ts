/**
 * The arena blocks one model holds, recorded apart from the model so they can be freed after the
 * model itself is garbage-collected (a user who never calls dispose()).
 *
 * The FinalizationRegistry's held value is the ledger: it references the backend and a set of
 * offsets, never the model (a held value that reached the model would keep it alive forever).
 */
import type { Backend } from '../backend/contract.js';
import { ARENA_MAX_BYTES } from '../backend/arena.js';
import { formatBytes } from '../util/format.js';

export class ArenaLedger {
  private readonly blocks = new Set<number>();
  /** The backend with alloc/free routed through this ledger; handed to layers for their buffers. */
  readonly tracked: Backend;

  constructor(readonly backend: Backend) {
    // Prototype delegation keeps every kernel of `backend` and overrides only the two memory calls.
    this.tracked = Object.create(backend, {
      alloc: { value: (bytes: number) => this.alloc(bytes) },
      free: { value: (offset: number) => this.free(offset) },
    }) as Backend;
  }

  alloc(bytes: number): number {
    const offset = this.backend.alloc(bytes);
    this.blocks.add(offset);
    return offset;
  }

  free(offset: number): void {
    if (this.blocks.delete(offset)) this.backend.free(offset);
  }

  freeAll(): void {
    for (const offset of this.blocks) this.backend.free(offset);
    this.blocks.clear();
  }

  get size(): number {
    return this.blocks.size;
  }
}

/** Frees the arena blocks of models that were collected without dispose(). */
const forgotten = new FinalizationRegistry<ArenaLedger>((ledger) => {
  try {
    ledger.freeAll();
  } catch {
    // The backend was disposed meanwhile: its arena is gone, nothing is left to free.
  }
});

/** Free `ledger`'s blocks when `owner` is garbage-collected, unless `release` is called first. */
export function freeWhenCollected(owner: object, ledger: ArenaLedger): void {
  forgotten.register(owner, ledger, ledger);
}

export function releaseNow(ledger: ArenaLedger): void {
  forgotten.unregister(ledger);
  ledger.freeAll();
}

/**
 * Refuse a reservation that cannot fit in the arena before anything is allocated, so a model too
 * large fails with the size it needs and leaves the backend (and its memory size) as it was.
 */
export function checkFits(backend: Backend, bytes: number, what: string): void {
  const available = ARENA_MAX_BYTES - backend.arenaBytes();
  if (bytes > available) {
    throw new RangeError(
      `Out of memory: ${what} needs ${formatBytes(bytes)} of ${backend.name} backend memory, but only ` +
        `${formatBytes(available, false)} of its ${formatBytes(ARENA_MAX_BYTES, false)} arena is free. ` +
        `Use fewer or smaller layers, a smaller batch size, or dispose() models you no longer need.`,
    );
  }
}
