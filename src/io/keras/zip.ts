/**
 * The zip container of a .keras file, through fflate, with the checks a hostile file needs:
 * entry count and every declared size are checked against the caps before anything is inflated,
 * inflated sizes must match what the directory declares, and every entry's CRC-32 must match
 * (Python's zipfile, which Keras uses, checks CRCs too).
 */
import { formatBytes } from '../limits.js';

type Fflate = typeof import('fflate');

const MAX_ENTRIES = 10_000;

export interface ZipEntryLimit {
  name: string;
  maxBytes: number;
  what: string;
}

let crcTable: Uint32Array | undefined;
export function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Names and CRC-32s from the central directory (bounds-checked; fflate does the rest). */
function centralCrcs(data: Uint8Array, what: string): Map<string, number> {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const bad = (why: string) => new Error(`${what} is not a valid zip file (${why})`);
  if (data.length < 22) throw bad('too short');
  let e = data.length - 22;
  const stop = Math.max(0, data.length - 22 - 65535);
  while (e >= stop && view.getUint32(e, true) !== 0x06054b50) e--;
  if (e < stop) throw bad('no end-of-central-directory record');
  let count = view.getUint16(e + 10, true);
  let offset = view.getUint32(e + 16, true);
  if (e >= 20 && view.getUint32(e - 20, true) === 0x07064b50) {
    const z = Number(view.getBigUint64(e - 12, true));
    if (z + 56 > data.length || view.getUint32(z, true) !== 0x06064b50) throw bad('broken zip64 record');
    count = Number(view.getBigUint64(z + 32, true));
    offset = Number(view.getBigUint64(z + 48, true));
  }
  if (count > MAX_ENTRIES) throw bad(`${count} entries`);
  const out = new Map<string, number>();
  const dec = new TextDecoder('utf-8', { fatal: false });
  for (let i = 0; i < count; i++) {
    if (offset + 46 > data.length || view.getUint32(offset, true) !== 0x02014b50) throw bad(`central directory entry ${i} is damaged`);
    const crc = view.getUint32(offset + 16, true);
    const nameLen = view.getUint16(offset + 28, true);
    const extra = view.getUint16(offset + 30, true);
    const comment = view.getUint16(offset + 32, true);
    if (offset + 46 + nameLen > data.length) throw bad(`central directory entry ${i} is cut off`);
    out.set(dec.decode(data.subarray(offset + 46, offset + 46 + nameLen)), crc);
    offset += 46 + nameLen + extra + comment;
  }
  return out;
}

/**
 * Extract the named entries (each at most its maxBytes once inflated). Entries not asked for are
 * never inflated. A missing entry is an error naming it.
 */
export function unzipEntries(fflate: Fflate, data: Uint8Array, wanted: ZipEntryLimit[], what: string): Map<string, Uint8Array> {
  const crcs = centralCrcs(data, what);
  const byName = new Map(wanted.map((w) => [w.name, w]));
  const declared = new Map<string, number>();
  let files: Record<string, Uint8Array>;
  try {
    files = fflate.unzipSync(data, {
      filter: (f) => {
        const w = byName.get(f.name);
        if (!w) return false;
        if (f.compression !== 0 && f.compression !== 8) throw new Error(`${what}: ${f.name} uses zip compression method ${f.compression}; only stored and deflate are read`);
        if (f.originalSize > w.maxBytes) throw new Error(`${what}: ${f.name} is ${formatBytes(f.originalSize)} uncompressed, more than the ${formatBytes(w.maxBytes)} allowed for ${w.what}`);
        if (f.compression === 0 && f.size !== f.originalSize) throw new Error(`${what}: ${f.name} is damaged (stored entry with two sizes)`);
        declared.set(f.name, f.originalSize);
        return true;
      },
    });
  } catch (e) {
    const msg = (e as Error).message;
    throw new Error(msg.startsWith(what) ? msg : `${what} is not a valid zip file (${msg})`);
  }
  const out = new Map<string, Uint8Array>();
  for (const w of wanted) {
    const got = files[w.name];
    if (!got) throw new Error(`${what} has no ${w.name}; a Keras 3 .keras file holds config.json, metadata.json and model.weights.h5`);
    if (got.length !== declared.get(w.name)) throw new Error(`${what}: ${w.name} is truncated (${got.length} of ${declared.get(w.name)} bytes)`);
    if (crc32(got) !== crcs.get(w.name)) throw new Error(`${what}: ${w.name} is damaged (CRC-32 mismatch)`);
    out.set(w.name, got);
  }
  return out;
}

/** A zip of stored (uncompressed) entries, as Keras writes .keras files, with a fixed date. */
export function zipStored(fflate: Fflate, entries: [string, Uint8Array][]): Uint8Array {
  const zippable: Record<string, [Uint8Array, { level: 0; mtime: Date }]> = {};
  const mtime = new Date(1980, 0, 1, 0, 0, 0);
  for (const [name, data] of entries) zippable[name] = [data, { level: 0, mtime }];
  return fflate.zipSync(zippable);
}
