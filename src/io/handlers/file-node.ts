/**
 * file:// for Node, through the file system the Node entry registers (src/platform.ts); under
 * the browser entry every call says which schemes a browser has instead.
 *
 * Saving never leaves a half-written model behind: the weights go to a fresh file (alternating
 * between weights.bin and weights.1.bin, never the one the current model.json points to), each
 * file is written under a temporary name, flushed and renamed into place, and model.json is
 * replaced last. Until that final rename, model.json still describes the previous, intact pair.
 */
import type { LoadOptions } from '../artifacts.js';
import { isObject, own } from '../json.js';
import { formatBytes, mergeLimits } from '../limits.js';
import { artifactsFromModelJson, modelJsonFor } from '../model-json.js';
import type { ArtifactsInput, ModelArtifacts } from '../types.js';
import { nodePlatform, type NodePlatform } from '../../platform.js';

/** The Node platform, or the error a browser gives for a file:// URL. */
export function nodeFor(what: string, url: string, instead: string): NodePlatform {
  const node = nodePlatform();
  if (!node) throw new Error(`${what}: '${url}' is a file:// URL, which works only in Node (this is the browser build of wasm-mlp); in a browser ${instead}`);
  return node;
}
const BROWSER_SCHEMES = "use 'indexeddb://', 'localstorage://', 'downloads://' (save) or 'http(s)://' (load)";
/** The registered file system (callers have checked with nodeFor). */
const fs = (): NodePlatform['fs'] => nodePlatform()!.fs;

const WEIGHT_FILES = ['weights.bin', 'weights.1.bin'] as const;

/** The file operations used, as an object so tests can make one fail. */
export const fileIo = {
  /** Write, flush to disk, close. */
  async writeDurable(path: string, data: Uint8Array | string): Promise<void> {
    const handle = await fs().open(path, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename: (from: string, to: string) => fs().rename(from, to),
  rm: (path: string, options?: { force?: boolean; recursive?: boolean }) => fs().rm(path, options),
  readFile: (path: string, encoding: 'utf8') => fs().readFile(path, encoding),
  stat: (path: string) => fs().stat(path),
  mkdir: (path: string, options: { recursive: true }) => fs().mkdir(path, options),
};

/** 'file://dir' or 'file://dir/model.json' → [directory, json file name]. */
function locate(url: string, { path: { resolve, dirname, basename } }: NodePlatform): [string, string] {
  const p = resolve(url.slice('file://'.length) || '.');
  return p.endsWith('.json') ? [dirname(p), basename(p)] : [p, 'model.json'];
}

export async function saveFile(url: string, artifacts: ModelArtifacts): Promise<{ files: string[] }> {
  const node = nodeFor('save', url, BROWSER_SCHEMES);
  const { join } = node.path;
  const [dir, jsonName] = locate(url, node);
  await fileIo.mkdir(dir, { recursive: true });
  const jsonPath = join(dir, jsonName);
  const previous = await previousWeightFiles(jsonPath);
  const weightsName = previous.includes('weights.bin') ? 'weights.1.bin' : 'weights.bin';
  const tag = `${process.pid}-${node.randomBytes(4).toString('hex')}`;
  const tmpWeights = join(dir, `.${weightsName}.${tag}.tmp`);
  const tmpJson = join(dir, `.${jsonName}.${tag}.tmp`);
  try {
    await fileIo.writeDurable(tmpWeights, new Uint8Array(artifacts.weightData));
    await fileIo.rename(tmpWeights, join(dir, weightsName));
    await fileIo.writeDurable(tmpJson, JSON.stringify(modelJsonFor(artifacts, weightsName)));
    await fileIo.rename(tmpJson, jsonPath);
  } catch (e) {
    await fileIo.rm(tmpWeights, { force: true }).catch(() => {});
    await fileIo.rm(tmpJson, { force: true }).catch(() => {});
    throw new Error(`save: writing the model to ${dir} failed (${(e as Error).message}); the model previously saved there, if any, is unchanged`);
  }
  await syncDir(dir);
  // The old weights are unreferenced now. Only our own two names are ever deleted.
  for (const old of previous) if (old !== weightsName) await fileIo.rm(join(dir, old), { force: true }).catch(() => {});
  return { files: [jsonPath, join(dir, weightsName)] };
}

/** Which of our weight file names the current model.json (if any) points to. */
async function previousWeightFiles(jsonPath: string): Promise<string[]> {
  try {
    const json = JSON.parse(await fileIo.readFile(jsonPath, 'utf8')) as unknown;
    const manifest = isObject(json) ? own(json, 'weightsManifest') : undefined;
    const paths = Array.isArray(manifest) ? manifest.flatMap((g) => (isObject(g) && Array.isArray(own(g, 'paths')) ? (own(g, 'paths') as unknown[]) : [])) : [];
    return WEIGHT_FILES.filter((n) => paths.includes(n) || paths.includes(`./${n}`));
  } catch {
    return [];
  }
}

async function syncDir(dir: string): Promise<void> {
  try {
    const h = await fs().open(dir, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    // Not every platform can fsync a directory (Windows); the renames are still ordered.
  }
}

export async function loadFile(url: string, options: LoadOptions): Promise<ArtifactsInput> {
  const node = nodeFor('loadModel', url, BROWSER_SCHEMES);
  const { join } = node.path;
  const [dir, jsonName] = locate(url, node);
  const limits = mergeLimits({ maxWeightBytes: options.maxWeightBytes, maxJsonBytes: options.maxJsonBytes, maxLayers: options.maxLayers }, 'loadModel options');
  const jsonPath = join(dir, jsonName);
  const st = await fileIo.stat(jsonPath).catch((e: NodeJS.ErrnoException) => {
    throw new Error(`loadModel: cannot read ${jsonPath}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  });
  if (!st.isFile()) throw new Error(`loadModel: ${jsonPath} is not a file`);
  if (st.size > limits.maxJsonBytes) throw new Error(`loadModel: ${jsonPath} is ${formatBytes(st.size)}, more than the ${formatBytes(limits.maxJsonBytes)} allowed for model.json (maxJsonBytes)`);
  const text = await fileIo.readFile(jsonPath, 'utf8');
  return artifactsFromModelJson(text, async (path, maxBytes) => {
    const file = join(dir, path);
    const s = await fileIo.stat(file).catch((e: NodeJS.ErrnoException) => {
      throw new Error(`loadModel: weights file ${file} ${e.code === 'ENOENT' ? 'is missing' : `cannot be read: ${e.message}`}`);
    });
    // A FIFO or a device (e.g. a link to /dev/zero) would block or never end: regular files only.
    if (!s.isFile()) throw new Error(`loadModel: weights file ${file} is not a regular file`);
    if (s.size > maxBytes) throw new Error(`weights file '${path}' is ${formatBytes(s.size)}, larger than the ${formatBytes(maxBytes)} the manifest describes`);
    return readAtMost(file, maxBytes);
  }, options);
}

/** Read a file but never more than `maxBytes` + 1 bytes (enough to tell "too long"), whatever stat said. */
export async function readAtMost(file: string, maxBytes: number): Promise<Uint8Array> {
  const handle = await fs().open(file, 'r');
  try {
    const buf = new Uint8Array(maxBytes + 1);
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await handle.read(buf, got, buf.length - got, null);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got);
  } finally {
    await handle.close();
  }
}
