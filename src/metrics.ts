/**
 * Metrics: each one declared once — its name, the Keras / TensorFlow.js spellings that load as it,
 * how it is accumulated over an epoch, and the formula that turns the accumulated numbers into
 * its value. compile() resolves a name to a kernel plan (./model/compile.ts); the backend
 * kernels (`accuracyCount`, `loss`, `thresholdCounts`) do the per-element work, so a training
 * step adds a few kernel calls per metric and no JS loop over rows.
 *
 * Accumulators, per metric:
 *   count     — correct predictions (accuracy kinds, top-k), from `accuracyCount`;
 *   sum       — Σ of per-element errors (mse, mae), from the `loss` kernel times the rows;
 *   histogram — i32 counts of (prediction bucket, label) pairs from `thresholdCounts`: 3 buckets
 *               give precision / recall at threshold 0.5, 200 give Keras's ROC AUC.
 * `Accuracy` (the kernel codes of `accuracyCount`) is generated into assembly/codes.ts by
 * scripts/build-wasm.mjs.
 */

/** Accuracy kinds for `accuracyCount`. Codes are stable: they are compiled into the wasm kernels. */
export const Accuracy = {
  /** prediction > 0.5 equals target > 0.5, counted per element */
  binary: 0,
  /** argmax of prediction row equals argmax of one-hot target row */
  categorical: 1,
  /** argmax of prediction row equals the class id in target (one f32 per row) */
  sparse: 2,
  /** the one-hot target's class (first max) is among the TOP_K largest predictions (ties count as in, as tf.math.in_top_k) */
  topKCategorical: 3,
  /** as topKCategorical, the class id read from target (one f32 per row) */
  topKSparse: 4,
} as const;
export type AccuracyCode = (typeof Accuracy)[keyof typeof Accuracy];
/** k of `topKCategoricalAccuracy` (Keras's default). */
export const TOP_K = 5;

/** Buckets of `thresholdCounts` for precision and recall: bucket ≥ 1 ⇔ prediction > 0.5. */
export const PR_BUCKETS = 3;
/** Keras AUC's num_thresholds. */
export const AUC_THRESHOLDS = 200;

/** How a metric accumulates over an epoch (see the module comment). */
export type MetricAccumulator = 'count' | 'sum' | 'histogram';

interface MetricDeclaration {
  /** Keras / TensorFlow.js spellings (snake_case, class names, short names) that mean this metric. */
  readonly keras: readonly string[];
  readonly accumulator: MetricAccumulator;
  /** Whether larger is better (modelCheckpoint / earlyStopping 'auto' mode). */
  readonly higherIsBetter: boolean;
  /** The targets the metric reads: one-hot / shaped like the outputs ('dense'), class ids ('sparse'), or either ('any'). */
  readonly targets: 'dense' | 'sparse' | 'any';
  /** The spelling TensorFlow.js's compile() accepts, if it has the metric (others are saved in userDefinedMetadata only). */
  readonly tfjs?: string;
  /** The name Keras 3 logs and reads in a compile_config. */
  readonly kerasName: string;
}

/** Metric names compile() accepts, and the Keras names that load as them. */
export const metricDeclarations = {
  accuracy: { keras: ['accuracy', 'acc'], accumulator: 'count', higherIsBetter: true, targets: 'any', tfjs: 'accuracy', kerasName: 'accuracy' },
  binaryAccuracy: { keras: ['binary_accuracy', 'BinaryAccuracy'], accumulator: 'count', higherIsBetter: true, targets: 'dense', tfjs: 'binaryAccuracy', kerasName: 'binary_accuracy' },
  categoricalAccuracy: { keras: ['categorical_accuracy', 'CategoricalAccuracy'], accumulator: 'count', higherIsBetter: true, targets: 'dense', tfjs: 'categoricalAccuracy', kerasName: 'categorical_accuracy' },
  sparseCategoricalAccuracy: { keras: ['sparse_categorical_accuracy', 'SparseCategoricalAccuracy'], accumulator: 'count', higherIsBetter: true, targets: 'sparse', kerasName: 'sparse_categorical_accuracy' },
  topKCategoricalAccuracy: { keras: ['top_k_categorical_accuracy', 'TopKCategoricalAccuracy'], accumulator: 'count', higherIsBetter: true, targets: 'dense', kerasName: 'top_k_categorical_accuracy' },
  sparseTopKCategoricalAccuracy: { keras: ['sparse_top_k_categorical_accuracy', 'SparseTopKCategoricalAccuracy'], accumulator: 'count', higherIsBetter: true, targets: 'sparse', kerasName: 'sparse_top_k_categorical_accuracy' },
  meanSquaredError: { keras: ['mse', 'MSE', 'mean_squared_error', 'MeanSquaredError'], accumulator: 'sum', higherIsBetter: false, targets: 'dense', tfjs: 'mse', kerasName: 'mean_squared_error' },
  meanAbsoluteError: { keras: ['mae', 'MAE', 'mean_absolute_error', 'MeanAbsoluteError'], accumulator: 'sum', higherIsBetter: false, targets: 'dense', tfjs: 'mae', kerasName: 'mean_absolute_error' },
  precision: { keras: ['precision', 'Precision'], accumulator: 'histogram', higherIsBetter: true, targets: 'dense', tfjs: 'precision', kerasName: 'precision' },
  recall: { keras: ['recall', 'Recall'], accumulator: 'histogram', higherIsBetter: true, targets: 'dense', kerasName: 'recall' },
  auc: { keras: ['auc', 'AUC'], accumulator: 'histogram', higherIsBetter: true, targets: 'dense', kerasName: 'auc' },
} as const satisfies Record<string, MetricDeclaration>;
export type MetricName = keyof typeof metricDeclarations;
/** What `compile({ metrics })` accepts: a {@link MetricName} or a Keras alias of one. */
export type MetricSpec = MetricName | (typeof metricDeclarations)[MetricName]['keras'][number];
export const metricNames = Object.freeze(Object.keys(metricDeclarations)) as readonly MetricName[];

