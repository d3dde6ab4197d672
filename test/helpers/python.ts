/**
 * The Python oracles (Keras 3 on JAX, onnx): the venv scripts/python-venv.sh builds from
 * test/python/requirements.txt (cached under ~/.cache/wasm-mlp/, reused while that file is
 * unchanged). `.ci/run` builds it before `npm test`; locally the first run builds it (~1–2 min).
 * Only where it cannot be built at all (no python3/pip/wheels) are the Python tests skipped, with
 * the reason printed; under CI=true that is a failure instead.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function findPython(): { python?: string; why?: string } {
  const fromEnv = process.env.WASM_MLP_PYTHON;
  if (fromEnv) return { python: fromEnv };
  const r = spawnSync('bash', [join(root, 'scripts/python-venv.sh')], { encoding: 'utf8', timeout: 600_000 });
  const last = r.stdout?.trim().split('\n').pop();
  if (r.status === 0 && last) return { python: last };
  return { why: `scripts/python-venv.sh failed (${r.error?.message ?? `exit ${r.status}`}): ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}` };
}

const found = findPython();
export const python = found.python;
if (!python) {
  const msg = `Python oracle tests (Keras 3, onnx) skipped: ${found.why}`;
  if (process.env.CI) throw new Error(`${msg} — CI must run them`);
  console.warn(msg);
}

/** Environment for the oracle scripts: JAX on CPU, quiet. */
export function pythonEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, KERAS_BACKEND: 'jax', JAX_PLATFORMS: 'cpu', TF_CPP_MIN_LOG_LEVEL: '3', PYTHONWARNINGS: 'ignore', ...extra };
}

/** Run a Python script with a JSON job; returns its JSON stdout. */
export function runPython<T = any>(script: string, job: unknown, timeoutMs = 240_000): T {
  if (!python) throw new Error('no Python venv');
  const dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-py-'));
  const jobFile = join(dir, 'job.json');
  writeFileSync(jobFile, JSON.stringify(job));
  const r = spawnSync(python, [join(root, script), jobFile], { encoding: 'utf8', timeout: timeoutMs, env: pythonEnv(), maxBuffer: 64 * 2 ** 20 });
  if (r.status !== 0) throw new Error(`${script} failed (${r.error?.message ?? `exit ${r.status}`}):\n${(r.stderr ?? '').slice(-3000)}`);
  return JSON.parse(r.stdout) as T;
}

export const repoRoot = root;
export const readJson = (p: string): unknown => JSON.parse(readFileSync(p, 'utf8'));
