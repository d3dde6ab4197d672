/**
 * `train --lr-schedule <spec>` and `--class-weight <spec>`: the flag syntax, parsed into the
 * library's schedules, LR callback and class weights (the library checks the values again).
 */
import * as nn from '../index.js';
import { UsageError } from './errors.js';
import { fmtNum } from './util.js';

export const lrScheduleHelp = `--lr-schedule <spec>    change the learning rate during training (--lr is the starting rate; a step
                          is one batch):
                            exponential:<decaySteps>:<decayRate>[:staircase]   lr·rate^(step/decaySteps)
                            cosine:<decaySteps>[:<alpha>[:<warmupSteps>]]      cosine decay to alpha·lr,
                                                                              after a linear warmup from 0
                            piecewise:<step>,<step>…:<rate>,<rate>,<rate>…      constant rates between steps
                            plateau[:<factor>[:<patience>]]   ×factor (default 0.5) after patience
                                                              (default 3) epochs without val_loss gain`;

export const classWeightHelp = `--class-weight <spec>   weight the loss by class (classification): balanced (n / (classes · count),
                          as scikit-learn, from the training rows; not with --stream) or <label>=<weight>,…
                          for every class`;

/** The learning rate to compile with, and a reduceLROnPlateau callback when asked for. */
export interface ParsedSchedule {
  learningRate: nn.optimizers.LearningRate;
  plateau?: nn.callbacks.ReduceLROnPlateauOptions;
}

function num(s: string | undefined, what: string, spec: string, ok: (n: number) => boolean, range: string): number {
  const n = s !== undefined && s.trim() !== '' ? Number(s) : NaN;
  if (!Number.isFinite(n) || !ok(n)) throw new UsageError(`--lr-schedule ${spec}: ${what} must be ${range}, got ${JSON.stringify(s ?? '')}`, 'train');
  return n;
}

/** Parse `--lr-schedule` (see lrScheduleHelp); `lr` is the --lr value. */
export function parseLrSchedule(spec: string | undefined, lr: number): ParsedSchedule {
  if (spec === undefined) return { learningRate: lr };
  const [kind, ...args] = spec.split(':');
  const fail = (why: string): never => {
    throw new UsageError(`--lr-schedule ${JSON.stringify(spec)}: ${why}; expected exponential:<decaySteps>:<decayRate>[:staircase], cosine:<decaySteps>[:<alpha>[:<warmupSteps>]], piecewise:<steps>:<rates> or plateau[:<factor>[:<patience>]]`, 'train');
  };
  const positive = (n: number) => n > 0;
  try {
    switch (kind) {
      case 'exponential': {
        if (args.length < 2 || args.length > 3 || (args.length === 3 && args[2] !== 'staircase')) fail('exponential takes <decaySteps>:<decayRate>[:staircase]');
        return {
          learningRate: nn.schedules.exponentialDecay({
            initialLearningRate: lr,
            decaySteps: num(args[0], 'decaySteps', spec, positive, 'a positive number'),
            decayRate: num(args[1], 'decayRate', spec, positive, 'a positive number'),
            staircase: args[2] === 'staircase',
          }),
        };
      }
      case 'cosine': {
        if (args.length < 1 || args.length > 3) fail('cosine takes <decaySteps>[:<alpha>[:<warmupSteps>]]');
        const decaySteps = num(args[0], 'decaySteps', spec, positive, 'a positive number');
        const alpha = args[1] === undefined ? 0 : num(args[1], 'alpha', spec, (n) => n >= 0 && n <= 1, 'a fraction in [0, 1]');
        const warmupSteps = args[2] === undefined ? 0 : num(args[2], 'warmupSteps', spec, (n) => Number.isInteger(n) && n >= 0, 'an integer >= 0');
        // With a warmup the rate climbs linearly from 0 to --lr (Keras: initialLearningRate 0, warmupTarget lr).
        return {
          learningRate: warmupSteps > 0
            ? nn.schedules.cosineDecay({ initialLearningRate: 0, decaySteps, alpha, warmupTarget: lr, warmupSteps })
            : nn.schedules.cosineDecay({ initialLearningRate: lr, decaySteps, alpha }),
        };
      }
      case 'piecewise': {
        if (args.length !== 2) fail('piecewise takes <step>,<step>…:<rate>,<rate>,<rate>… (one more rate than steps)');
        const boundaries = args[0]!.split(',').map((s) => num(s, 'a step', spec, (n) => n >= 0, 'a number >= 0'));
        const values = args[1]!.split(',').map((s) => num(s, 'a rate', spec, positive, 'a positive number'));
        return { learningRate: nn.schedules.piecewiseConstantDecay({ boundaries, values }) };
      }
      case 'plateau': {
        if (args.length > 2) fail('plateau takes [:<factor>[:<patience>]]');
        const factor = args[0] === undefined ? 0.5 : num(args[0], 'factor', spec, (n) => n > 0 && n < 1, 'a number in (0, 1)');
        const patience = args[1] === undefined ? 3 : num(args[1], 'patience', spec, (n) => Number.isInteger(n) && n >= 0, 'an integer >= 0');
        return { learningRate: lr, plateau: { factor, patience, verbose: 0 } };
      }
      default:
        return fail(`unknown schedule ${JSON.stringify(kind)}`);
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`--lr-schedule ${JSON.stringify(spec)}: ${(e as Error).message}`, 'train');
  }
}

/**
 * `--class-weight balanced` → n / (classes · count_c) for each class c present in `ids` (the
 * training rows' class ids), as scikit-learn's compute_class_weight('balanced'); or
 * `<label>=<weight>,…` naming each class by its label.
 */
/** The "class weights: no 1.1429, yes 0.8889" line a run prints. */
export function describeClassWeight(classWeight: Record<number, number>, classes: readonly string[]): string {
  return `class weights: ${classes.map((c, k) => (k in classWeight ? `${c} ${fmtNum(classWeight[k]!)}` : undefined)).filter(Boolean).join(', ')}`;
}

export function parseClassWeight(spec: string, ids: ArrayLike<number>, classes: readonly string[]): Record<number, number> {
  if (spec === 'balanced') {
    const counts = new Array<number>(classes.length).fill(0);
    for (let i = 0; i < ids.length; i++) counts[ids[i]!]!++;
    const present = counts.filter((c) => c > 0).length;
    const out: Record<number, number> = {};
    counts.forEach((c, k) => {
      if (c > 0) out[k] = ids.length / (present * c);
    });
    return out;
  }
  const out: Record<number, number> = {};
  for (const part of spec.split(',')) {
    const eq = part.lastIndexOf('=');
    const label = part.slice(0, eq).trim();
    const k = classes.indexOf(label);
    if (eq < 0 || k < 0) {
      throw new UsageError(`--class-weight ${JSON.stringify(spec)}: expected balanced or <label>=<weight>,… with labels from ${classes.join(', ')}, got ${JSON.stringify(part)}`, 'train');
    }
    const w = Number(part.slice(eq + 1));
    if (!(Number.isFinite(w) && w >= 0) || part.slice(eq + 1).trim() === '') throw new UsageError(`--class-weight: the weight of ${label} must be a number >= 0, got ${JSON.stringify(part.slice(eq + 1))}`, 'train');
    out[k] = w;
  }
  const missing = classes.filter((_, k) => !(k in out));
  if (missing.length) throw new UsageError(`--class-weight ${JSON.stringify(spec)}: no weight for class${missing.length > 1 ? 'es' : ''} ${missing.join(', ')}; give every class a weight, or use balanced`, 'train');
  return out;
}
