/**
 * `nn.profile(fn)`: where the time goes. While `fn` runs, every kernel call on the active backend
 * is timed; the result gives calls and milliseconds per kernel. Timing adds ~0.1 µs per call, so
 * use it to see proportions in real workloads, not to time tiny networks.
 */
import type { Backend } from './contract.js';
import { getBackend } from './index.js';
import { now } from '../util/yield.js';

const KERNELS = [
  'gemm', 'gemmSparse', 'sparsify', 'columnSums', 'activation', 'activationGrad', 'softmax', 'softmaxGrad', 'prelu', 'preluGrad', 'loss',
  'dropout', 'multiply', 'regularize', 'optimizerStep', 'gatherRows', 'copy', 'fill', 'scale', 'sumSquares', 'anyNonFinite', 'accuracyCount', 'argmaxRows',
  'gaussianNoise', 'moments', 'normalize', 'normalizeGrad', 'movingAverage',
] as const;

export interface KernelProfile {
  calls: number;
  ms: number;
}
export interface ProfileResult {
  /** Per kernel name; gemm is also split by layout as 'gemm NN' / 'gemm TN' / 'gemm NT', gemmSparse as 'gemm NN sparse' / 'gemm TN sparse'. */
  kernels: Record<string, KernelProfile>;
  /** Time inside kernels. */
  kernelMs: number;
  /** Wall time of fn. */
  wallMs: number;
}

export async function profile(fn: () => unknown): Promise<ProfileResult> {
  const b = getBackend() as unknown as Record<string, (...a: unknown[]) => unknown>;
  const kernels: Record<string, KernelProfile> = {};
  const saved = new Map<string, PropertyDescriptor | undefined>();
  const layoutName = ['gemm NN', 'gemm TN', 'gemm NT'];
  for (const name of KERNELS) {
    const original = b[name] as ((...a: unknown[]) => unknown) | undefined;
    if (typeof original !== 'function') continue;
    saved.set(name, Object.getOwnPropertyDescriptor(b, name));
    b[name] = function (this: Backend, ...args: unknown[]) {
      const t = now();
      const r = original.apply(b, args);
      const key = name === 'gemm' ? layoutName[args[0] as number]! : name === 'gemmSparse' ? `${layoutName[args[0] as number]!} sparse` : name;
      const k = (kernels[key] ??= { calls: 0, ms: 0 });
      k.calls++;
      k.ms += now() - t;
      return r;
    };
  }
  const t0 = now();
  try {
    await fn();
  } finally {
    for (const [name, desc] of saved) {
      if (desc) Object.defineProperty(b, name, desc);
      else delete b[name];
    }
  }
  const wallMs = now() - t0;
  const kernelMs = Object.values(kernels).reduce((s, k) => s + k.ms, 0);
  return { kernels, kernelMs, wallMs };
}
