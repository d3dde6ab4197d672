/**
 * The in-memory shape of a saved model: the same fields as TensorFlow.js's `tf.io.ModelArtifacts`
 * (what `tf.io.fromMemory` takes and `tf.io.withSaveHandler` receives), restricted to the
 * layers-model format.
 */

/** One entry of `weightSpecs` / a weights-manifest group, as TensorFlow.js writes it. */
export interface WeightSpec {
  /** '<layer>/kernel', '<layer>/bias', '<layer>/alpha' (or optimizer slots with group 'optimizer'). */
  name: string;
  shape: number[];
  dtype: string;
  /** 'optimizer' for optimizer state written by tfjs `save(…, { includeOptimizer: true })`. */
  group?: string;
  quantization?: unknown;
}

/** What `tf.LayersModel.getTrainingConfig()` writes (Keras `training_config`). */
export interface TrainingConfig {
  loss: string | string[] | Record<string, unknown>;
  metrics?: string[] | Record<string, unknown> | null;
  optimizer_config: { class_name: string; config: Record<string, unknown> };
}

export interface ModelArtifacts {
  /** Keras JSON: { class_name: 'Sequential', config: { name, layers: [...] }, keras_version, backend }. */
  modelTopology: Record<string, unknown>;
  weightSpecs: WeightSpec[];
  /** Little-endian float32 values of every spec, back to back in spec order. */
  weightData: ArrayBuffer;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: TrainingConfig;
  userDefinedMetadata?: Record<string, unknown>;
}

/** Loose input accepted by `fromArtifacts` (validated field by field before use). */
export type ArtifactsInput = {
  modelTopology?: unknown;
  weightSpecs?: unknown;
  weightData?: unknown;
  trainingConfig?: unknown;
  userDefinedMetadata?: unknown;
  [key: string]: unknown;
};

/** model.json as written to files and servers. */
export interface ModelJson {
  modelTopology: Record<string, unknown>;
  format: string;
  generatedBy: string;
  convertedBy: string | null;
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
  trainingConfig?: TrainingConfig;
  userDefinedMetadata?: Record<string, unknown>;
}

export const FORMAT = 'layers-model';
export const GENERATED_BY = 'wasm-mlp 0.1.0';
