/**
 * Single-file formats chosen by extension: `.keras` (Keras 3 native, save and load) and `.onnx`
 * (ONNX inference graph, save only). src/io/index.ts routes here; this module and the format
 * code it imports load only when such a URL, File or Blob is used.
 *
 *   await model.save('file://./out/model.keras');   await model.save('downloads://model.onnx');
 *   await nn.loadModel('https://…/model.keras');    await nn.loadModel(fileInput.files[0]);
 */
import type { Sequential } from '../model/sequential.js';
import type { SavableModel } from '../model/persistence.js';
import { fromArtifacts, modelToArtifacts, type LoadOptions } from './artifacts.js';
import type { HttpOptions } from './handlers/http.js';
import { artifactsInfo, type ArtifactsInfo } from './handlers/info.js';
import { formatBytes, mergeLimits } from './limits.js';

export type SingleFormat = 'keras' | 'onnx';

/** The format a URL's extension selects, or undefined for the TensorFlow.js layers format. */
export function singleFormatOf(url: string): SingleFormat | undefined {
  const path = url.replace(/[?#].*$/, '').toLowerCase();
  if (path.endsWith('.keras')) return 'keras';
  if (path.endsWith('.onnx')) return 'onnx';
  return undefined;
}

export function isBlob(v: unknown): v is Blob {
  return typeof Blob !== 'undefined' && v instanceof Blob;
}

async function encode(model: SavableModel, format: SingleFormat): Promise<{ bytes: Uint8Array; info: ArtifactsInfo }> {
  const artifacts = modelToArtifacts(model);
  const bytes = format === 'keras'
    ? await (await import('./keras/index.js')).artifactsToKeras(artifacts)
    : await (await import('./onnx/index.js')).artifactsToOnnx(artifacts);
  return { bytes, info: artifactsInfo(artifacts) };
}

export async function saveSingle(model: SavableModel, url: string, scheme: string, rest: string): Promise<{ modelArtifactsInfo: ArtifactsInfo; files?: string[] }> {
  const format = singleFormatOf(url)!;
  if (scheme === 'file') {
    const { bytes, info } = await encode(model, format);
    const path = await (await import('./handlers/single-file-node.js')).writeFileAtomic(url, bytes);
    return { modelArtifactsInfo: info, files: [path] };
  }
  if (scheme === 'downloads') {
    const doc = (globalThis as { document?: Document }).document;
    if (!doc || typeof URL.createObjectURL !== 'function') throw new Error('downloads://: needs a browser page (document); use file:// in Node');
    const { bytes, info } = await encode(model, format);
    const name = rest.replace(/[\\/:*?"<>|]/g, '_');
    const href = URL.createObjectURL(new Blob([bytes as BlobPart], { type: format === 'keras' ? 'application/zip' : 'application/octet-stream' }));
    const anchor = doc.createElement('a');
    anchor.download = name;
    anchor.href = href;
    anchor.dispatchEvent(new MouseEvent('click'));
    setTimeout(() => URL.revokeObjectURL(href), 60_000);
    return { modelArtifactsInfo: info };
  }
  throw new Error(`save: .${format} files are saved with 'file://…' (Node) or 'downloads://…' (browser), not '${scheme}://'`);
}

/** Load a .keras file from file://, http(s):// or a File/Blob. */
export async function loadSingle(source: string | Blob, scheme: string | undefined, options: LoadOptions & HttpOptions): Promise<Sequential> {
  const { kerasToArtifacts, maxKerasBytes } = await import('./keras/index.js');
  const limits = mergeLimits({ maxWeightBytes: options.maxWeightBytes, maxJsonBytes: options.maxJsonBytes, maxLayers: options.maxLayers }, 'loadModel options');
  const maxBytes = maxKerasBytes(limits);
  let bytes: Uint8Array;
  let what: string;
  if (typeof source !== 'string' && !isBlob(source)) throw new Error(`loadModel: expected a URL string or a File/Blob, got ${Object.prototype.toString.call(source)}`);
  if (isBlob(source)) {
    const name = (source as Partial<File>).name;
    what = typeof name === 'string' && name ? `'${name}'` : 'the Blob';
    if (typeof name === 'string' && singleFormatOf(name) === 'onnx') throw new Error(`loadModel: ${what}: ONNX files are export-only; load the .keras or model.json saved with it`);
    if (source.size > maxBytes) throw new Error(`loadModel: ${what} is ${formatBytes(source.size)}, more than the ${formatBytes(maxBytes)} allowed for a .keras file (raise maxWeightBytes with setLoadLimits if you trust this model)`);
    bytes = new Uint8Array(await source.arrayBuffer());
    if (bytes[0] !== 0x50 || bytes[1] !== 0x4b) throw new Error(`loadModel: ${what} is not a .keras file (no zip header); pass model.json + weights by URL for the TensorFlow.js format`);
  } else {
    what = `'${source}'`;
    if (singleFormatOf(source) === 'onnx') throw new Error(`loadModel: ${what}: ONNX files are export-only; load the .keras or model.json saved with it`);
    if (scheme === 'file') bytes = await (await import('./handlers/single-file-node.js')).readFileLimited(source, maxBytes);
    else if (scheme === 'http' || scheme === 'https') {
      const f = options.fetch ?? (globalThis.fetch as typeof fetch | undefined);
      if (typeof f !== 'function') throw new Error('loadModel: fetch is not available here; pass { fetch } in the options');
      bytes = await (await import('./handlers/http.js')).fetchLimited(f, source, maxBytes, options.requestInit, '.keras file');
    } else throw new Error(`loadModel: .keras files load from 'file://', 'http(s)://' or a File/Blob, not '${String(scheme)}://'`);
  }
  const artifacts = await kerasToArtifacts(bytes, limits, options, what);
  return fromArtifacts(artifacts, options);
}
