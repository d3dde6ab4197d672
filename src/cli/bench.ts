/** `wasm-mlp bench`: runs bench/run.mjs (as `npm run bench`) with the remaining arguments. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UserError } from './errors.js';

export const benchHelp = `Usage: wasm-mlp bench [sections…] [--quick]

Run the benchmarks (the same as 'npm run bench'): gemm kernels and end-to-end training,
WASM vs JS (vs TensorFlow.js when installed). Arguments go to bench/run.mjs unchanged.
  wasm-mlp bench --quick          fewer sizes, shorter timings
  wasm-mlp bench gemm             only the named sections`;

export function bench(argv: string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(benchHelp);
    return 0;
  }
  // dist/cli/wasm-mlp.js → <package>/bench/run.mjs
  const script = fileURLToPath(new URL('../../bench/run.mjs', import.meta.url));
  if (!existsSync(script)) throw new UserError(`${script} not found: the benchmarks ship with the source repository, not the npm package`);
  const r = spawnSync(process.execPath, [script, ...argv], { stdio: 'inherit' });
  if (r.error) throw new UserError(`could not run ${script}: ${r.error.message}`);
  return r.status ?? 1;
}
