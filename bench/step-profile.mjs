// Where one training step's time goes: `nn.profile`'s per-kernel milliseconds grouped into phases,
// in µs per step. One grouping for every bench that reports it (bench/train.mjs, bench/native.mjs)
// and for the README tables rendered from their results (bench/native-report.mjs).

/** The phases, in table order, with the column heading each gets. */
export const PHASES = [
  ['gemm', 'dense products'],
  ['sparse', 'sparse products'],
  ['sparsify', 'sparsify'],
  ['elementwise', 'activations, dropout, bias'],
  ['loss', 'loss + accuracy'],
  ['optimizer', 'optimizer'],
  ['gather', 'batch gather'],
  ['overhead', 'JS between kernels'],
];

function phaseOf(kernel) {
  if (kernel.startsWith('gemm')) return kernel.endsWith(' sparse') ? 'sparse' : 'gemm';
  if (kernel === 'optimizerStep' || kernel === 'regularize' || kernel === 'sumSquares' || kernel === 'scale') return 'optimizer';
  if (kernel === 'loss' || kernel === 'accuracyCount') return 'loss';
  if (kernel === 'gatherRows') return 'gather';
  if (kernel === 'sparsify') return 'sparsify';
  return 'elementwise';
}

/**
 * `p` from nn.profile over `steps` training steps: µs per step by phase (PHASES), `total` the wall
 * time per step (kernel timing adds ~0.1 µs per call), and the per-kernel record as measured.
 */
export function summarizeProfile(p, steps) {
  if (!(steps > 0) || !p?.kernels) throw new Error(`summarizeProfile: expected an nn.profile result and a step count > 0, got ${steps} steps`);
  const usPerStep = Object.fromEntries(PHASES.map(([k]) => [k, 0]));
  for (const [name, k] of Object.entries(p.kernels)) usPerStep[phaseOf(name)] += (k.ms * 1000) / steps;
  usPerStep.overhead = ((p.wallMs - p.kernelMs) * 1000) / steps;
  usPerStep.total = (p.wallMs * 1000) / steps;
  return { usPerStep, kernels: p.kernels };
}
