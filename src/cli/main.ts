/**
 * The `wasm-mlp` command line: train, predict, evaluate, summary, bench.
 * Bundled (with csv-parse) into dist/cli/wasm-mlp.js; the library itself is imported from
 * dist/node/index.js, so the CLI and `import 'wasm-mlp'` share one copy.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { bench, benchHelp } from './bench.js';
import { csvWorkerMain, isCsvWorker } from './csv-worker-main.js';
import { UsageError, UserError } from './errors.js';
import { evaluate, evaluateHelp } from './evaluate.js';
import { predict, predictHelp } from './predict.js';
import { summary, summaryHelp } from './summary.js';
import { train, trainHelp } from './train.js';

const HELP = `wasm-mlp — train multilayer perceptrons on CSV files (WebAssembly SIMD)

Usage: wasm-mlp <command> [options]

Commands:
  train <data.csv> --label <col> --out <dir>    train a model and save it
  predict <model-dir> <data.csv> [--out file]   predict each row; CSV out
  evaluate <model-dir> <data.csv>               loss, accuracy and confusion matrix, or MSE/MAE/R²
  summary <model-dir>                           layers, parameters and preprocessing of a model
  bench [--quick]                               WASM vs JS (vs TensorFlow.js if installed) on this machine
  help [command]                                help for a command

Options:
  -h, --help       show help (also after a command: wasm-mlp train --help)
  -v, --version    show the version

Example (a CSV with a header row and a 'species' column):
  wasm-mlp train iris.csv --label species --out iris-model
  wasm-mlp evaluate iris-model iris.csv`;

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<void | number> | void | number; help: string }> = {
  train: { run: train, help: trainHelp },
  predict: { run: predict, help: predictHelp },
  evaluate: { run: evaluate, help: evaluateHelp },
  summary: { run: summary, help: summaryHelp },
  bench: { run: bench, help: benchHelp },
};

/** Runs one command line; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  try {
    if (first === undefined || first.startsWith('-')) {
      const { values } = parseTop(argv);
      if (values.version) console.log(version());
      else console.log(HELP);
      return first === undefined ? 1 : 0;
    }
    if (first === 'help') {
      const topic = rest[0];
      if (topic === undefined) console.log(HELP);
      else if (COMMANDS[topic]) console.log(COMMANDS[topic].help);
      else throw new UsageError(`unknown command "${topic}"; commands: ${Object.keys(COMMANDS).join(', ')}`);
      return 0;
    }
    const command = COMMANDS[first];
    if (!command) throw new UsageError(`unknown command "${first}"; commands: ${Object.keys(COMMANDS).join(', ')}`);
    const code = await command.run(rest);
    return typeof code === 'number' ? code : 0;
  } catch (e) {
    return report(e);
  }
}

function parseTop(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } }, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.split('. To specify')[0]!);
  }
}

function report(e: unknown): number {
  const debug = Boolean(process.env.WASM_MLP_DEBUG);
  if (e instanceof UsageError) {
    const cmd = e.command ? ` ${e.command}` : '';
    console.error(`wasm-mlp${cmd}: ${e.message}\nRun 'wasm-mlp${cmd} --help' for usage.`);
    return 2;
  }
  if (e instanceof UserError) {
    console.error(`error: ${e.message}`);
    return 1;
  }
  // Errors from the library carry messages written for users too (shapes, divergence…);
  // only an unexpected kind of failure shows its stack, or any with WASM_MLP_DEBUG=1.
  const err = e instanceof Error ? e : new Error(String(e));
  const unexpected = !(e instanceof Error) || e instanceof TypeError || e instanceof ReferenceError || e instanceof RangeError;
  console.error(`error: ${err.message}`);
  if (debug || unexpected) console.error(err.stack);
  return 1;
}

function version(): string {
  try {
    return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

// `train --stream` runs its CSV worker threads from this same file (./csv-worker.ts).
if (isCsvWorker()) {
  await csvWorkerMain();
} else {
  const code = await main(process.argv.slice(2));
  // Let stdout drain (a pipe may still hold output), then exit: worker threads must not keep us alive.
  process.stdout.write('', () => process.exit(code));
}
