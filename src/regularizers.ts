/**
 * L1/L2 weight penalties. The penalty l1·Σ|w| + l2·Σw² is added to the training loss and its
 * gradient l1·sign(w) + 2·l2·w to the weight gradient (Keras/TensorFlow.js definitions).
 */
import { checkOptionKeys } from './util/options.js';

export interface Regularizer {
  readonly className: 'L1L2';
  readonly l1: number;
  readonly l2: number;
}

function check(name: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new Error(`regularizers.${name}: expected a finite number >= 0, got ${String(v)}`);
  }
  return v;
}

/** l1·Σ|w| (Keras default 0.01). */
export const l1 = (rate: number | { l1?: number } = 0.01): Regularizer => {
  checkOptionKeys(rate, ['l1'], 'regularizers.l1');
  return { className: 'L1L2', l1: check('l1', typeof rate === 'number' ? rate : rate.l1 ?? 0.01), l2: 0 };
};
/** l2·Σw² (Keras default 0.01). */
export const l2 = (rate: number | { l2?: number } = 0.01): Regularizer => {
  checkOptionKeys(rate, ['l2'], 'regularizers.l2');
  return { className: 'L1L2', l1: 0, l2: check('l2', typeof rate === 'number' ? rate : rate.l2 ?? 0.01) };
};
/** Both penalties. */
export const l1l2 = (options: { l1?: number; l2?: number } = {}): Regularizer => {
  checkOptionKeys(options, ['l1', 'l2'], 'regularizers.l1l2');
  const { l1: a = 0.01, l2: b = 0.01 } = options;
  return { className: 'L1L2', l1: check('l1l2 l1', a), l2: check('l1l2 l2', b) };
};

/** Keras class names a saved L1L2 penalty may carry (Keras 3 writes L1 and L2 for the single ones). */
export const regularizerKerasClassNames: readonly string[] = ['L1L2', 'L1', 'L2'];

/** The regularizer a saved `{ class_name, config: { l1, l2 } }` describes (rates already read; absent = 0). */
export function regularizerFromConfig(className: string, rates: { l1: number; l2: number }): Regularizer | undefined {
  return regularizerKerasClassNames.includes(className) ? l1l2(rates) : undefined;
}

export function getRegularizer(spec: Regularizer | string | null | undefined, what: string): Regularizer | undefined {
  if (spec === undefined || spec === null) return undefined;
  if (typeof spec === 'string') {
    if (spec === 'l1') return l1();
    if (spec === 'l2') return l2();
    if (spec === 'l1l2' || spec === 'l1_l2') return l1l2();
  } else if (typeof spec === 'object' && typeof spec.l1 === 'number' && typeof spec.l2 === 'number') {
    return { className: 'L1L2', l1: check('l1', spec.l1), l2: check('l2', spec.l2) };
  }
  throw new Error(`${what}: unknown regularizer ${JSON.stringify(spec)}; expected nn.regularizers.l1(r), l2(r) or l1l2({ l1, l2 })`);
}
