/**
 * model.json (topology + weights manifest) ↔ artifacts, shared by the file, http and downloads
 * handlers. Loading computes every weight file's expected size from the manifest before reading
 * any file, and reads each file through a `read` callback that must refuse more bytes than asked.
 */
import { checkSpecs, type LoadOptions } from './artifacts.js';
import { isObject, own, parseJson, show, type JsonObject } from './json.js';
import { formatBytes, mergeLimits } from './limits.js';
import { FORMAT, GENERATED_BY, type ArtifactsInput, type ModelArtifacts, type ModelJson } from './types.js';

/** model.json for artifacts whose weights are stored in one file at `weightsPath`. */
export function modelJsonFor(a: ModelArtifacts, weightsPath: string): ModelJson {
  const json: ModelJson = {
    modelTopology: a.modelTopology,
    format: a.format ?? FORMAT,
    generatedBy: a.generatedBy ?? GENERATED_BY,
    convertedBy: a.convertedBy ?? null,
    weightsManifest: [{ paths: [weightsPath], weights: a.weightSpecs }],
  };
  if (a.trainingConfig) json.trainingConfig = a.trainingConfig;
  if (a.userDefinedMetadata) json.userDefinedMetadata = a.userDefinedMetadata;
  return json;
}

/**
 * A manifest path must name a file next to model.json or below it: relative, no '..', no
 * scheme, no backslashes. This keeps an untrusted model.json from reading other files or hosts.
 */
export function checkWeightPath(path: unknown): string {
  if (typeof path !== 'string' || path.length === 0 || path.length > 512) throw new Error(`weightsManifest: path ${show(path)} must be a non-empty string`);
  const p = path.startsWith('./') ? path.slice(2) : path;
  if (p.startsWith('/') || p.includes('\\') || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(p) || p.includes('\0') || p.includes('?') || p.includes('#') ||
    p.split('/').some((seg) => seg === '..' || seg === '.' || seg === '')) {
    throw new Error(`weightsManifest: path ${show(path)} is not allowed; weight files must sit next to model.json (relative paths without '..')`);
  }
  return p;
}

/** Reads one weights file, refusing (with an Error) one that holds more than `maxBytes`. */
export type ReadWeights = (path: string, maxBytes: number) => Promise<Uint8Array>;

/** Parse model.json text and read its weight files into artifacts for `fromArtifacts`. */
export async function artifactsFromModelJson(text: string, read: ReadWeights, options: LoadOptions = {}): Promise<ArtifactsInput> {
  const limits = mergeLimits({ maxWeightBytes: options.maxWeightBytes, maxJsonBytes: options.maxJsonBytes, maxLayers: options.maxLayers }, 'loadModel options');
  const json = parseJson(text, limits.maxJsonBytes, 'model.json');
  if (!isObject(json)) throw new Error(`model.json: expected an object with modelTopology and weightsManifest, got ${show(json)}`);
  const topology = own(json, 'modelTopology');
  if (!isObject(topology)) throw new Error('model.json: modelTopology is missing (is this a layers-model model.json?)');
  const format = own(json, 'format');
  if (format !== undefined && format !== null && format !== FORMAT) throw new Error(`model.json: format ${show(format)} is not supported; wasm-mlp loads '${FORMAT}'`);
  const manifest = own(json, 'weightsManifest') ?? [];
  if (!Array.isArray(manifest)) throw new Error(`model.json: weightsManifest must be an array of { paths, weights }, got ${show(manifest)}`);

  const groups = manifest.map((g, i) => {
    if (!isObject(g)) throw new Error(`model.json: weightsManifest[${i}] must be { paths, weights }, got ${show(g)}`);
    const paths = own(g, 'paths');
    const weights = own(g, 'weights');
    if (!Array.isArray(paths) || paths.length > 10_000) throw new Error(`model.json: weightsManifest[${i}].paths must be an array of file names`);
    if (!Array.isArray(weights)) throw new Error(`model.json: weightsManifest[${i}].weights must be an array of weight specs`);
    return { paths: paths.map(checkWeightPath), weights: weights as unknown[] };
  });
  const allSpecs = groups.flatMap((g) => g.weights);
  // Validates names, shapes, dtypes and the size cap; gives each group's byte count.
  const checked = checkSpecs(allSpecs, limits);
  const total = checked.reduce((s, x) => s + x.size * 4, 0);
  const data = new Uint8Array(total);
  let at = 0;
  let specIndex = 0;
  for (const g of groups) {
    let groupBytes = 0;
    for (let k = 0; k < g.weights.length; k++) groupBytes += checked[specIndex++]!.size * 4;
    if (groupBytes > 0 && g.paths.length === 0) throw new Error('model.json: a weights-manifest group lists weights but no files');
    const end = at + groupBytes;
    for (const path of g.paths) {
      const chunk = await read(path, end - at);
      if (chunk.byteLength > end - at) throw new Error(`weights file '${path}' is larger than the manifest describes (more than ${formatBytes(end - at)} left to read)`);
      data.set(chunk, at);
      at += chunk.byteLength;
    }
    if (at < end) throw new Error(`weights file${g.paths.length > 1 ? 's' : ''} '${g.paths.join("', '")}' ${g.paths.length > 1 ? 'are' : 'is'} truncated: ${formatBytes(groupBytes - (end - at))} read, the manifest describes ${formatBytes(groupBytes)}`);
  }
  const out: ArtifactsInput = { modelTopology: topology, weightSpecs: allSpecs, weightData: data.buffer };
  for (const k of ['trainingConfig', 'userDefinedMetadata', 'format', 'generatedBy', 'convertedBy']) {
    const v = own(json as JsonObject, k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}
