/**
 * wasm-mlp: train multilayer perceptrons fast in Node and the browser.
 *
 *   import * as nn from 'wasm-mlp';
 *   await nn.ready();
 *   const model = nn.sequential({ seed: 1 });
 */
export { profile, type ProfileResult, type KernelProfile } from './backend/profile.js';
export { ready, setBackend, backendInfo, type BackendInfo, type BackendName, type BackendOptions } from './backend/index.js';
export { Tensor2D, tensor2d, type Tensor2DLike } from './tensor.js';
export type { MetricName, MetricSpec } from './metrics.js';
export { Sequential, sequential, type SequentialArgs, type CompileArgs, type FitArgs, type FitDatasetArgs, type Dataset, type Batch, type History, type WeightTensor } from './model/sequential.js';
export * as layers from './layers/index.js';
export * as optimizers from './optimizers/index.js';
export * as regularizers from './regularizers.js';
export * as initializers from './initializers.js';
export * as callbacks from './callbacks-all.js';
export * as schedules from './optimizers/schedules.js';
export { activations, erf } from './activations.js';
export { datasets } from './datasets/index.js';
export { lossNames, type LossName, type LossSpec } from './losses.js';
export type { Labels } from './model/data.js';
export { loadModel, fromArtifacts, setLoadLimits, getLoadLimits, type LoadModelOptions, type LoadLimits, type ModelArtifacts, type SaveResult } from './io/index.js';
export * as worker from './worker/index.js';
export * as data from './data/index.js';
