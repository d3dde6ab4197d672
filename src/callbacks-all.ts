/**
 * `nn.callbacks`: the callback types and every built-in callback — earlyStopping (./callbacks.ts)
 * and the learning-rate callbacks (./callbacks-lr.ts).
 */
export * from './callbacks.js';
export * from './callbacks-lr.js';
