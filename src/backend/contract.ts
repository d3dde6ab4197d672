/**
 * The backend contract: the few kernels every backend implements.
 *
 * A backend owns one arena of memory (a WebAssembly.Memory for `wasm`, an ArrayBuffer for `js`).
 * All buffers are addressed by BYTE offsets into that arena; every offset handed to a kernel is
 * 16-byte aligned (the arena allocator guarantees it) and offset 0 is never a valid buffer, so 0
 * means "none" where a pointer is optional. Float data is f32 row-major; integer data
 * (row indices, class ids) is i32. Kernels never allocate and never keep state between calls.
 *
 * The `js` backend is the specification: read `src/backend/js/` to learn what a kernel computes.
 */
import type { AccuracyCode } from '../metrics.js';
import type { OptimizerParams } from '../optimizers/rules.js';

/** Matrix layouts for `gemm`: which operand is stored transposed. */
export const Layout = {
  /** C[m×n] = A[m×k] · B[k×n] (forward: X·W) */
  NN: 0,
  /** C[m×n] = A[k×m]ᵀ · B[k×n] (weight gradient: Xᵀ·dZ) */
  TN: 1,
  /** C[m×n] = A[m×k] · B[n×k]ᵀ (input gradient: dZ·Wᵀ) */
  NT: 2,
} as const;
export type Layout = (typeof Layout)[keyof typeof Layout];

// Kernel codes are declared with the concepts they name and generated into assembly/codes.ts
// by scripts/build-wasm.mjs, so the two languages cannot drift apart.
export { Act } from '../activations.js';
/** An elementwise activation code (see `Act`). */
export type ActCode = number;
/**
 * Loss codes (see src/losses.ts). The `*Fused*` kinds take the network's output probabilities
 * but write the gradient with respect to the LOGITS (the pre-activation of the sigmoid / softmax
 * output), which is the numerically stable (a − y) form.
 */
export { Loss } from '../losses.js';
export type LossCode = number;
/** Optimizer rule codes; the rules, their state slots and formulas are in src/optimizers/rules.ts. */
export { Opt, type OptimizerParams } from '../optimizers/rules.js';
export type OptCode = number;
/** Accuracy kinds for `accuracyCount` (src/metrics.ts). */
export { Accuracy, TOP_K, type AccuracyCode } from '../metrics.js';

/**
 * Bytes of a sparse block (see `Backend.sparsify`) for up to `maxNonZeros` non-zeros of a
 * rows×cols batch: a 16-byte header (rows, cols, nnz, the dense batch's offset), the row starts
 * (rows + 1 i32), the column starts (cols + 1 i32), then the non-zeros twice as (index i32,
 * value f32) pairs: by row (columns increasing) and by column (rows increasing).
 */
export function sparseBlockBytes(rows: number, cols: number, maxNonZeros: number): number {
  return 16 + (rows + 1) * 4 + (cols + 1) * 4 + maxNonZeros * 16;
}

export interface Backend {
  readonly name: 'wasm' | 'js';
  readonly simd: boolean;
  readonly relaxedSimd: boolean;
  readonly threads: number;
  /** Why fewer threads run than were asked for (or than the default would give), when so. */
  readonly reason?: string;

  // ---- memory --------------------------------------------------------------------------------
  /** Reserve `bytes` (rounded up to 16) in the arena; returns a 16-byte aligned offset > 0. Grows the arena when needed; throws a clear Error when it cannot. */
  alloc(bytes: number): number;
  /** Return a block from `alloc`. */
  free(offset: number): void;
  /** A Float32Array view of the whole arena. Re-fetch after any `alloc` (growth detaches old views). */
  f32(): Float32Array;
  /** An Int32Array view of the whole arena, same rules as `f32()`. */
  i32(): Int32Array;
  /** Bytes currently reserved by the arena (for leak tests). */
  arenaBytes(): number;

