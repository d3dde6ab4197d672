/**
 * Caps applied while loading, before anything is allocated, so an untrusted model file can cost
 * at most this much memory and time. Change them globally with `setLoadLimits` or per call.
 */
import { checkOptionKeys } from '../util/options.js';
import { describe } from '../tensor.js';

export interface LoadLimits {
  /** Largest total of weight bytes accepted (default 256 MiB = 64 M float32 parameters). */
  maxWeightBytes: number;
  /** Largest model.json / topology text accepted, in bytes (default 16 MiB). */
  maxJsonBytes: number;
  /** Most layers accepted (default 1000). */
  maxLayers: number;
}

const defaults: LoadLimits = { maxWeightBytes: 256 * 2 ** 20, maxJsonBytes: 16 * 2 ** 20, maxLayers: 1000 };
let current: LoadLimits = { ...defaults };

/** Change the load caps for every later `loadModel` / `fromArtifacts` call; returns the new caps. */
export function setLoadLimits(limits: Partial<LoadLimits>): LoadLimits {
  checkOptionKeys(limits, ['maxWeightBytes', 'maxJsonBytes', 'maxLayers'] satisfies (keyof LoadLimits)[], 'setLoadLimits');
  current = mergeLimits(limits, 'setLoadLimits');
  return { ...current };
}

/** The caps in force (a copy). `getLoadLimits(true)` gives the built-in defaults. */
export function getLoadLimits(builtIn = false): LoadLimits {
  return { ...(builtIn ? defaults : current) };
}

/** The current caps overridden by `limits` (per-call options). */
export function mergeLimits(limits: Partial<LoadLimits> | undefined, what: string): LoadLimits {
  if (limits === undefined) return { ...current };
  if (!limits || typeof limits !== 'object') throw new Error(`${what}: expected { maxWeightBytes?, maxJsonBytes?, maxLayers? }, got ${describe(limits)}`);
  const out = { ...current };
  for (const key of ['maxWeightBytes', 'maxJsonBytes', 'maxLayers'] as const) {
    const v = limits[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new Error(`${what}: ${key} must be a positive integer, got ${describe(v)}`);
    out[key] = v;
  }
  return out;
}

/** Byte counts in io messages: exact, with MiB/GiB above 1 MiB. */
export { formatBytes } from '../util/format.js';
