// `npm run bench`: runs each benchmark section in turn, prints its table and writes
// bench/results/<section>.json with the machine it ran on. Add a section by appending to
// SECTIONS a module that exports `name` and `run({ quick }) => Promise<result>`.
//   npm run bench                    # everything
//   npm run bench -- --quick         # fewer sizes, shorter timings
//   npm run bench -- gemm            # only the named sections
//   npm run bench -- native          # vs PyTorch and Keras-on-JAX (bench/native.mjs; builds a Python venv once)
//   npm run bench -- --readme        # then rewrite the README's numbers (scripts/readme-numbers.mjs)
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

const SECTIONS = [
  { name: 'gemm', load: () => import('./gemm.mjs') },
  { name: 'train', load: () => import('./train.mjs') },
  { name: 'threads', load: () => import('./threads.mjs') },
  { name: 'native', load: () => import('./native.mjs') },
];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.filter((a) => !a.startsWith('--'));
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
  if (only.length && !only.includes(section.name)) continue;
  const mod = await section.load();
  const result = await mod.run({ quick });
  const file = path.join(here, 'results', `${section.name}${quick ? '.tmp' : ''}.json`);
  writeFileSync(file, JSON.stringify({ section: section.name, date: new Date().toISOString(), machine, quick, result }, null, 2) + '\n');
  console.log(`→ ${path.relative(process.cwd(), file)}\n`);
}

if (args.includes('--readme')) {
  if (quick) throw new Error('--readme takes full runs only: drop --quick');
  const { main } = await import('../scripts/readme-numbers.mjs');
  process.exitCode = main([]);
}
