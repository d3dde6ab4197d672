/**
 * Where a model's numbers live in the backend's arena, laid out once:
 *   params  — every layer's parameters back to back (16-byte aligned each);
 *   grads   — the same layout, written by backward;
 *   optimizer block (after compile) — 0–3 state slots, then a second set of params and of
 *             slots, each the same layout again. Side A is (params, the first slots), side B the
 *             second set; a step reads the current side and writes the other (double buffering)
 *             and only a step that stayed finite makes the other side current, so a diverging
 *             step leaves the weights and optimizer state exactly as they were, with no copy;
 *   per layer — output and output-gradient buffers for `capacity` rows;
 *   x, y    — the current batch.
 * Every block goes through an ArenaLedger (./memory.ts) so dispose() — or, failing that, the
 * garbage collector — returns all of it.
 */
import type { Backend } from '../backend/contract.js';
import type { Layer, PassContext } from '../layers/layer.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import type { Rng } from '../util/random.js';
import { ArenaLedger, checkFits, freeWhenCollected, releaseNow } from './memory.js';

/** Floats a parameter takes in the layout: rounded up to 4 so the next one starts 16-byte aligned. */
const paddedFloats = (size: number): number => Math.ceil(size / 4) * 4;

/** Side A's slots, then side B's params and slots: (1 + 2·slots) params-sized buffers. */
export function optimizerBlockBytes(paramFloats: number, slots: number): number {
  return Math.max(16, (1 + 2 * slots) * paramFloats * 4);
}

/** A model's arena blocks and the offsets every pass reads. Created by `ModelMemory.build`. */
export class ModelMemory {
  readonly ledger: ArenaLedger;
  /** What a forward pass needs besides data (the backend, training or inference, dropout seeds). */
  readonly ctx: { -readonly [K in keyof PassContext]: PassContext[K] };
  readonly paramFloats: number;
  /** The current parameters: side A's (the block allocated by build) or side B's. */
  params: number;
  readonly grads: number;
  /** Side A's state slots, then side B's params and slots, one block (0 until an optimizer is set). */
  private optBlock = 0;
  /** Offsets of each side's params and first state slot (slot k follows at k·paramFloats·4). */
  readonly sideParams: [number, number] = [0, 0];
  readonly sideState: [number, number] = [0, 0];
  /** The side holding the current params and state: 0 = A, 1 = B. */
  side = 0;
  /** Optimizer steps taken since the optimizer state was (re)set. */
  iterations = 0;
  /** Rows the activation buffers hold. */
  capacity = 0;
  xBuf = 0;
  yBuf = 0;

  private constructor(
    readonly backend: Backend,
    private readonly layers: readonly Layer[],
    private readonly describeModel: () => string,
    ledger: ArenaLedger,
    paramFloats: number,
    params: number,
    grads: number,
    rng: Rng,
  ) {
    this.ledger = ledger;
    this.paramFloats = paramFloats;
    this.params = this.sideParams[0] = params;
    this.grads = grads;
    this.ctx = { backend, training: false, nextSeed: () => rng.nextU32() };
  }

  /**
   * Lay out and initialise the parameters of `layers` on `backend`. With `optimizer` the size
   * check covers its state too (the caller then calls resetOptimizerState). `owner` is the object
   * whose collection frees the blocks; `describeModel` names the model in out-of-memory messages.
   */
  static build(backend: Backend, layers: readonly Layer[], rng: Rng, optimizer: Optimizer | undefined, owner: object, describeModel: () => string): ModelMemory {
    let floats = 0;
    for (const layer of layers) for (const p of layer.params) floats += paddedFloats(p.size);
    const bytes = Math.max(16, floats * 4);
    // Weights and gradients, plus the optimizer block when compiled: refused before any allocation.
    const slots = optimizer?.slots;
    const total = 2 * bytes + (slots === undefined ? 0 : optimizerBlockBytes(floats, slots));
    checkFits(backend, total, `${describeModel()} (weights, gradients${slots === undefined ? '' : ', optimizer state and a second copy of both for the next step'})`);
    const ledger = new ArenaLedger(backend);
    let params: number, grads: number;
    try {
      params = ledger.alloc(bytes);
      grads = ledger.alloc(bytes);
    } catch (e) {
      ledger.freeAll();
      throw e;
    }
    freeWhenCollected(owner, ledger);
    const memory = new ModelMemory(backend, layers, describeModel, ledger, floats, params, grads, rng);
    const f32 = backend.f32();
    f32.fill(0, params >>> 2, (params >>> 2) + floats);
    f32.fill(0, grads >>> 2, (grads >>> 2) + floats);
    let at = 0;
    for (const layer of layers) {
      for (const p of layer.params) {
        p.offset = params + at * 4;
        p.grad = grads + at * 4;
        const init = new Float32Array(p.size);
        p.initializer.fill(init, p.fanIn, p.fanOut, rng);
        f32.set(init, p.offset >>> 2);
        at += paddedFloats(p.size);
      }
    }
    return memory;
  }

