/**
 * A protobuf writer for the ONNX messages in ./schema.ts: the few wire types ONNX export needs
 * (varint, 32-bit float, length-delimited strings, bytes and messages), fields in number order,
 * repeated numbers packed, unset (undefined) fields and, outside a oneof, scalars at their default
 * ('', 0) left out, as proto3 encodes them: byte for byte what protobufjs wrote
 * before this replaced it (test/io-onnx.test.ts decodes the files with protobufjs and checks them
 * with ONNX Runtime and onnx in Python).
 * About 80 lines instead of a 100 kB library in the package.
 */
import { ONNX_MESSAGES, type FieldSpec, type MessageName } from './schema.js';

const VARINT = 0;
const FIXED32 = 5;
const LENGTH_DELIMITED = 2;
const NUMERIC = new Set(['int64', 'int32', 'enum', 'float']);

/** Bytes in order, kept as chunks so large weights are copied once, into the final buffer. */
class Chunks {
  parts: Uint8Array[] = [];
  length = 0;
  push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.length += bytes.length;
  }
  append(other: Chunks): void {
    for (const p of other.parts) this.push(p);
  }
}

/** A varint of a 64-bit integer (negative numbers as two's complement, ten bytes, as protobuf encodes int64). */
function varint(value: number | bigint): Uint8Array {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Uint8Array.from(out);
}

const utf8 = new TextEncoder();

/** Writes one value of a field, with its tag (`tagged`) or without (an element of a packed field). */
function writeField(out: Chunks, spec: FieldSpec, value: unknown, where: string, tagged = true): void {
  const tag = (wire: number) => {
    if (tagged) out.push(varint(spec.id * 8 + wire));
  };
  const delimited = (bytes: Uint8Array | Chunks) => {
    tag(LENGTH_DELIMITED);
    out.push(varint(bytes.length));
    if (bytes instanceof Chunks) out.append(bytes);
    else out.push(bytes);
  };
  switch (spec.type) {
    case 'int64':
    case 'int32':
    case 'enum':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new Error(`${where}: expected an integer, got ${String(value)}`);
      tag(VARINT);
      out.push(varint(value));
      return;
    case 'float': {
      if (typeof value !== 'number') throw new Error(`${where}: expected a number, got ${String(value)}`);
      const bytes = new Uint8Array(4);
      new DataView(bytes.buffer).setFloat32(0, value, true);
      tag(FIXED32);
      out.push(bytes);
      return;
    }
    case 'string':
      if (typeof value !== 'string') throw new Error(`${where}: expected a string, got ${typeof value}`);
      delimited(utf8.encode(value));
      return;
    case 'bytes':
      if (!(value instanceof Uint8Array)) throw new Error(`${where}: expected a Uint8Array, got ${typeof value}`);
      delimited(value);
      return;
    default:
      delimited(encodeChunks(spec.type as MessageName, value, where));
  }
}

/** A scalar's default ('', 0, empty bytes; not -0), which a field without presence leaves out, as proto3 does. */
function isDefault(type: string, value: unknown): boolean {
  if (type === 'string') return value === '';
  if (type === 'bytes') return value instanceof Uint8Array && value.length === 0;
  return NUMERIC.has(type) && Object.is(value, 0);
}

function encodeChunks(type: MessageName, message: unknown, where: string): Chunks {
  const fields = ONNX_MESSAGES[type] as Record<string, FieldSpec> | undefined;
  if (!fields) throw new Error(`${where}: no message type ${type} in the ONNX schema`);
  if (typeof message !== 'object' || message === null) throw new Error(`${where}: expected a ${type} object`);
  const values = message as Record<string, unknown>;
  for (const key of Object.keys(values)) if (!(key in fields)) throw new Error(`${where}: ${type} has no field '${key}'`);
  const out = new Chunks();
  for (const [name, spec] of Object.entries(fields).sort((a, b) => a[1].id - b[1].id)) {
    const value = values[name];
    if (value === undefined) continue;
    const at = `${where}.${name}`;
    if (!spec.repeated) {
      if (!spec.oneof && isDefault(spec.type, value)) continue;
      writeField(out, spec, value, at);
    }
    else if (!Array.isArray(value)) throw new Error(`${at}: expected an array`);
    else if (value.length && NUMERIC.has(spec.type)) {
      // Repeated numbers are packed: one length-delimited field holding the values.
      const packed = new Chunks();
      value.forEach((v, i) => writeField(packed, spec, v, `${at}[${i}]`, false));
      out.push(varint(spec.id * 8 + LENGTH_DELIMITED));
      out.push(varint(packed.length));
      out.append(packed);
    } else value.forEach((v, i) => writeField(out, spec, v, `${at}[${i}]`));
  }
  return out;
}

/** The protobuf encoding of `message` as the ONNX message `type` (a plain object whose keys are ./schema.ts's field names). */
export function encodeOnnx(type: MessageName, message: object): Uint8Array {
  const chunks = encodeChunks(type, message, type);
  const bytes = new Uint8Array(chunks.length);
  let at = 0;
  for (const p of chunks.parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return bytes;
}
