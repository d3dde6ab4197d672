/**
 * downloads:// (browser): the browser downloads '<name>.json' and '<name>.weights.bin', the
 * names TensorFlow.js uses. Load them back with http(s):// from wherever they are served.
 * No Node imports here.
 */
import { modelJsonFor } from '../model-json.js';
import type { ModelArtifacts } from '../types.js';
import { artifactsInfo, type ArtifactsInfo } from './info.js';

export async function saveDownloads(prefix: string, a: ModelArtifacts): Promise<ArtifactsInfo> {
  const doc = (globalThis as { document?: Document }).document;
  if (!doc || typeof URL.createObjectURL !== 'function') throw new Error('downloads://: needs a browser page (document); use file:// in Node');
  const name = prefix.replace(/[\\/:*?"<>|]/g, '_') || 'model';
  const weightsName = `${name}.weights.bin`;
  const json = JSON.stringify(modelJsonFor(a, `./${weightsName}`));
  const files: [string, Blob][] = [
    [`${name}.json`, new Blob([json], { type: 'application/json' })],
    [weightsName, new Blob([a.weightData], { type: 'application/octet-stream' })],
  ];
  for (const [fileName, blob] of files) {
    const href = URL.createObjectURL(blob);
    const anchor = doc.createElement('a');
    anchor.download = fileName;
    anchor.href = href;
    // One download per task: some browsers keep only the last of several synchronous clicks.
    await new Promise<void>((resolve) => setTimeout(() => {
      anchor.dispatchEvent(new MouseEvent('click'));
      resolve();
    }, 0));
    setTimeout(() => URL.revokeObjectURL(href), 60_000);
  }
  return artifactsInfo(a);
}
