/**
 * The shape of the code base (STYLE.md principles 5, 10 and 12): no import cycle in src/,
 * src/model never imports src/io, no file in src/ over 400 lines, and every kernel of the backend
 * contract in the same-named file of both backends (src/backend/js/<family>.ts, assembly/<family>.ts). The import rules live in
 * .dependency-cruiser.cjs and are checked with dependency-cruiser, which also runs on a small
 * planted cycle here so a broken checker cannot pass silently.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const config = createRequire(import.meta.url)(path.join(root, '.dependency-cruiser.cjs')) as IConfiguration;
const MAX_LINES = 400;

async function check(dir: string, baseDir: string): Promise<ICruiseResult> {
  const { output } = await cruise([dir], { ...config.options, baseDir, ruleSet: { forbidden: config.forbidden }, validate: true });
  return output as ICruiseResult;
}

const violations = (r: ICruiseResult): string[] =>
  r.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (cycle: ${v.cycle.map((c) => c.name).join(' → ')})` : ''}`);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('architecture', () => {
  it('src/ has no import cycle, src/model does not import src/io (type imports included), Node built-ins only at the edges', async () => {
    const result = await check('src', root);
    // Sanity: the cruise really followed src/ (index.ts reaches the model, io and backends).
    expect(result.summary.totalCruised).toBeGreaterThan(80);
    const model = result.modules.find((m) => m.source === 'src/model/sequential.ts');
    expect(model?.dependencies.map((d) => d.resolved)).toContain('src/model/layout.ts');
    expect(violations(result)).toEqual([]);
  }, 60_000);

  it('the checker reports a planted cycle (through type-only imports), a model → io import and a Node built-in off the edges', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wasm-mlp-arch-'));
    try {
      mkdirSync(path.join(dir, 'src/model'), { recursive: true });
      mkdirSync(path.join(dir, 'src/io'), { recursive: true });
      writeFileSync(path.join(dir, 'src/model/a.ts'), "import type { B } from '../io/b.js';\nexport interface A { b?: B }\n");
      writeFileSync(path.join(dir, 'src/io/b.ts'), "import type { A } from '../model/a.js';\nexport interface B { a?: A }\n");
      writeFileSync(path.join(dir, 'src/model/c.ts'), "import { readFileSync } from 'node:fs';\nexport const c = readFileSync;\n");
      writeFileSync(path.join(dir, 'src/io/d-node.ts'), "import { readFileSync } from 'node:fs';\nexport const d = readFileSync;\n");
      const names = violations(await check('src', dir)).map((v) => v.split(':')[0]);
      expect(names).toContain('no-circular');
      expect(names).toContain('model-knows-no-file-format');
      const nodeImports = violations(await check('src', dir)).filter((v) => v.startsWith('node-only-at-the-edges'));
      expect(nodeImports).toEqual(['node-only-at-the-edges: src/model/c.ts → fs']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it(`no file in src/ is over ${MAX_LINES} lines`, () => {
    const files = sourceFiles(path.join(root, 'src'));
    expect(files.length).toBeGreaterThan(80);
    const long = files
      .map((f) => ({ file: path.relative(root, f), lines: readFileSync(f, 'utf8').split('\n').length - 1 }))
      .filter((f) => f.lines > MAX_LINES);
    expect(long).toEqual([]);
  });

  it('every contract kernel sits in the same family file in src/backend/js and assembly', () => {
    const contract = readFileSync(path.join(root, 'src/backend/contract.ts'), 'utf8');
    const section = contract.slice(contract.indexOf('// ---- kernels'), contract.indexOf('dispose(): void'));
    const kernels = [...section.matchAll(/^ {2}(\w+)\(/gm)].map((m) => m[1]!);
    expect(kernels.length).toBeGreaterThan(15);
    const index = readFileSync(path.join(root, 'assembly/index.ts'), 'utf8');
    const family = new Map<string, string>();
    for (const m of index.matchAll(/export \{([^}]+)\} from '\.\/(\w+)'/g)) for (const name of m[1]!.split(',')) family.set(name.trim(), m[2]!);
    const misplaced: string[] = [];
    for (const kernel of kernels) {
      const file = family.get(kernel);
      if (!file) { misplaced.push(`${kernel}: not exported by assembly/index.ts`); continue; }
      const asSource = readFileSync(path.join(root, `assembly/${file}.ts`), 'utf8');
      if (!new RegExp(`export function ${kernel}\\(`).test(asSource)) misplaced.push(`${kernel}: not defined in assembly/${file}.ts`);
      const js = path.join(root, `src/backend/js/${file}.ts`);
      const jsSource = readdirSync(path.dirname(js)).includes(`${file}.ts`) ? readFileSync(js, 'utf8') : '';
      if (!new RegExp(`export function ${kernel}\\(`).test(jsSource)) misplaced.push(`${kernel}: in assembly/${file}.ts but not in src/backend/js/${file}.ts`);
    }
    expect(misplaced).toEqual([]);
  });
});
