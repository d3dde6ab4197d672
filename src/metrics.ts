/**
 * Metrics. wasm-mlp computes one, 'accuracy' (Keras's 'acc' too), in three kinds chosen from the
 * loss and the output width (see `accuracyKind` in losses.ts). `Accuracy` (the kernel codes of
 * `accuracyCount`) is generated into assembly/codes.ts by scripts/build-wasm.mjs.
 */

/** Metric names compile() accepts, and the Keras names that load as them. */
export const metricDeclarations = {
  accuracy: { keras: ['accuracy', 'acc'] },
} as const;
export type MetricName = keyof typeof metricDeclarations;
/** What `compile({ metrics })` accepts: a {@link MetricName} or a Keras alias of one. */
export type MetricSpec = MetricName | (typeof metricDeclarations)[MetricName]['keras'][number];
export const metricNames = Object.freeze(Object.keys(metricDeclarations)) as readonly MetricName[];

/** The metric a name (or Keras alias) stands for; undefined for anything else. */
export function resolveMetricName(s: unknown): MetricName | undefined {
  if (typeof s !== 'string') return undefined;
  return metricNames.find((n) => n === s || (metricDeclarations[n].keras as readonly string[]).includes(s));
}

/** Accuracy kinds for `accuracyCount`. Codes are stable: they are compiled into the wasm kernels. */
export const Accuracy = {
  /** prediction > 0.5 equals target > 0.5, counted per element */
  binary: 0,
  /** argmax of prediction row equals argmax of one-hot target row */
  categorical: 1,
  /** argmax of prediction row equals the class id in target (one f32 per row) */
  sparse: 2,
} as const;
export type AccuracyCode = (typeof Accuracy)[keyof typeof Accuracy];
