/**
 * The optimizer's state as named weights, for checkpoints: the iteration count and each state
 * slot of each parameter, named '<layer>/<param>/<slot>' in the order TensorFlow.js's
 * `optimizer.getWeights()` lists them (every parameter's first slot, then every parameter's
 * second, …), so a file saved with it loads in `tf.loadLayersModel` and tfjs's own files load here.
 */
import { optimizerRules } from '../optimizers/rules.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import type { Layer } from '../layers/layer.js';
import type { ModelMemory } from './layout.js';

export interface OptimizerWeight {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface OptimizerState {
  /** Optimizer steps taken (tfjs's 'iter'). */
  iterations: number;
  weights: OptimizerWeight[];
}

/** Where slot `slot` of a parameter at byte offset `offset` (current side) lives. */
function slotOffset(memory: ModelMemory, offset: number, slot: number): number {
  return memory.sideState[memory.side]! + slot * memory.paramFloats * 4 + (offset - memory.params);
}

/** The names the optimizer's slots are saved under, in order. */
export function optimizerWeightNames(layers: readonly Layer[], opt: Optimizer): string[] {
  const names: string[] = [];
  for (const slotName of optimizerRules[opt.rule].stateNames) {
    for (const l of layers) for (const p of l.params) names.push(`${l.name}/${p.name}/${slotName}`);
  }
  return names;
}

/** Copies of the current state. */
export function readOptimizerState(layers: readonly Layer[], memory: ModelMemory, opt: Optimizer): OptimizerState {
  const f32 = memory.backend.f32();
  const weights: OptimizerWeight[] = [];
  const stateNames = optimizerRules[opt.rule].stateNames;
  stateNames.forEach((slotName, slot) => {
    for (const l of layers) {
      for (const p of l.params) {
        const at = slotOffset(memory, p.offset, slot) >>> 2;
        weights.push({ name: `${l.name}/${p.name}/${slotName}`, shape: p.shape.slice(), data: f32.slice(at, at + p.size) });
      }
    }
  });
  return { iterations: memory.iterations, weights };
}

/**
 * Replace the state: `values` by name, exactly the names optimizerWeightNames gives, each with
 * its parameter's size; everything is checked before anything is written.
 */
export function writeOptimizerState(layers: readonly Layer[], memory: ModelMemory, opt: Optimizer, iterations: number, values: Map<string, Float32Array>): void {
  if (!Number.isInteger(iterations) || iterations < 0) throw new Error(`optimizer weights: 'iter' must be an integer >= 0, got ${iterations}`);
  const want = optimizerWeightNames(layers, opt);
  const missing = want.filter((n) => !values.has(n));
  const extra = [...values.keys()].filter((n) => !want.includes(n));
  if (missing.length || extra.length) {
    throw new Error(
      `optimizer weights do not fit ${opt.className}: ${missing.length ? `missing ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? '…' : ''}` : ''}` +
        `${missing.length && extra.length ? '; ' : ''}${extra.length ? `unexpected ${extra.slice(0, 3).join(', ')}${extra.length > 3 ? '…' : ''}` : ''}` +
        ' (load with { compile: false } to ignore them, or compile with the optimizer they were saved with)',
    );
  }
  const stateNames = optimizerRules[opt.rule].stateNames;
  for (const l of layers) {
    for (const p of l.params) {
      for (const s of stateNames) {
        const v = values.get(`${l.name}/${p.name}/${s}`)!;
        if (v.length !== p.size) throw new Error(`optimizer weight '${l.name}/${p.name}/${s}' has ${v.length} values, expected ${p.size}`);
      }
    }
  }
  const f32 = memory.backend.f32();
  stateNames.forEach((s, slot) => {
    for (const l of layers) for (const p of l.params) f32.set(values.get(`${l.name}/${p.name}/${s}`)!, slotOffset(memory, p.offset, slot) >>> 2);
  });
  memory.iterations = iterations;
}
