// `npm run bench`: runs each benchmark section in turn, prints its table and writes
// bench/results/<section>.json with the machine it ran on. Add a section by appending to
// SECTIONS a module that exports `name` and `run({ quick }) => Promise<result>`.
//   npm run bench                    # everything
//   npm run bench -- --quick         # fewer sizes, shorter timings
//   npm run bench -- gemm            # only the named sections
//   npm run bench -- --readme        # then rewrite the README's numbers (scripts/readme-numbers.mjs;
//                                    # with --check: only check them)
//   npm run bench -- stream          # streaming a generated 2 GB CSV (only when named: it takes a
//                                    # while); --quick: 64 MB; --stream-mb N: N MB
//   npm run bench -- native          # vs PyTorch and Keras-on-JAX (bench/native.mjs; builds a Python venv once)
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

const SECTIONS = [
  { name: 'gemm', load: () => import('./gemm.mjs') },
  { name: 'train', load: () => import('./train.mjs') },
  { name: 'threads', load: () => import('./threads.mjs') },
  { name: 'stream', load: () => import('./stream.mjs'), onlyWhenNamed: true },
  { name: 'native', load: () => import('./native.mjs') },
];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const streamAt = args.indexOf('--stream-mb');
const streamMb = streamAt >= 0 ? Number(args[streamAt + 1]) : undefined;
if (streamAt >= 0 && !(streamMb > 0)) throw new Error(`--stream-mb takes a size in MB, got ${args[streamAt + 1]}`);
const only = args.filter((a, i) => !a.startsWith('--') && !(streamAt >= 0 && i === streamAt + 1));
const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  node: process.version,
  v8: process.versions.v8,
};
console.log(`${machine.cpu} · ${machine.cores} cores · Node ${machine.node}${quick ? ' · quick' : ''}\n`);

mkdirSync(path.join(here, 'results'), { recursive: true });
for (const section of SECTIONS) {
  if ((only.length || section.onlyWhenNamed) && !only.includes(section.name)) continue;
  const mod = await section.load();
  const result = await mod.run({ quick, ...(section.name === 'stream' && streamMb ? { sizeMb: streamMb } : {}) });
  const file = path.join(here, 'results', `${section.name}${quick ? '.tmp' : ''}.json`);
  writeFileSync(file, JSON.stringify({ section: section.name, date: new Date().toISOString(), machine, quick, result }, null, 2) + '\n');
  console.log(`→ ${path.relative(process.cwd(), file)}\n`);
}

if (args.includes('--readme')) {
  if (quick) throw new Error('--readme takes full runs only: drop --quick');
  const { main } = await import('../scripts/readme-numbers.mjs');
  // With --check: verify the README against the results instead of rewriting it.
  process.exitCode = main(args.includes('--check') ? ['--check'] : []);
}
