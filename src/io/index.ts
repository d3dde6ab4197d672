/**
 * Saving and loading in the TensorFlow.js layers format (model.json + little-endian float32
 * weights). Storage handlers are imported on first use, so a browser bundle never includes
 * the Node file handler and Node never evaluates browser code.
 *
 *   await model.save('file://./my-model');          // Node
 *   await model.save('indexeddb://my-model');       // browser; also localstorage://, downloads://
 *   const m = await nn.loadModel('file://./my-model/model.json');   // also https://…/model.json
 *   const m2 = await nn.fromArtifacts(model.toArtifacts());         // in memory
 */
import { checkOptionKeys } from '../util/options.js';
import type { SaveResult } from '../artifacts.js';
import { installSerializer, type SavableModel, type SaveOptions } from '../model/persistence.js';
import type { Sequential } from '../model/sequential.js';
import { checkSaveOptions, fromArtifacts, loadOptionKeys, modelToArtifacts, type LoadOptions } from './artifacts.js';
import type { HttpOptions } from './handlers/http.js';
import { show } from './json.js';

export { fromArtifacts, modelToArtifacts, type LoadOptions } from './artifacts.js';
export { setLoadLimits, getLoadLimits, type LoadLimits } from './limits.js';
export type { ModelArtifacts, WeightSpec, TrainingConfig, ModelJson } from './types.js';
export type { SaveResult } from '../artifacts.js';
export type { HttpOptions } from './handlers/http.js';

export type LoadModelOptions = LoadOptions & HttpOptions;

/** '.keras' / '.onnx' at the end of a file://, downloads:// or http(s):// URL: single-file formats (src/io/single-file.ts). */
const SINGLE_FILE = /^(file|downloads|https?):\/\/.*\.(keras|onnx)([?#].*)?$/i;

const SCHEMES = "'file://', 'indexeddb://', 'localstorage://', 'downloads://' (save) or 'http(s)://' (load)";

function split(url: unknown, what: string): [string, string] {
  if (typeof url !== 'string') throw new Error(`${what}: expected a URL string like 'file://./my-model', got ${show(url)}`);
  const m = /^([a-z]+):\/\/(.*)$/i.exec(url);
  if (!m) throw new Error(`${what}: '${url}' has no scheme; use ${SCHEMES}`);
  const scheme = m[1]!.toLowerCase();
  if ((scheme === 'indexeddb' || scheme === 'localstorage') && !m[2]) throw new Error(`${what}: '${url}' needs a model name, e.g. '${scheme}://my-model'`);
  return [scheme, m[2]!];
}

/** Save `model` to a URL; see the schemes above. Resolves when the model is stored. */
export async function saveModel(model: SavableModel, url: string, options: SaveOptions = {}): Promise<SaveResult> {
  const [scheme, rest] = split(url, 'save');
  checkSaveOptions(options);
  if (SINGLE_FILE.test(url)) {
    if (options.includeOptimizer) throw new Error(`save: includeOptimizer is supported for the TensorFlow.js format (a directory: model.json + weights.bin), not for ${url}`);
    return (await import('./single-file.js')).saveSingle(model, url, scheme, rest);
  }
  const artifacts = modelToArtifacts(model, options);
  switch (scheme) {
    case 'file': {
      const { saveFile } = await import('./handlers/file-node.js');
      const { artifactsInfo } = await import('./handlers/info.js');
      const { files } = await saveFile(url, artifacts);
      return { modelArtifactsInfo: artifactsInfo(artifacts), files };
    }
    case 'indexeddb':
      return { modelArtifactsInfo: await (await import('./handlers/indexeddb.js')).saveIndexedDb(rest, artifacts) };
    case 'localstorage':
      return { modelArtifactsInfo: await (await import('./handlers/localstorage.js')).saveLocalStorage(rest, artifacts) };
    case 'downloads':
      return { modelArtifactsInfo: await (await import('./handlers/downloads.js')).saveDownloads(rest, artifacts) };
    case 'http':
    case 'https':
      throw new Error(`save: saving over HTTP is not supported; send model.toArtifacts() to your server yourself`);
  }
  throw new Error(`save: unknown scheme '${scheme}://'; use ${SCHEMES}`);
}

/**
 * Load a model saved by wasm-mlp, `tf.LayersModel.save`, or the tfjs converter from Keras; or a
 * Keras 3 `.keras` file (by URL, or a File/Blob such as a file input's).
 * The model is built on the current backend (waiting for `nn.ready()`), compiled with its saved
 * training config unless `{ compile: false }`. Size caps: see `setLoadLimits`.
 */
export async function loadModel(url: string | Blob, options: LoadModelOptions = {}): Promise<Sequential> {
  checkOptionKeys(options, [...loadOptionKeys, 'fetch', 'requestInit'] satisfies (keyof LoadModelOptions)[], 'loadModel');
  if (typeof url === 'object' && url !== null) return (await import('./single-file.js')).loadSingle(url, undefined, options);
  const [scheme, rest] = split(url, 'loadModel');
  if (SINGLE_FILE.test(url)) return (await import('./single-file.js')).loadSingle(url, scheme, options);
  let artifacts: unknown;
  switch (scheme) {
    case 'file':
      artifacts = await (await import('./handlers/file-node.js')).loadFile(url, options);
      break;
    case 'http':
    case 'https':
      artifacts = await (await import('./handlers/http.js')).loadHttp(url, options);
      break;
    case 'indexeddb':
      artifacts = await (await import('./handlers/indexeddb.js')).loadIndexedDb(rest);
      break;
    case 'localstorage':
      artifacts = await (await import('./handlers/localstorage.js')).loadLocalStorage(rest, options);
      break;
    case 'downloads':
      throw new Error("loadModel: 'downloads://' only saves; serve the downloaded files and load them with http(s)://");
    default:
      throw new Error(`loadModel: unknown scheme '${scheme}://'; use ${SCHEMES}`);
  }
  return fromArtifacts(artifacts as Parameters<typeof fromArtifacts>[0], options);
}

// model.save() and model.toArtifacts() reach this module through the model's serializer hook.
installSerializer({ toArtifacts: modelToArtifacts, save: saveModel });
