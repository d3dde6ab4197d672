// wasm-mlp kernels. Every kernel takes BYTE offsets into the imported memory and sizes; none
// allocates or keeps state. Buffers start 16-byte aligned; rows inside a buffer may not.
export { gemm, gemmScratchBytes, gemmSplitParts, gemmSplitStart, gemmPeak, gemmSparseExact } from './gemm';
export { sparsify, sparsifyPart, sparsifyJoin, sparsifyScatter, gemmSparse } from './sparse';
export { activation, activationGrad, prelu, preluGrad } from './activations';
export { softmax, softmaxGrad } from './softmax';
export { loss } from './losses';
export { accuracyCount, argmaxRows, thresholdCounts } from './metrics';
export { dropout, gaussianNoise } from './dropout';
export { moments, normalize, normalizeGrad, movingAverage } from './normalization';
export { optimizerStep } from './optimizers';
export { multiply, copy, fill, scale, sumSquares, regularize, columnSums, gatherRows, anyNonFinite } from './elementwise';
export { mathEval } from './math';

/** First byte after the kernels' static data: the TS arena starts here. */
export function heapBase(): usize {
  return __heap_base;
}
