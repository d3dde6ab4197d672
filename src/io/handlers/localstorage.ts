/**
 * localstorage:// (browser). Same keys as TensorFlow.js (tensorflowjs_models/<path>/info,
 * model_topology, weight_specs, weight_data as base64, model_metadata), so either library loads
 * the other's models. If a write fails (usually the ~5 MB quota), the previous values are put
 * back, so the model saved before stays loadable. No Node imports here.
 */
import { parseJson } from '../json.js';
import { formatBytes, mergeLimits, type LoadLimits } from '../limits.js';
import type { ArtifactsInput, ModelArtifacts } from '../types.js';
import { artifactsInfo, type ArtifactsInfo } from './info.js';

function storage(): Storage {
  const ls = (globalThis as { localStorage?: Storage }).localStorage;
  if (!ls) throw new Error('localstorage://: localStorage is not available in this environment (use file:// in Node)');
  return ls;
}

function keys(path: string) {
  const k = (suffix: string) => `tensorflowjs_models/${path}/${suffix}`;
  return { info: k('info'), topology: k('model_topology'), weightSpecs: k('weight_specs'), weightData: k('weight_data'), metadata: k('model_metadata') };
}

export async function saveLocalStorage(path: string, a: ModelArtifacts): Promise<ArtifactsInfo> {
  const ls = storage();
  const k = keys(path);
  const info = artifactsInfo(a);
  const values: [string, string][] = [
    [k.info, JSON.stringify(info)],
    [k.topology, JSON.stringify(a.modelTopology)],
    [k.weightSpecs, JSON.stringify(a.weightSpecs)],
    [k.weightData, toBase64(new Uint8Array(a.weightData))],
    [k.metadata, JSON.stringify({ format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy, trainingConfig: a.trainingConfig, userDefinedMetadata: a.userDefinedMetadata })],
  ];
  const previous = values.map(([key]) => [key, ls.getItem(key)] as const);
  try {
    for (const [key, v] of values) ls.setItem(key, v);
  } catch (e) {
    for (const [key, old] of previous) {
      try {
        if (old === null) ls.removeItem(key);
        else ls.setItem(key, old);
      } catch {
        // Restoring a value that fitted before should fit again; nothing more to do if not.
      }
    }
    throw new Error(`localstorage://${path}: saving failed (${(e as Error).message}; the storage quota is the usual cause: ${formatBytes(info.weightDataBytes)} of weights, stored as base64); the previous model, if any, is unchanged`);
  }
  return info;
}

export async function loadLocalStorage(path: string, limits: Partial<LoadLimits>): Promise<ArtifactsInput> {
  const ls = storage();
  const k = keys(path);
  const lim = mergeLimits(limits, 'loadModel options');
  const where = `localstorage://${path}`;
  if (ls.getItem(k.info) === null) throw new Error(`${where}: there is no model with this name in localStorage`);
  const get = (key: string, what: string): string => {
    const v = ls.getItem(key);
    if (v === null) throw new Error(`${where}: the ${what} is missing`);
    return v;
  };
  const b64 = get(k.weightData, 'weight data');
  // Four base64 characters hold three bytes: refuse before decoding anything too large.
  if (Math.floor(b64.length / 4) * 3 > lim.maxWeightBytes + 3) throw new Error(`${where}: the weight data is more than the ${formatBytes(lim.maxWeightBytes)} allowed (maxWeightBytes)`);
  const out: ArtifactsInput = {
    modelTopology: parseJson(get(k.topology, 'topology'), lim.maxJsonBytes, `${where} topology`),
    weightSpecs: parseJson(get(k.weightSpecs, 'weight specs'), lim.maxJsonBytes, `${where} weight specs`),
    weightData: fromBase64(b64, where),
  };
  const meta = ls.getItem(k.metadata);
  if (meta !== null) {
    const m = parseJson(meta, lim.maxJsonBytes, `${where} metadata`);
    if (m && typeof m === 'object' && !Array.isArray(m)) {
      for (const key of ['trainingConfig', 'userDefinedMetadata', 'format', 'generatedBy', 'convertedBy']) {
        if (Object.hasOwn(m, key)) out[key] = (m as Record<string, unknown>)[key];
      }
    }
  }
  return out;
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(b64: string, where: string): ArrayBuffer {
  let s: string;
  try {
    s = atob(b64);
  } catch {
    throw new Error(`${where}: the weight data is not valid base64`);
  }
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out.buffer;
}
