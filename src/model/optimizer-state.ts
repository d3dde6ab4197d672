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
 * Replace the state from saved optimizer weights, in file order. Matched by name
 * ('<layer>/<param>/<slot>') when the names are ours; otherwise by position, as TensorFlow.js's
 * `setWeights` does (a model whose layers were renamed). A file with no slot weights comes from an
 * optimizer that never stepped (tfjs creates them on the first step): the state stays initial.
 * Everything is checked before anything is written.
 */
export function writeOptimizerState(layers: readonly Layer[], memory: ModelMemory, opt: Optimizer, iterations: number, saved: readonly [string, Float32Array][]): void {
  if (!Number.isInteger(iterations) || iterations < 0) throw new Error(`optimizer weights: 'iter' must be an integer >= 0, got ${iterations}`);
  const want = optimizerWeightNames(layers, opt);
  if (saved.length === 0 && (iterations === 0 || want.length === 0)) {
    memory.iterations = iterations;
    return;
  }
  const sizes = optimizerRules[opt.rule].stateNames.flatMap(() => layers.flatMap((l) => l.params.map((p) => p.size)));
  const byName = new Map(saved);
  let ordered: Float32Array[];
  if (byName.size === saved.length && want.every((n) => byName.has(n)) && saved.length === want.length) ordered = want.map((n) => byName.get(n)!);
  else if (saved.length === want.length && saved.every(([, v], i) => v.length === sizes[i])) ordered = saved.map(([, v]) => v);
  else {
    throw new Error(
      `optimizer weights do not fit ${opt.className}: expected ${want.length} (${want.slice(0, 3).join(', ')}${want.length > 3 ? ', …' : ''}), ` +
        `got ${saved.length} (${saved.slice(0, 3).map(([n]) => n).join(', ')}${saved.length > 3 ? ', …' : ''}); ` +
        'load with { compile: false } to ignore them, or compile with the optimizer they were saved with',
    );
  }
  ordered.forEach((v, i) => {
    if (v.length !== sizes[i]) throw new Error(`optimizer weight '${want[i]}' has ${v.length} values, expected ${sizes[i]}`);
  });
  const f32 = memory.backend.f32();
  let i = 0;
  optimizerRules[opt.rule].stateNames.forEach((_s, slot) => {
    for (const l of layers) for (const p of l.params) f32.set(ordered[i++]!, slotOffset(memory, p.offset, slot) >>> 2);
  });
  memory.iterations = iterations;
}
