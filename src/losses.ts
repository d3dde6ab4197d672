/**
 * The losses, each declared once: its name, its kernel codes (plain, and fused with its natural
 * output activation, whose gradient w.r.t. the logits is the stable (a − y) form), the Keras /
 * TensorFlow.js names, and the accuracy Keras reports with it. Name lists, compile(), training
 * configs and the CLI derive from {@link lossDeclarations}; `Loss` (the kernel codes) is
 * generated into assembly/codes.ts by scripts/build-wasm.mjs.
 */
import { Accuracy, type AccuracyCode } from './metrics.js';

interface LossDeclaration {
  /** Kernel code of the plain loss. */
  readonly code: number;
  /** The output activation it fuses with, the fused kernel's name and code. */
  readonly fused?: { readonly activation: 'sigmoid' | 'softmax'; readonly kernel: string; readonly code: number };
  /** Keras snake_case name (written in training configs), then the other names accepted. */
  readonly keras: readonly string[];
  /** Targets are class ids (one per row), not one-hot rows. */
  readonly sparse: boolean;
}

/** Codes are stable: they are compiled into the wasm kernels. */
const declarations = {
  meanSquaredError: { code: 0, keras: ['mean_squared_error', 'mse', 'MeanSquaredError'], sparse: false },
  meanAbsoluteError: { code: 1, keras: ['mean_absolute_error', 'mae', 'MeanAbsoluteError'], sparse: false },
  binaryCrossentropy: {
    code: 2, fused: { activation: 'sigmoid', kernel: 'binaryCrossentropyFusedSigmoid', code: 3 },
    keras: ['binary_crossentropy', 'BinaryCrossentropy'], sparse: false,
  },
  categoricalCrossentropy: {
    code: 4, fused: { activation: 'softmax', kernel: 'categoricalCrossentropyFusedSoftmax', code: 5 },
    keras: ['categorical_crossentropy', 'CategoricalCrossentropy'], sparse: false,
  },
  sparseCategoricalCrossentropy: {
    code: 6, fused: { activation: 'softmax', kernel: 'sparseCategoricalCrossentropyFusedSoftmax', code: 7 },
    keras: ['sparse_categorical_crossentropy', 'SparseCategoricalCrossentropy'], sparse: true,
  },
} as const satisfies Record<string, LossDeclaration>;

export type LossName = keyof typeof declarations;
export const lossDeclarations: { readonly [K in LossName]: LossDeclaration } = declarations;
export const lossNames = Object.freeze(Object.keys(declarations)) as readonly LossName[];

type FusedKernelName = (typeof declarations)[keyof typeof declarations] extends infer D ? (D extends { fused: { kernel: infer K } } ? K & string : never) : never;

/** Loss kernel codes by name, fused kinds included; shared with AssemblyScript (assembly/codes.ts). */
export const Loss = Object.freeze(
  Object.fromEntries(lossNames.flatMap((n) => {
    const d: LossDeclaration = declarations[n];
    return d.fused ? [[n, d.code], [d.fused.kernel, d.fused.code]] : [[n, d.code]];
  })),
) as { readonly [K in LossName | FusedKernelName]: number };

/** What `compile({ loss })` accepts: a {@link LossName} or a Keras / TensorFlow.js spelling of one. */
export type LossSpec = LossName | (typeof declarations)[LossName]['keras'][number];

/** Accept API names and Keras/TensorFlow.js spellings ('mse', 'categorical_crossentropy'). */
export function getLossName(spec: unknown): LossName {
  if (typeof spec === 'string') {
    if (Object.hasOwn(declarations, spec)) return spec as LossName;
    const found = lossNames.find((n) => (declarations[n].keras as readonly string[]).includes(spec));
    if (found) return found;
  }
  throw new Error(`compile: unknown loss ${JSON.stringify(spec) ?? String(spec)}; expected one of ${lossNames.map((n) => `'${n}'`).join(', ')}`);
}

/** Keras snake_case name, as saved in a training config. */
export function kerasLossName(name: LossName): string {
  return declarations[name].keras[0];
}

export const isSparse = (name: LossName): boolean => declarations[name].sparse;

/** The kernel code, fused when the output activation allows it. */
export function lossKernel(name: LossName, outputActivation: string | undefined): { code: number; fused: boolean } {
  const d: LossDeclaration = declarations[name];
  return d.fused && d.fused.activation === outputActivation ? { code: d.fused.code, fused: true } : { code: d.code, fused: false };
}

/** Which accuracy Keras reports for 'accuracy' with this loss and output width. */
export function accuracyKind(name: LossName, outputUnits: number): AccuracyCode {
  if (declarations[name].sparse) return Accuracy.sparse;
  if (name === 'binaryCrossentropy' || outputUnits === 1) return Accuracy.binary;
  return Accuracy.categorical;
}
