/**
 * indexeddb:// (browser). Same database layout as TensorFlow.js ('tensorflowjs' v1, stores
 * 'models_store' and 'model_info_store', keyed by modelPath), so models saved by either library
 * load in the other. Unlike tfjs, both records are written in one transaction: a failed or
 * interrupted save leaves the previous model in place. No Node imports here.
 */
import type { ModelArtifacts } from '../types.js';
import { artifactsInfo, type ArtifactsInfo } from './info.js';

const DATABASE = 'tensorflowjs';
const VERSION = 1;
const MODELS = 'models_store';
const INFO = 'model_info_store';

function factory(): IDBFactory {
  const f = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!f) throw new Error('indexeddb://: IndexedDB is not available in this environment (use file:// in Node)');
  return f;
}

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = factory().open(DATABASE, VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(MODELS)) db.createObjectStore(MODELS, { keyPath: 'modelPath' });
      if (!db.objectStoreNames.contains(INFO)) db.createObjectStore(INFO, { keyPath: 'modelPath' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new Error(`indexeddb://: cannot open the database: ${req.error?.message ?? 'unknown error'}`));
  });
}

export async function saveIndexedDb(path: string, artifacts: ModelArtifacts): Promise<ArtifactsInfo> {
  const db = await openDb();
  const info = artifactsInfo(artifacts);
  try {
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction([MODELS, INFO], 'readwrite');
      tx.oncomplete = () => resolve();
      tx.onabort = tx.onerror = () => reject(new Error(`indexeddb://${path}: saving failed (${tx.error?.message ?? 'aborted'}); the previous model, if any, is unchanged`));
      tx.objectStore(INFO).put({ modelPath: path, modelArtifactsInfo: info });
      tx.objectStore(MODELS).put({ modelPath: path, modelArtifacts: artifacts, modelArtifactsInfo: info });
    });
  } finally {
    db.close();
  }
  return info;
}

export async function loadIndexedDb(path: string): Promise<unknown> {
  const db = await openDb();
  try {
    const record = await new Promise<unknown>((resolve, reject) => {
      const req = db.transaction(MODELS, 'readonly').objectStore(MODELS).get(path);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(new Error(`indexeddb://${path}: reading failed: ${req.error?.message ?? 'unknown error'}`));
    });
    const artifacts = record && typeof record === 'object' ? (record as { modelArtifacts?: unknown }).modelArtifacts : undefined;
    if (!artifacts) throw new Error(`indexeddb://${path}: there is no model with this name in IndexedDB`);
    return artifacts;
  } finally {
    db.close();
  }
}
