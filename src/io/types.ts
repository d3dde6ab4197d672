/**
 * The file-format side of a saved model: what loading accepts, model.json, the format names.
 * The in-memory artifacts themselves are declared in src/artifacts.ts (shared with src/model).
 */
import type { TrainingConfig, WeightSpec } from '../artifacts.js';

export type { WeightSpec, TrainingConfig, ModelArtifacts } from '../artifacts.js';

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
