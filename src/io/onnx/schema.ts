/**
 * The part of ONNX's `onnx.proto` (github.com/onnx/onnx, onnx/onnx.proto, IR version 8+) that an
 * inference graph of dense layers uses: for each message, its fields' numbers and types, copied
 * from onnx.proto. ./protobuf.ts writes the wire format.
 */

/** A field: its number, and a scalar type of the wire format or the name of a message in ONNX_MESSAGES. */
export interface FieldSpec {
  id: number;
  type: 'string' | 'bytes' | 'int64' | 'int32' | 'enum' | 'float' | (string & {});
  repeated?: true;
  /** A member of a oneof: written whenever set, even at its default. */
  oneof?: true;
}
export type MessageName = keyof typeof ONNX_MESSAGES;

export const ONNX_MESSAGES = {
  ModelProto: {
    irVersion: { id: 1, type: 'int64' },
    producerName: { id: 2, type: 'string' },
    producerVersion: { id: 3, type: 'string' },
    domain: { id: 4, type: 'string' },
    modelVersion: { id: 5, type: 'int64' },
    docString: { id: 6, type: 'string' },
    graph: { id: 7, type: 'GraphProto' },
    opsetImport: { id: 8, type: 'OperatorSetIdProto', repeated: true },
    metadataProps: { id: 14, type: 'StringStringEntryProto', repeated: true },
  },
  OperatorSetIdProto: { domain: { id: 1, type: 'string' }, version: { id: 2, type: 'int64' } },
  StringStringEntryProto: { key: { id: 1, type: 'string' }, value: { id: 2, type: 'string' } },
  GraphProto: {
    node: { id: 1, type: 'NodeProto', repeated: true },
    name: { id: 2, type: 'string' },
    initializer: { id: 5, type: 'TensorProto', repeated: true },
    docString: { id: 10, type: 'string' },
    input: { id: 11, type: 'ValueInfoProto', repeated: true },
    output: { id: 12, type: 'ValueInfoProto', repeated: true },
    valueInfo: { id: 13, type: 'ValueInfoProto', repeated: true },
  },
  NodeProto: {
    input: { id: 1, type: 'string', repeated: true },
    output: { id: 2, type: 'string', repeated: true },
    name: { id: 3, type: 'string' },
    opType: { id: 4, type: 'string' },
    attribute: { id: 5, type: 'AttributeProto', repeated: true },
    docString: { id: 6, type: 'string' },
    domain: { id: 7, type: 'string' },
  },
  /** `type` is an AttributeType: FLOAT 1, INT 2, STRING 3, TENSOR 4, FLOATS 6, INTS 7. */
  AttributeProto: {
    name: { id: 1, type: 'string' },
    f: { id: 2, type: 'float' },
    i: { id: 3, type: 'int64' },
    s: { id: 4, type: 'bytes' },
    t: { id: 5, type: 'TensorProto' },
    floats: { id: 7, type: 'float', repeated: true },
    ints: { id: 8, type: 'int64', repeated: true },
    docString: { id: 13, type: 'string' },
    type: { id: 20, type: 'enum' },
  },
  /** `dataType` is a TensorProto.DataType: FLOAT 1, INT64 7, BOOL 9. */
  TensorProto: {
    dims: { id: 1, type: 'int64', repeated: true },
    dataType: { id: 2, type: 'int32' },
    name: { id: 8, type: 'string' },
    rawData: { id: 9, type: 'bytes' },
    docString: { id: 12, type: 'string' },
  },
  ValueInfoProto: { name: { id: 1, type: 'string' }, type: { id: 2, type: 'TypeProto' }, docString: { id: 3, type: 'string' } },
  /** One of `tensorType`. */
  TypeProto: { tensorType: { id: 1, type: 'TypeProtoTensor', oneof: true }, denotation: { id: 6, type: 'string' } },
  /** TypeProto.Tensor: `elemType` is a TensorProto.DataType. */
  TypeProtoTensor: { elemType: { id: 1, type: 'int32' }, shape: { id: 2, type: 'TensorShapeProto' } },
  TensorShapeProto: { dim: { id: 1, type: 'TensorShapeProtoDimension', repeated: true } },
  /** TensorShapeProto.Dimension: one of `dimValue` and `dimParam`. */
  TensorShapeProtoDimension: { dimValue: { id: 1, type: 'int64', oneof: true }, dimParam: { id: 2, type: 'string', oneof: true }, denotation: { id: 3, type: 'string' } },
} as const satisfies Record<string, Record<string, FieldSpec>>;
