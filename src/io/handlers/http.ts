/**
 * http(s):// loading: fetch model.json, then each weights file relative to it. Every response is
 * read with a byte limit (Content-Length first, then while streaming), so a hostile server cannot
 * make the loader buffer more than the caps allow. Saving over HTTP is not offered: post
 * `model.toArtifacts()` yourself.
 */
import type { LoadOptions } from '../artifacts.js';
import { formatBytes, mergeLimits } from '../limits.js';
import { artifactsFromModelJson } from '../model-json.js';
import type { ArtifactsInput } from '../types.js';

export interface HttpOptions {
  /** A fetch implementation (default: globalThis.fetch). */
  fetch?: typeof fetch;
  /** Passed to every fetch (headers, credentials, …). */
  requestInit?: RequestInit;
}

export async function loadHttp(url: string, options: LoadOptions & HttpOptions): Promise<ArtifactsInput> {
  const f = options.fetch ?? (globalThis.fetch as typeof fetch | undefined);
  if (typeof f !== 'function') throw new Error('loadModel: fetch is not available here; pass { fetch } in the options');
  const limits = mergeLimits({ maxWeightBytes: options.maxWeightBytes, maxJsonBytes: options.maxJsonBytes, maxLayers: options.maxLayers }, 'loadModel options');
  const base = new URL(url);
  const text = new TextDecoder().decode(await fetchLimited(f, base.href, limits.maxJsonBytes, options.requestInit, 'model.json'));
  return artifactsFromModelJson(text, (path, maxBytes) => fetchLimited(f, new URL(path, base).href, maxBytes, options.requestInit, `weights file '${path}'`), options);
}

export async function fetchLimited(f: typeof fetch, url: string, maxBytes: number, init: RequestInit | undefined, what: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await f(url, init);
  } catch (e) {
    throw new Error(`loadModel: fetching ${what} from ${url} failed: ${(e as Error).message}`);
  }
  if (!res.ok) throw new Error(`loadModel: fetching ${what} from ${url} gave HTTP ${res.status} ${res.statusText}`);
  const tooBig = (n: number) => new Error(`loadModel: ${what} at ${url} is ${n > maxBytes ? `more than ${formatBytes(maxBytes)}` : formatBytes(n)}, larger than allowed (${formatBytes(maxBytes)})`);
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooBig(declared);
  if (!res.body) {
    const buf = new Uint8Array(await res.arrayBuffer());
    if (buf.byteLength > maxBytes) throw tooBig(buf.byteLength);
    return buf;
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooBig(total);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
