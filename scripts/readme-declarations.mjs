// Renders the README's tables of declared concepts (activations, losses, optimizers and their
// update rules, layers) from the declarations in src/, between the markers
// <!-- declarations:begin --> and <!-- declarations:end -->. The tables cannot drift from the code:
// test/descriptors.test.ts fails when the README is not what this script writes.
//   node scripts/readme-declarations.mjs           rewrite README.md
//   node scripts/readme-declarations.mjs --check   exit 1 when README.md is out of date
import { build } from 'esbuild';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BEGIN = '<!-- declarations:begin -->';
const END = '<!-- declarations:end -->';

/** The declaration modules, bundled on the fly (no TS build needed). */
export async function loadDeclarations() {
  const bundle = await build({
    stdin: {
      contents: [
        "export { activationDeclarations, activationNames } from './src/activations.ts';",
        "export { lossDeclarations, lossNames } from './src/losses.ts';",
        "export { optimizerRules, optimizerRuleNames } from './src/optimizers/rules.ts';",
        "export * as optimizers from './src/optimizers/index.ts';",
        "export { layerClasses } from './src/layers/index.ts';",
      ].join('\n'),
      resolveDir: root, loader: 'ts',
    },
    bundle: true, write: false, format: 'esm', platform: 'neutral', logLevel: 'error',
  });
  return import(`data:text/javascript;base64,${Buffer.from(bundle.outputFiles[0].text).toString('base64')}`);
}

const code = (s) => `\`${s}\``;
const list = (xs) => (xs.length ? xs.map(code).join(', ') : '—');

/** The markdown between the markers. */
export function render(d) {
  const out = [];
  out.push('| activation | kernel code | Keras / TensorFlow.js names | also accepted | formula |', '|---|---|---|---|---|');
  for (const n of d.activationNames) {
    const a = d.activationDeclarations[n];
    out.push(`| ${code(n)} | ${a.code < 0 ? 'softmax kernel' : a.code} | ${a.keras.length ? list(a.keras) : 'saved as a `LeakyReLU` layer'} | ${list(a.aliases)} | ${a.scalar.formula} |`);
  }
  out.push('', '| loss | kernel code (fused) | Keras names |', '|---|---|---|');
  for (const n of d.lossNames) {
    const l = d.lossDeclarations[n];
    out.push(`| ${code(n)} | ${l.code}${l.fused ? ` (${l.fused.code} with ${code(l.fused.activation)})` : ''} | ${list(l.keras)} |`);
  }
  out.push('', '| optimizer | saved as | update rules |', '|---|---|---|');
  const rulesOf = { sgd: ['sgd', 'momentum', 'nesterov'], rmsprop: ['rmsprop', 'rmspropCentered'] };
  for (const n of d.optimizers.optimizerNames) {
    const cls = d.optimizers.getOptimizer(n).constructor;
    out.push(`| ${code(`nn.optimizers.${n}`)} | ${list(cls.kerasClassNames)} | ${list(rulesOf[n] ?? [n])} |`);
  }
  out.push('', '| update rule | code | state slots | formula (names of `OptimizerParams`) |', '|---|---|---|---|');
  for (const n of d.optimizerRuleNames) {
    const r = d.optimizerRules[n];
    out.push(`| ${code(n)} | ${r.code} | ${r.slots} | ${r.formula.replace(/\|/g, '\\|')} |`);
  }
  out.push('', `Layer classes a saved model may name: ${list(d.layerClasses.map((c) => c.kerasClassName))}.`);
  return out.join('\n');
}

/** README text with the section replaced. */
export function withSection(readme, body) {
  const a = readme.indexOf(BEGIN), b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md has no ${BEGIN} … ${END} section`);
  return `${readme.slice(0, a + BEGIN.length)}\n${body}\n${readme.slice(b)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = path.join(root, 'README.md');
  const readme = await readFile(file, 'utf8');
  const next = withSection(readme, render(await loadDeclarations()));
  if (process.argv.includes('--check')) {
    if (next !== readme) {
      console.error('README.md: the declarations section is out of date; run node scripts/readme-declarations.mjs');
      process.exit(1);
    }
    console.log('README.md declarations section is up to date');
  } else {
    await writeFile(file, next);
    console.log(`README.md: declarations section written`);
  }
}
