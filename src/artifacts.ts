/**
 * The in-memory shape of a saved model (types only): the same fields as TensorFlow.js's
 * `tf.io.ModelArtifacts` (what `tf.io.fromMemory` takes and `tf.io.withSaveHandler` receives),
 * restricted to the layers-model format. Declared here, below both src/model (whose toArtifacts
 * and save return them) and src/io (which produces and reads them), so neither imports the other
 * for them.
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

/** tfjs's ModelArtifactsInfo, stored next to a model by the browser handlers. */
export interface ArtifactsInfo {
  dateSaved: Date;
  modelTopologyType: 'JSON';
  modelTopologyBytes: number;
  weightSpecsBytes: number;
  weightDataBytes: number;
}

export interface SaveResult {
  /** Sizes as TensorFlow.js reports them. */
  modelArtifactsInfo: ArtifactsInfo;
  /** file:// only: the files written. */
  files?: string[];
}