/** The metric a name (or Keras alias) stands for; undefined for anything else. */
export function resolveMetricName(s: unknown): MetricName | undefined {
  if (typeof s !== 'string') return undefined;
  return metricNames.find((n) => n === s || (metricDeclarations[n].keras as readonly string[]).includes(s));
}

/** The declaration of a metric (name or alias); undefined for anything else. */
export function metricDeclaration(s: unknown): MetricDeclaration | undefined {
  const name = resolveMetricName(s);
  return name === undefined ? undefined : metricDeclarations[name];
}

/**
 * The key a metric has in the logs, history and evaluate(): the spelling the user gave (as Keras
 * logs it), except that 'acc' reports as 'accuracy'.
 */
export function metricLogName(spec: string): string {
  return resolveMetricName(spec) === 'accuracy' ? 'accuracy' : spec;
}

/**
 * The metric names for a TensorFlow.js training config: the spellings its compile() accepts, for
 * the metrics it has (it refuses a model whose config names a metric it does not know).
 */
export function tfjsMetricNames(names: readonly string[]): string[] {
  const out: string[] = [];
  for (const n of names) {
    const t: string | undefined = metricDeclaration(n)?.tfjs;
    if (t !== undefined && !out.includes(t)) out.push(t);
  }
  return out;
}

/** A metric name as Keras 3 reads it in a compile_config: the given one when Keras has that spelling, else its snake_case name. */
export function kerasMetricName(name: string): string {
  const d = metricDeclaration(name);
  if (!d || name === 'accuracy' || (d.keras as readonly string[]).includes(name)) return name;
  return d.kerasName;
}

/** Whether a log key ('auc', 'val_precision', 'loss', …) improves upward (for monitor mode 'auto'). */
export function higherIsBetter(monitor: string): boolean {
  const base = monitor.startsWith('val_') ? monitor.slice(4) : monitor;
  const d = metricDeclaration(base);
  if (d) return d.higherIsBetter;
  return /acc|auc|precision|recall/i.test(base);
}

// ---- values from the accumulated counts (pure maths, shared by both backends) ------------------

/** a / b, or 0 when b is 0 (Keras's divide_no_nan). */
const divideNoNan = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/**
 * Precision or recall at threshold 0.5 from PR_BUCKETS (prediction bucket, label) counts
 * (`counts[2·bucket + label]`, label 1 = positive): TP/(TP+FP) or TP/(TP+FN), 0 when undefined
 * (as Keras and TensorFlow.js).
 */
export function precisionRecall(counts: Int32Array, at: number, which: 'precision' | 'recall'): number {
  let tp = 0, fp = 0, fn = 0;
  for (let bucket = 0; bucket < PR_BUCKETS; bucket++) {
    const neg = counts[at + 2 * bucket]!, pos = counts[at + 2 * bucket + 1]!;
    if (bucket >= 1) { tp += pos; fp += neg; } else fn += pos;
  }
  return which === 'precision' ? divideNoNan(tp, tp + fp) : divideNoNan(tp, tp + fn);
}

/**
 * Keras 3's AUC (curve 'ROC', summation 'interpolation', num_thresholds 200) from the
 * AUC_THRESHOLDS bucket counts: threshold t's true/false positives are the counts of buckets
 * ≥ t; TPR and FPR are divide_no_nan ratios (so no positives gives 0); the area is the trapezoid
 * sum Σ (FPR[t] − FPR[t+1])·(TPR[t] + TPR[t+1])/2.
 */
export function rocAuc(counts: Int32Array, at: number): number {
  let positives = 0, negatives = 0;
  for (let t = 0; t < AUC_THRESHOLDS; t++) {
    negatives += counts[at + 2 * t]!;
    positives += counts[at + 2 * t + 1]!;
  }
  // Walk thresholds from the highest down, accumulating the counts of buckets ≥ t.
  let tp = 0, fp = 0, area = 0;
  let prevTpr = 0, prevFpr = 0;
  for (let t = AUC_THRESHOLDS - 1; t >= 0; t--) {
    tp += counts[at + 2 * t + 1]!;
    fp += counts[at + 2 * t]!;
    const tpr = divideNoNan(tp, positives), fpr = divideNoNan(fp, negatives);
    if (t < AUC_THRESHOLDS - 1) area += (fpr - prevFpr) * (tpr + prevTpr) / 2;
    prevTpr = tpr;
    prevFpr = fpr;
  }
  return area;
}
