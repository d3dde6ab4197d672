/**
 * Activation names → backend kernels. Dense, Activation, LeakyReLU and ELU layers all run their
 * nonlinearity through these two functions, so the name table lives in one place.
 */
import { Act, type ActCode, type Backend } from '../backend/contract.js';

export const activationNames = [
  'linear', 'step', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'elu', 'selu', 'softplus', 'swish', 'gelu', 'softmax',
] as const;
export type ActivationName = (typeof activationNames)[number];

const aliases: Record<string, ActivationName> = {
  leaky_relu: 'leakyRelu', leakyrelu: 'leakyRelu', binaryStep: 'step', binary_step: 'step', silu: 'swish',
};

/** Default alpha of the parameterised activations when used by name. */
export const DEFAULT_ALPHA: Partial<Record<ActivationName, number>> = { leakyRelu: 0.01, elu: 1 };

export interface ActivationSpec {
  readonly name: ActivationName;
  /** Elementwise kernel code, or -1 for softmax (row-wise). */
  readonly code: ActCode | -1;
  readonly alpha: number;
}

export function getActivation(spec: unknown, what: string, alpha?: number): ActivationSpec {
  let name: ActivationName | undefined;
  if (spec === undefined || spec === null) name = 'linear';
  else if (typeof spec === 'string') {
    if ((activationNames as readonly string[]).includes(spec)) name = spec as ActivationName;
    else if (Object.hasOwn(aliases, spec)) name = aliases[spec];
  }
  if (!name) {
    throw new Error(`${what}: unknown activation ${JSON.stringify(spec) ?? String(spec)}; expected one of ${activationNames.map((n) => `'${n}'`).join(', ')}`);
  }
  const code = name === 'softmax' ? -1 : (Act as Record<string, ActCode>)[name]!;
  return { name, code, alpha: alpha ?? DEFAULT_ALPHA[name] ?? 0 };
}

/** y = f(x) for a rows×cols block. */
export function activationForward(b: Backend, a: ActivationSpec, rows: number, cols: number, x: number, y: number): void {
  if (a.code === -1) b.softmax(rows, cols, x, y);
  else b.activation(a.code, rows * cols, x, y, a.alpha);
}

/** dx = dy ⊙ f′(x) (softmax: its Jacobian-vector product). dx may equal dy. */
export function activationBackward(b: Backend, a: ActivationSpec, rows: number, cols: number, x: number, y: number, dy: number, dx: number): void {
  if (a.code === -1) b.softmaxGrad(rows, cols, y, dy, dx);
  else b.activationGrad(a.code, rows * cols, x, y, dy, dx, a.alpha);
}