  /** Whether the optimizer block exists (set by resetOptimizerState). */
  get hasOptimizerState(): boolean {
    return this.optBlock !== 0;
  }

  /**
   * (Re)allocate the optimizer block: side A's slots set to their initial values, side B's params
   * and slots. The current weights are moved to side A first (the block being replaced may hold them).
   */
  resetOptimizerState(opt: Optimizer): void {
    const ledger = this.ledger;
    const n = this.paramFloats;
    if (this.side !== 0) {
      const f32 = this.backend.f32();
      f32.copyWithin(this.sideParams[0] >>> 2, this.params >>> 2, (this.params >>> 2) + n);
      this.useSide(0);
    }
    if (this.optBlock) ledger.free(this.optBlock);
    this.optBlock = this.sideParams[1] = this.sideState[0] = this.sideState[1] = 0;
    const bytes = optimizerBlockBytes(n, opt.slots);
    checkFits(this.backend, bytes, `the ${opt.className} state of ${this.describeModel()}`);
    this.optBlock = ledger.alloc(bytes);
    const f32 = this.backend.f32();
    for (let s = 0; s < opt.slots; s++) {
      const start = (this.optBlock >>> 2) + s * n;
      f32.fill(opt.initialState(s), start, start + n);
    }
    // sgd has no slots: its state offsets stay 0 ("none").
    if (opt.slots) this.sideState[0] = this.optBlock;
    this.sideParams[1] = this.optBlock + opt.slots * n * 4;
    if (opt.slots) this.sideState[1] = this.sideParams[1] + n * 4;
    this.iterations = 0;
  }

  /** Make `side` current: the params offset and every Param.offset move to it. */
  useSide(side: number): void {
    const delta = this.sideParams[side]! - this.params;
    this.side = side;
    this.params += delta;
    for (const layer of this.layers) for (const p of layer.params) p.offset += delta;
  }

  /** Make sure the batch and activation buffers hold at least `rows` rows. */
  ensureCapacity(rows: number, inputUnits: number, outputUnits: number): void {
    if (rows <= this.capacity) return;
    const ledger = this.ledger;
    this.releaseActivations();
    const yCols = Math.max(outputUnits, 1);
    // Input, targets, and each layer's output and output gradient (dropout masks come on top).
    const floatsPerRow = inputUnits + yCols + this.layers.reduce((s, l) => s + 2 * l.units, 0);
    checkFits(this.backend, rows * floatsPerRow * 4, `a batch of ${rows} rows for ${this.describeModel()}`);
    try {
      this.xBuf = ledger.alloc(rows * inputUnits * 4);
      this.yBuf = ledger.alloc(rows * yCols * 4);
      for (const layer of this.layers) layer.allocate(ledger.tracked, rows);
    } catch (e) {
      this.releaseActivations();
      throw e;
    }
    this.capacity = rows;
  }

  private releaseActivations(): void {
    const ledger = this.ledger;
    for (const layer of this.layers) layer.release(ledger.tracked);
    if (this.xBuf) ledger.free(this.xBuf);
    if (this.yBuf) ledger.free(this.yBuf);
    this.xBuf = this.yBuf = 0;
    this.capacity = 0;
  }

  /** All current parameters as one flat copy. */
  snapshot(): Float32Array {
    return this.backend.f32().slice(this.params >>> 2, (this.params >>> 2) + this.paramFloats);
  }

  restore(snapshot: Float32Array): void {
    if (snapshot.length !== this.paramFloats) throw new Error(`restoreWeights: expected ${this.paramFloats} values, got ${snapshot.length}`);
    this.backend.f32().set(snapshot, this.params >>> 2);
  }

  /** Free every block at once; the layers' buffer offsets are cleared. The object is unusable afterwards. */
  free(): void {
    for (const layer of this.layers) layer.release(this.ledger.tracked);
    releaseNow(this.ledger);
    this.params = this.optBlock = this.xBuf = this.yBuf = this.capacity = 0;
    this.sideParams[0] = this.sideParams[1] = this.sideState[0] = this.sideState[1] = this.side = 0;
  }
}
