/**
 * The ONNX protobuf writer (src/io/onnx/protobuf.ts) against protobufjs as the oracle: the same
 * messages from the same schema encode to the same bytes, and protobufjs decodes ours back to the
 * values written (negative int64s, -0, packed dims, empty and UTF-8 strings, large raw data, every
 * message type of a real export). ONNX Runtime and onnx in Python check the exported files in
 * test/io-onnx.test.ts.
 */
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { artifactsToOnnx } from '../src/io/onnx/index.js';
import { encodeOnnx } from '../src/io/onnx/protobuf.js';
import { ONNX_MESSAGES, type FieldSpec, type MessageName } from '../src/io/onnx/schema.js';

/** protobufjs's descriptor of the same schema (its default: proto3 presence, packed repeated numbers). */
function protobufjsRoot(): protobuf.Root {
  const nested: Record<string, { fields: Record<string, object>; oneofs?: Record<string, { oneof: string[] }> }> = {};
  for (const [message, fields] of Object.entries(ONNX_MESSAGES) as [string, Record<string, FieldSpec>][]) {
    const oneof = Object.keys(fields).filter((k) => fields[k]!.oneof);
    nested[message] = {
      fields: Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, { id: f.id, type: f.type === 'enum' ? 'int32' : f.type, ...(f.repeated ? { rule: 'repeated' } : {}) }])),
      ...(oneof.length ? { oneofs: { value: { oneof } } } : {}),
    };
  }
  return protobuf.Root.fromJSON({ nested: { onnx: { nested } } });
}
const root = protobufjsRoot();
const oracle = (type: MessageName, message: object) => {
  const t = root.lookupType(`onnx.${type}`);
  const err = t.verify(message);
  if (err) throw new Error(err);
  return t.encode(t.fromObject(message)).finish();
};
const decode = (type: MessageName, bytes: Uint8Array) =>
  root.lookupType(`onnx.${type}`).toObject(root.lookupType(`onnx.${type}`).decode(bytes), { longs: Number, bytes: Array, defaults: false });

describe('ONNX protobuf writer', () => {
  it('writes scalars as protobufjs does: defaults left out outside a oneof, negative int64 in ten bytes, -0 kept', () => {
    const cases: [MessageName, object][] = [
      ['AttributeProto', { name: 'axis', type: 2, i: -1 }],
      ['AttributeProto', { name: 'alpha', type: 1, f: 0.2 }],
      ['AttributeProto', { name: 'zero', type: 1, f: 0 }],
      ['AttributeProto', { name: 'negzero', type: 1, f: -0 }],
      ['AttributeProto', { name: '', type: 0, i: 0 }],
      ['AttributeProto', { name: 'big', type: 2, i: 2 ** 40 + 3 }],
      ['AttributeProto', { name: 'ints', type: 7, ints: [1, -2, 300], floats: [0.5, -1.25] }],
      ['OperatorSetIdProto', { domain: '', version: 17 }],
      ['TensorShapeProtoDimension', { dimValue: 0 }],
      ['TensorShapeProtoDimension', { dimParam: '' }],
      ['TensorProto', { name: 'wëight/ü', dims: [], dataType: 1, rawData: new Uint8Array(0) }],
      ['TensorProto', { name: 'w', dims: [3, 200000], dataType: 1, rawData: new Uint8Array(70000).map((_, i) => i * 7) }],
      ['NodeProto', { name: 'n', opType: 'Gemm', input: ['a', '', 'c'], output: ['y'], attribute: [] }],
    ];
    for (const [type, message] of cases) {
      const ours = encodeOnnx(type, message);
      expect(Buffer.from(ours).toString('hex'), `${type} ${JSON.stringify(message)}`).toBe(Buffer.from(oracle(type, message)).toString('hex'));
    }
    expect(Buffer.from(encodeOnnx('AttributeProto', { i: -1 })).toString('hex')).toBe('18ffffffffffffffffff01');
    expect(decode('AttributeProto', encodeOnnx('AttributeProto', { name: 'ints', ints: [1, -2, 300] }))).toEqual({ name: 'ints', ints: [1, -2, 300] });
  });

  it('encodes a whole exported model (every layer kind and composed activation) as protobufjs does', async () => {
    await nn.setBackend('js');
    for (const activation of ['gelu', 'step', 'swish', 'selu', 'softmax'] as const) {
      const m = nn.sequential({
        layers: [
          nn.layers.dense({ units: 5, inputShape: [3], activation }),
          nn.layers.dropout({ rate: 0.2 }),
          nn.layers.leakyRelu({ alpha: 0.2 }),
          nn.layers.prelu({}),
          nn.layers.elu({ alpha: 0.7 }),
          nn.layers.activation({ activation: 'tanh' }),
          nn.layers.dense({ units: 2, useBias: false, activation: 'sigmoid' }),
        ],
      });
      const bytes = await artifactsToOnnx(m.toArtifacts());
      const model = decode('ModelProto', bytes);
      expect(model.producerName).toBe('wasm-mlp');
      expect(model.opsetImport).toEqual([{ version: 17 }]);
      expect(model.graph.input[0].type.tensorType.shape.dim).toEqual([{ dimParam: 'batch' }, { dimValue: 3 }]);
      expect(model.graph.node.map((n: { opType: string }) => n.opType)).toContain('PRelu');
      // Re-encoding protobufjs's reading of our bytes gives our bytes.
      const t = root.lookupType('onnx.ModelProto');
      expect(Buffer.from(t.encode(t.decode(bytes)).finish()).equals(Buffer.from(bytes))).toBe(true);
    }
  });

  it('refuses what the schema does not have, naming the field', () => {
    expect(() => encodeOnnx('NodeProto', { opType: 'Relu', inputs: ['x'] })).toThrow(/NodeProto has no field 'inputs'/);
    expect(() => encodeOnnx('AttributeProto', { name: 'a', i: 1.5 })).toThrow(/AttributeProto\.i: expected an integer, got 1\.5/);
    expect(() => encodeOnnx('NodeProto', { input: 'x' })).toThrow(/NodeProto\.input: expected an array/);
    expect(() => encodeOnnx('GraphProto', { node: [{ name: 7 }] })).toThrow(/GraphProto\.node\[0\]\.name: expected a string, got number/);
  });
});