  // ---- kernels (offsets are bytes) -----------------------------------------------------------
  /**
   * C = op(A)·op(B) (+ C when `accumulate`) (+ bias[j] on every row when `bias` ≠ 0).
   * m, n, k are the logical sizes of C[m×n] = op(A)[m×k]·op(B)[k×n]; see `Layout` for storage.
   */
  gemm(layout: Layout, m: number, n: number, k: number, a: number, b: number, c: number, accumulate: boolean, bias: number): void;
  /**
   * Compresses the rows×cols batch at x into the sparse block at `out` (sparseBlockBytes(rows,
   * cols, maxNonZeros) bytes). Returns the number of non-zeros, or −1 as soon as there are more
   * than `maxNonZeros` (the block is then unusable), so a dense batch costs only a partial scan.
   * −0 counts as zero. The block stays valid while x is unchanged.
   */
  sparsify(rows: number, cols: number, x: number, maxNonZeros: number, out: number): number;
  /**
   * Exactly gemm(layout, m, n, k, x, b, c, accumulate, bias), bit for bit, where x is the batch
   * the sparse block `sparse` describes (NN: x is m×k; TN: x is stored k×m, the weight
   * gradient). Layout NT is not allowed. A backend may run it over the non-zeros only: dropping a
   * zero term from gemm's per-element sum adds an exact ±0 to it and changes nothing (only a
   * non-finite value in b differs: 0·∞ would be NaN). The wasm backend's gemm sums each element
   * as one chain per 256 k (see assembly/gemm.ts), and its sparse kernels keep that order.
   */
  gemmSparse(layout: Layout, m: number, n: number, k: number, sparse: number, b: number, c: number, accumulate: boolean, bias: number): void;
  /** out[j] (+)= Σ_i x[i, j] over `rows` rows — the bias gradient. */
  columnSums(rows: number, cols: number, x: number, out: number, accumulate: boolean): void;
  /** y = f(x) elementwise; `alpha` parameterises leakyRelu and elu. In-place (x = y) allowed. */
  activation(act: ActCode, n: number, x: number, y: number, alpha: number): void;
  /** dx = dy ⊙ f′(x), given x and y = f(x). In-place (dx = dy) allowed. */
  activationGrad(act: ActCode, n: number, x: number, y: number, dy: number, dx: number, alpha: number): void;
  /** Row-wise softmax, max-subtracted. In-place allowed. */
  softmax(rows: number, cols: number, x: number, y: number): void;
  /** dx = y ⊙ (dy − Σ_j dy·y) per row, given y = softmax(x). In-place (dx = dy) allowed. */
  softmaxGrad(rows: number, cols: number, y: number, dy: number, dx: number): void;
  /** PReLU with one learned alpha per column: y = x > 0 ? x : alpha[j]·x. */
  prelu(rows: number, cols: number, x: number, alpha: number, y: number): void;
  /** dx = dy·(x > 0 ? 1 : alpha[j]); dalpha[j] += Σ_i dy·x over x ≤ 0 (accumulates). */
  preluGrad(rows: number, cols: number, x: number, alpha: number, dy: number, dx: number, dalpha: number): void;
  /**
   * Mean loss over the `rows` samples (each sample's loss is itself a mean over columns for
   * MSE/MAE/BCE, a sum for categorical ones), as TensorFlow.js computes it; when `grad` ≠ 0 also
   * writes d(mean loss)/d(pred) — or d/d(logits) for the fused kinds — into grad[rows×cols].
   * Sparse kinds read one class id (f32) per row from `target`. With `weights` ≠ 0 (one f32 per
   * row, ≥ 0), row r's loss and gradient are multiplied by weights[r]: the mean becomes
   * Σ w_r·ℓ_r / rows (Keras sample weights, TensorFlow.js class weights).
   */
  loss(kind: LossCode, rows: number, cols: number, pred: number, target: number, grad: number, weights?: number): number;
  /** Inverted dropout: mask[i] = keep ? 1/(1−rate) : 0 from a counter hash of (seed, i); y = x·mask. */
  dropout(n: number, x: number, y: number, mask: number, rate: number, seed: number): void;
  /** Gaussian noise: y = x + stddev·z, z standard normal from the same counter hash of (seed, i) (Box–Muller). In-place allowed. */
  gaussianNoise(n: number, x: number, y: number, stddev: number, seed: number): void;
  /**
   * Normalization statistics of x[rows×cols]: axis 0 gives one mean and (biased) variance per
   * column over the rows (batch norm), axis 1 one per row over the columns (layer norm).
   */
  moments(axis: 0 | 1, rows: number, cols: number, x: number, mean: number, variance: number): void;
  /** y = (x − mean)/sqrt(variance + epsilon)·gamma[j] + beta[j], statistics indexed as in `moments`; gamma/beta 0 = none. In-place allowed. */
  normalize(axis: 0 | 1, rows: number, cols: number, x: number, mean: number, variance: number, epsilon: number, gamma: number, beta: number, y: number): void;
  /**
   * Backward of `normalize` through the statistics `moments` took from x (training): writes dx
   * and, per column, dgamma = Σ dy·x̂ and dbeta = Σ dy (overwritten; both required). In-place (dx = dy) allowed.
   */
  normalizeGrad(axis: 0 | 1, rows: number, cols: number, x: number, mean: number, variance: number, epsilon: number, gamma: number, dy: number, dx: number, dgamma: number, dbeta: number): void;
  /** moving −= (moving − value)·(1 − momentum) over n floats (the moving mean/variance update). */
  movingAverage(n: number, value: number, moving: number, momentum: number): void;
  /** out = a ⊙ b elementwise (dropout backward). In-place allowed. */
  multiply(n: number, a: number, b: number, out: number): void;
  /** g += l1·sign(w) + 2·l2·w; returns the penalty l1·Σ|w| + l2·Σw². */
  regularize(n: number, w: number, g: number, l1: number, l2: number): number;
  /**
   * One fused update over a parameter buffer (the rule `p.kind`, see src/optimizers/rules.ts), out of place: reads the
   * weights wIn[n], the gradient g[n] and the state at `stateIn`, writes the new weights to
   * wOut[n] and the new state at `stateOut`. State slot k (s1, s2, s3 in the rule's formula, as
   * many as the rule uses; `stateIn` = `stateOut` = 0 for sgd) lives at `stateIn + k·n·4` (resp.
   * `stateOut + k·n·4`). In place is allowed (wOut = wIn, stateOut = stateIn); otherwise the
   * outputs must not overlap any input. g is never written (clipValue clips a copy).
   *
   * Returns 0 when every weight and state value written is finite, a non-zero number (NaN)
   * otherwise — the check is fused into the pass, so a caller can refuse a diverging step by
   * keeping the inputs (out of place) without another pass over the memory.
   */
  optimizerStep(n: number, wIn: number, g: number, stateIn: number, wOut: number, stateOut: number, p: OptimizerParams): number;
  /** dst[r] = src[idx[r]] for r < rows, each row `cols` floats; idx is i32. */
  gatherRows(rows: number, cols: number, src: number, idx: number, dst: number): void;
  /** dst = src over n floats (overlapping regions allowed, as memmove; src = dst is a no-op). */
  copy(n: number, src: number, dst: number): void;
  /** x = value over n floats. */
  fill(n: number, x: number, value: number): void;
  /** x *= alpha. */
  scale(n: number, x: number, alpha: number): void;
  /** Σ x² (for clipNorm and tests). */
  sumSquares(n: number, x: number): number;
  /** Whether any of the n floats at x is NaN or ±Infinity (fit checks its copy of the data). */
  anyNonFinite(n: number, x: number): boolean;
  /** Number of correct predictions (see Accuracy). */
  accuracyCount(kind: AccuracyCode, rows: number, cols: number, pred: number, target: number): number;
  /**
   * counts[2·bucket + label] += 1 (i32) for each of the n (prediction, target) pairs, where
   * bucket = clamp(ceil(p·(buckets − 1)) − 1, 0, buckets − 1) in float32 — so bucket ≥ t exactly
   * when p > t/(buckets − 1) — and label = target > 0.5. Precision, recall and AUC (src/metrics.ts)
   * read their confusion counts at every threshold from these buckets.
   */
  thresholdCounts(n: number, pred: number, target: number, buckets: number, counts: number): void;
  /** out[i] = argmax_j x[i, j] as i32. */
  argmaxRows(rows: number, cols: number, x: number, out: number): void;

  /** Release the arena. The backend is unusable afterwards. */
  dispose(): void;
}
