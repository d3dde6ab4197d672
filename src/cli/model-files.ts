/** Finding and loading a saved model directory: model.json, weights.bin and preprocessing.json. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import * as nn from '../index.js';
import { UserError } from './errors.js';
import { checkPreprocessing, type Preprocessing } from './preprocess.js';

export const PREPROCESSING_FILE = 'preprocessing.json';

/** `dir` or `dir/model.json` → absolute paths of model.json and its directory. */
export function locateModel(arg: string): { dir: string; modelJson: string } {
  const abs = resolve(arg);
  if (!existsSync(abs)) throw new UserError(`model not found: ${arg} (pass the directory given to 'train --out', or its model.json)`);
  if (statSync(abs).isDirectory()) {
    const modelJson = join(abs, 'model.json');
    if (!existsSync(modelJson)) throw new UserError(`${arg} has no model.json; pass the directory given to 'train --out'`);
    return { dir: abs, modelJson };
  }
  if (!abs.endsWith('.json')) throw new UserError(`${arg} is not a model directory or a model.json file`);
  return { dir: dirname(abs), modelJson: abs };
}

export function readPreprocessing(dir: string, required: boolean): Preprocessing | undefined {
  const file = join(dir, PREPROCESSING_FILE);
  if (!existsSync(file)) {
    if (!required) return undefined;
    throw new UserError(`${file} not found: this model was not trained by 'wasm-mlp train', so the CLI does not know how to encode CSV columns for it`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  return checkPreprocessing(raw, file);
}

export async function loadSaved(arg: string, needPreprocessing: true): Promise<{ model: nn.Sequential; pre: Preprocessing; dir: string }>;
export async function loadSaved(arg: string, needPreprocessing: false): Promise<{ model: nn.Sequential; pre?: Preprocessing; dir: string }>;
export async function loadSaved(arg: string, needPreprocessing: boolean) {
  const { dir, modelJson } = locateModel(arg);
  const pre = readPreprocessing(dir, needPreprocessing);
  let model: nn.Sequential;
  try {
    model = await nn.loadModel(`file://${modelJson}`);
  } catch (e) {
    throw new UserError(`could not load ${basename(dir)}/${basename(modelJson)}: ${(e as Error).message}`);
  }
  if (pre && model.inputUnits !== pre.inputUnits) {
    throw new UserError(`${modelJson} takes ${model.inputUnits} inputs but ${PREPROCESSING_FILE} encodes ${pre.inputUnits}; the two files do not belong together`);
  }
  return { model, pre, dir };
}
