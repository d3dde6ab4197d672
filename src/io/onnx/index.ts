/**
 * ONNX export: TensorFlow.js-layers artifacts → an ONNX inference graph (opset 17, IR 8).
 * Imported on first use only; ./protobuf.ts writes the protobuf bytes.
 *
 * The graph has one input 'input' [batch, features] and one output 'output' [batch, units],
 * batch dynamic. Dense is Gemm (MatMul without a bias); Dropout and GaussianNoise are left out
 * (identity at inference); BatchNormalization (with the moving statistics) and LayerNormalization
 * are the ONNX ops of the same name; activations are the ONNX ops of the same name, and those ONNX lacks as one op at
 * opset 17 are composed from standard ops: step = Cast(GreaterOrEqual(x, 0)), swish = x·Sigmoid(x),
 * gelu = 0.5·x·(1 + Erf(x/√2)) (exact, as wasm-mlp computes it). Each layer class is one entry of
 * LAYERS; anything else is refused by name.
 */
import { isObject, own, show, type JsonObject } from '../json.js';
import { GENERATED_BY, type ModelArtifacts } from '../types.js';
import { encodeOnnx } from './protobuf.js';

export const OPSET = 17;
const IR_VERSION = 8;
const FLOAT = 1;
const ATTR = { FLOAT: 1, INT: 2 } as const;

interface Attr {
  name: string;
  type: number;
  f?: number;
  i?: number;
}
interface Node {
  name: string;
  opType: string;
  input: string[];
  output: string[];
  attribute: Attr[];
}
interface Tensor {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}

const f = (name: string, v: number): Attr => ({ name, type: ATTR.FLOAT, f: v });
const int = (name: string, v: number): Attr => ({ name, type: ATTR.INT, i: v });

/** SELU constants, as wasm-mlp (and TensorFlow.js) use them. */
const SELU_ALPHA = 1.6732632423543772;
const SELU_GAMMA = 1.0507009873554805;

class Graph {
  nodes: Node[] = [];
  initializers: Tensor[] = [];
  private n = 0;
  private consts = new Map<number, string>();

  constructor(private weights: Map<string, { shape: number[]; bytes: Uint8Array }>) {}

  op(opType: string, input: string[], attribute: Attr[] = [], base = opType.toLowerCase()): string {
    const out = `${base}_${this.n++}`;
    this.nodes.push({ name: out, opType, input, output: [out], attribute });
    return out;
  }

  /** A float scalar constant (shared). */
  scalar(v: number): string {
    let name = this.consts.get(v);
    if (!name) {
      name = `const_${this.consts.size}`;
      this.consts.set(v, name);
      const raw = new Uint8Array(4);
      new DataView(raw.buffer).setFloat32(0, v, true);
      this.initializers.push({ name, dims: [], dataType: FLOAT, rawData: raw });
    }
    return name;
  }

  /** A constant float vector (gamma of ones, beta of zeros when a normalization layer has none). */
  vector(name: string, length: number, value: number): string {
    const raw = new Uint8Array(length * 4);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < length; i++) view.setFloat32(i * 4, value, true);
    this.initializers.push({ name, dims: [length], dataType: FLOAT, rawData: raw });
    return name;
  }

  weight(spec: string, where: string): string {
    const w = this.weights.get(spec);
    if (!w) throw new Error(`${where}: the artifacts have no weight '${spec}'`);
    if (!this.initializers.some((t) => t.name === spec)) this.initializers.push({ name: spec, dims: w.shape, dataType: FLOAT, rawData: w.bytes });
    return spec;
  }

  activation(name: unknown, x: string, where: string, alpha?: number): string {
    switch (name ?? 'linear') {
      case 'linear':
        return x;
      case 'relu':
        return this.op('Relu', [x]);
      case 'sigmoid':
        return this.op('Sigmoid', [x]);
      case 'tanh':
        return this.op('Tanh', [x]);
      case 'softmax':
        return this.op('Softmax', [x], [int('axis', -1)]);
      case 'elu':
        return this.op('Elu', [x], [f('alpha', alpha ?? 1)]);
      case 'leakyRelu':
        return this.op('LeakyRelu', [x], [f('alpha', alpha ?? 0.01)]);
      case 'selu':
        return this.op('Selu', [x], [f('alpha', SELU_ALPHA), f('gamma', SELU_GAMMA)]);
      case 'softplus':
        return this.op('Softplus', [x]);
      case 'swish':
        return this.op('Mul', [x, this.op('Sigmoid', [x])], [], 'swish');
      case 'gelu': {
        const erf = this.op('Erf', [this.op('Div', [x, this.scalar(Math.SQRT2)])]);
        const half = this.op('Mul', [x, this.scalar(0.5)]);
        return this.op('Mul', [half, this.op('Add', [erf, this.scalar(1)])], [], 'gelu');
      }
      case 'step':
        return this.op('Cast', [this.op('GreaterOrEqual', [x, this.scalar(0)])], [int('to', FLOAT)], 'step');
    }
    throw new Error(`${where}: activation ${show(name)} has no ONNX mapping`);
  }
}

