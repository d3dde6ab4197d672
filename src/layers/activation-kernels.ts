/**
 * Activation names → backend kernels. Dense, Activation, LeakyReLU and ELU layers all run their
 * nonlinearity through these two functions; names, aliases, codes and default alphas come from
 * the declarations in src/activations.ts.
 */
import { activationDeclarations, activationNames, resolveActivationName, type ActivationName } from '../activations.js';
import type { ActCode, Backend } from '../backend/contract.js';

export { activationNames, type ActivationName };

export interface ActivationSpec {
  readonly name: ActivationName;
  /** Elementwise kernel code, or -1 for softmax (row-wise). */
  readonly code: ActCode | -1;
  readonly alpha: number;
}

export function getActivation(spec: unknown, what: string, alpha?: number): ActivationSpec {
  const name = spec === undefined || spec === null ? 'linear' : resolveActivationName(spec);
  if (!name) {
    throw new Error(`${what}: unknown activation ${JSON.stringify(spec) ?? String(spec)}; expected one of ${activationNames.map((n) => `'${n}'`).join(', ')}`);
  }
  const d: { code: number; alpha?: number } = activationDeclarations[name];
  return { name, code: d.code, alpha: alpha ?? d.alpha ?? 0 };
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
