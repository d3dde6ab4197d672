/**
 * Built-in datasets: `nn.datasets.playground(...)`, `nn.datasets.playgroundFeatures(...)`,
 * `nn.datasets.splitTrainTest(...)`.
 */
import { playground, playgroundFeatures, splitTrainTest } from './playground.js';

export { playground, playgroundFeatures, splitTrainTest, playgroundKinds, featureNames } from './playground.js';
export type {
  FeatureName,
  PlaygroundData,
  PlaygroundKind,
  PlaygroundOptions,
  SplitOptions,
  TrainTestSplit,
} from './playground.js';

/** The datasets namespace exposed as `nn.datasets`. */
export const datasets = Object.freeze({ playground, playgroundFeatures, splitTrainTest });
