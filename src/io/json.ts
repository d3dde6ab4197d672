/**
 * Reading untrusted JSON. Nothing here ever copies keys from the input into an object of ours,
 * so a key like "__proto__" cannot reach a prototype; it is refused anyway, so that a hostile
 * file fails loudly. Every read goes through `Object.hasOwn`, never through inherited properties.
 */
import { formatBytes } from './limits.js';

export type JsonObject = Record<string, unknown>;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_DEPTH = 64;
/** Ample for 1000 layers of Keras config (~40 values each). */
const MAX_NODES = 1_000_000;

/** JSON.parse with a size cap and forbidden keys refused. */
export function parseJson(text: unknown, maxBytes: number, what: string): unknown {
  if (typeof text !== 'string') throw new Error(`${what}: expected JSON text, got ${typeof text}`);
  // A UTF-16 length is at most the UTF-8 byte length, so this never rejects a file under the cap.
  if (text.length > maxBytes) throw new Error(`${what}: ${formatBytes(text.length)} is more than the ${formatBytes(maxBytes)} allowed (raise maxJsonBytes with setLoadLimits if you trust it)`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`${what}: malformed JSON: ${(e as Error).message}`);
  }
  checkJsonTree(value, what);
  return value;
}

/**
 * Walk a value iteratively (no recursion, so a deeply nested input cannot overflow the stack):
 * only plain JSON types, bounded depth and size, no forbidden keys.
 */
export function checkJsonTree(root: unknown, what: string): void {
  const stack: [unknown, number, string][] = [[root, 0, '']];
  let nodes = 0;
  while (stack.length) {
    const [v, depth, path] = stack.pop()!;
    if (++nodes > MAX_NODES) throw new Error(`${what}: more than ${MAX_NODES} JSON values; this is not a model topology`);
    if (v === null || v === undefined || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new Error(`${what}: ${path || 'value'} is ${v}; only finite numbers are allowed`);
      continue;
    }
    if (typeof v !== 'object') throw new Error(`${what}: ${path || 'value'} is a ${typeof v}, which JSON cannot hold`);
    if (depth >= MAX_DEPTH) throw new Error(`${what}: nested more than ${MAX_DEPTH} levels deep at ${path}`);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push([v[i], depth + 1, `${path}[${i}]`]);
      continue;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) throw new Error(`${what}: ${path || 'value'} is a ${(v as object).constructor?.name ?? 'non-plain object'}, expected plain JSON`);
    for (const key of Object.keys(v)) {
      if (FORBIDDEN_KEYS.has(key)) throw new Error(`${what}: the key "${key}" at ${path || 'top level'} is not allowed`);
      stack.push([(v as JsonObject)[key], depth + 1, path ? `${path}.${key}` : key]);
    }
    // JSON.parse makes "__proto__" an own key, which Object.keys lists; an own key set with
    // defineProperty could hide as non-enumerable, so check that too.
    if (Object.hasOwn(v, '__proto__')) throw new Error(`${what}: the key "__proto__" at ${path || 'top level'} is not allowed`);
  }
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An own property, or undefined. */
export function own(obj: JsonObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** The first own property present among `keys` (Keras and tfjs spell some keys differently). */
export function ownAny(obj: JsonObject, ...keys: string[]): unknown {
  for (const k of keys) if (Object.hasOwn(obj, k) && obj[k] !== undefined) return obj[k];
  return undefined;
}

/** A short, safe rendering of an untrusted value for error messages. */
export function show(v: unknown): string {
  if (v === undefined) return 'undefined';
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