type LayerExport = (g: Graph, x: string, cfg: JsonObject, name: string, where: string, width: number) => { out: string; width?: number };

/** gamma and beta of a normalization layer, or constant ones / zeros when it has none (scale / center false). */
function gammaBeta(g: Graph, cfg: JsonObject, name: string, where: string, width: number): [string, string] {
  return [
    own(cfg, 'scale') === false ? g.vector(`${name}/ones`, width, 1) : g.weight(`${name}/gamma`, where),
    own(cfg, 'center') === false ? g.vector(`${name}/zeros`, width, 0) : g.weight(`${name}/beta`, where),
  ];
}
const epsilonOf = (cfg: JsonObject): number => (own(cfg, 'epsilon') as number | undefined) ?? 1e-3;

const LAYERS: Record<string, LayerExport> = {
  Dense: (g, x, cfg, name, where) => {
    const kernel = g.weight(`${name}/kernel`, where);
    const y = own(cfg, 'use_bias') === false ? g.op('MatMul', [x, kernel]) : g.op('Gemm', [x, kernel, g.weight(`${name}/bias`, where)]);
    return { out: g.activation(own(cfg, 'activation'), y, where), width: own(cfg, 'units') as number };
  },
  Dropout: (_g, x) => ({ out: x }),
  Activation: (g, x, cfg, _n, where) => ({ out: g.activation(own(cfg, 'activation'), x, where) }),
  LeakyReLU: (g, x, cfg, _n, where) => ({ out: g.activation('leakyRelu', x, where, (own(cfg, 'alpha') as number | undefined) ?? 0.3) }),
  ELU: (g, x, cfg, _n, where) => ({ out: g.activation('elu', x, where, (own(cfg, 'alpha') as number | undefined) ?? 1) }),
  PReLU: (g, x, _cfg, name, where) => ({ out: g.op('PRelu', [x, g.weight(`${name}/alpha`, where)]) }),
  // Inference: the moving statistics.
  BatchNormalization: (g, x, cfg, name, where, width) => {
    const [scale, bias] = gammaBeta(g, cfg, name, where, width);
    return { out: g.op('BatchNormalization', [x, scale, bias, g.weight(`${name}/moving_mean`, where), g.weight(`${name}/moving_variance`, where)], [f('epsilon', epsilonOf(cfg))]) };
  },
  LayerNormalization: (g, x, cfg, name, where, width) => {
    const [scale, bias] = gammaBeta(g, cfg, name, where, width);
    return { out: g.op('LayerNormalization', [x, scale, bias], [int('axis', -1), f('epsilon', epsilonOf(cfg))]) };
  },
  GaussianNoise: (_g, x) => ({ out: x }),
};

/** The bytes of an ONNX model computing what the artifacts' model predicts. */
export async function artifactsToOnnx(a: ModelArtifacts): Promise<Uint8Array> {
  const top = own(a.modelTopology, 'config');
  const entries = isObject(top) ? own(top, 'layers') : undefined;
  if (!Array.isArray(entries) || !entries.length) throw new Error('save .onnx: the model has no layers');
  const modelName = String(own(top as JsonObject, 'name') ?? 'model');

  const weights = new Map<string, { shape: number[]; bytes: Uint8Array }>();
  let at = 0;
  for (const s of a.weightSpecs) {
    const n = s.shape.reduce((p, d) => p * d, 1);
    weights.set(s.name, { shape: s.shape, bytes: new Uint8Array(a.weightData, at, n * 4) });
    at += n * 4;
  }
  const g = new Graph(weights);
  const first = own(entries[0] as JsonObject, 'config') as JsonObject;
  const inputWidth = (own(first, 'batch_input_shape') as number[])[1]!;
  let width = inputWidth;
  let x = 'input';
  for (const e of entries as JsonObject[]) {
    const cls = own(e, 'class_name') as string;
    const cfg = own(e, 'config') as JsonObject;
    const name = String(own(cfg, 'name'));
    const where = `save .onnx: layer '${name}' (${cls})`;
    const exporter = LAYERS[cls];
    if (!exporter) throw new Error(`${where}: layer class '${cls}' has no ONNX mapping yet; .onnx export handles ${Object.keys(LAYERS).join(', ')}`);
    const r = exporter(g, x, cfg, name, where, width);
    x = r.out;
    width = r.width ?? width;
  }
  // Name the last tensor 'output'.
  const last = g.nodes.find((n) => n.output[0] === x);
  if (last) {
    last.output = ['output'];
    for (const n of g.nodes) n.input = n.input.map((i) => (i === x ? 'output' : i));
  } else g.nodes.push({ name: 'output_identity', opType: 'Identity', input: [x], output: ['output'], attribute: [] });

  const io = (name: string, w: number) => ({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimValue: w }] } } } });
  const model = {
    irVersion: IR_VERSION,
    producerName: 'wasm-mlp',
    producerVersion: GENERATED_BY.replace(/^wasm-mlp /, ''),
    opsetImport: [{ domain: '', version: OPSET }],
    graph: { name: modelName, node: g.nodes, initializer: g.initializers, input: [io('input', inputWidth)], output: [io('output', width)] },
  };
  return encodeOnnx('ModelProto', model);
}
