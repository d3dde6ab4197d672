/**
 * Untrusted artifacts: every damaged case gives an Error saying what is wrong, and a property
 * test mutates valid artifacts at random — loading must then succeed with a working model or
 * throw an Error; never crash, hang or allocate beyond the caps.
 */
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import type { ModelArtifacts } from '../src/index.js';
import { artifactsFromModelJson, modelJsonFor } from '../src/io/model-json.js';

beforeAll(() => nn.setBackend('js'));
afterEach(() => {
  nn.setLoadLimits(nn.getLoadLimits(true));
});

function valid(): ModelArtifacts {
  const m = nn.sequential({ seed: 7, layers: [
    nn.layers.dense({ units: 4, inputShape: [3], activation: 'tanh', kernelRegularizer: nn.regularizers.l1(0.01) }),
    nn.layers.prelu(),
    nn.layers.dropout({ rate: 0.2 }),
    nn.layers.dense({ units: 2, activation: 'softmax' }),
  ] });
  m.compile({ optimizer: nn.optimizers.sgd({ momentum: 0.9 }), loss: 'categoricalCrossentropy' });
  const a = m.toArtifacts();
  m.dispose();
  return a;
}

/** A deep copy whose topology we can edit freely. */
function copy(a: ModelArtifacts): ModelArtifacts & { modelTopology: any; weightSpecs: any[] } {
  return { ...structuredClone({ ...a, weightData: undefined }), weightData: a.weightData.slice(0) } as never;
}
const layersOf = (a: { modelTopology: any }) => a.modelTopology.config.layers as any[];

describe('damaged artifacts give an Error that says what is wrong', () => {
  const cases: [string, (a: ReturnType<typeof copy>) => unknown, RegExp][] = [
    ['truncated weights', (a) => ({ ...a, weightData: a.weightData.slice(0, a.weightData.byteLength - 4) }), /weightData is truncated: \d+ bytes, but the weight specs need \d+ bytes/],
    ['oversized weights', (a) => ({ ...a, weightData: new ArrayBuffer(a.weightData.byteLength + 8) }), /weightData is too long/],
    ['missing weights', (a) => ({ ...a, weightData: undefined }), /weightData is missing/],
    ['weights not a buffer', (a) => ({ ...a, weightData: 'AAAA' }), /weightData: expected an ArrayBuffer/],
    ['NaN weight', (a) => { new Float32Array(a.weightData)[5] = NaN; return a; }, /'dense\/kernel' value 5 is NaN; weights must be finite/],
    ['Infinity weight', (a) => { new Float32Array(a.weightData).fill(Infinity, 14); return a; }, /value \d+ is Infinity/],
    ['wrong shape', (a) => { a.weightSpecs[0].shape = [4, 3]; return a; }, /'dense\/kernel' has shape \[4,3\] but the layer needs \[3,4\]/],
    ['unknown weight', (a) => { a.weightSpecs.push({ name: 'extra/kernel', shape: [1], dtype: 'float32' }); a.weightData = new ArrayBuffer(a.weightData.byteLength + 4); return a; }, /'extra\/kernel' matches no layer/],
    ['missing weight spec', (a) => { a.weightSpecs.splice(1, 1); return a; }, /no weight named 'dense\/bias'/],
    ['renamed weight', (a) => { a.weightSpecs[2].name = 'p_re_lu/beta'; return a; }, /no weight named 'p_re_lu\/alpha'/],
    ['float16 dtype', (a) => { a.weightSpecs[0].dtype = 'float16'; return a; }, /dtype "float16" is not supported; wasm-mlp weights are float32/],
    ['int32 dtype', (a) => { a.weightSpecs[0].dtype = 'int32'; return a; }, /dtype "int32" is not supported/],
    ['quantized', (a) => { a.weightSpecs[0].quantization = { dtype: 'uint8', min: 0, scale: 1 }; return a; }, /quantized weights are not supported/],
    ['negative dimension', (a) => { a.weightSpecs[0].shape = [-3, 4]; return a; }, /must hold integers >= 0/],
    ['huge shape', (a) => { a.weightSpecs[0].shape = [1e9, 1e9]; return a; }, /more than the 256\.0 MiB .* allowed/],
    ['huge layer', (a) => { layersOf(a)[0].config.units = 100_000_000; return a; }, /units must be an integer in \[1, 2\^26\]/],
    ['layers beyond the size cap', (a) => { layersOf(a)[3].config.units = 60_000_000; return a; }, /the layers need .* more than the 256\.0 MiB/],
    ['unknown layer class', (a) => { layersOf(a)[1].class_name = 'Conv2D'; return a; }, /layer 1 'p_re_lu' \(Conv2D\): layer class 'Conv2D' is not supported; wasm-mlp loads Dense, Dropout/],
    ['unknown activation', (a) => { layersOf(a)[0].config.activation = 'hard_sigmoid'; return a; }, /'dense' \(Dense\): activation "hard_sigmoid" is not supported/],
    ['functional model', (a) => { a.modelTopology.class_name = 'Functional'; return a; }, /class_name 'Functional' is not supported; wasm-mlp loads Sequential models only/],
    ['no layers list', (a) => { a.modelTopology.config = { name: 'x' }; return a; }, /config.layers: expected an array/],
    ['no input shape', (a) => { delete layersOf(a)[0].config.batch_input_shape; return a; }, /no batch_input_shape/],
    ['image input', (a) => { layersOf(a)[0].config.batch_input_shape = [null, 28, 28]; return a; }, /batch_input_shape must be \[null, features\]/],
    ['duplicate names', (a) => { layersOf(a)[3].config.name = 'dense'; return a; }, /the name 'dense' is used by two layers/],
    ['float64 layer', (a) => { layersOf(a)[0].config.dtype = 'float64'; return a; }, /dtype "float64" is not supported/],
    ['constraint', (a) => { layersOf(a)[0].config.kernel_constraint = { class_name: 'MaxNorm', config: {} }; return a; }, /kernel_constraint .* is not supported by wasm-mlp/],
    ['frozen layer', (a) => { layersOf(a)[0].config.trainable = false; return a; }, /trainable: false/],
    ['unknown initializer', (a) => { layersOf(a)[0].config.kernel_initializer = { class_name: 'Evil', config: {} }; return a; }, /initializer class "Evil" is not supported/],
    ['unknown regularizer', (a) => { layersOf(a)[0].config.kernel_regularizer = { class_name: 'OrthogonalRegularizer', config: {} }; return a; }, /regularizer "OrthogonalRegularizer" is not supported/],
    ['bad dropout rate', (a) => { layersOf(a)[2].config.rate = 1.5; return a; }, /rate must be a number in \[0, 1\)/],
    ['unknown optimizer', (a) => { a.trainingConfig!.optimizer_config.class_name = 'Adadelta'; return a; }, /optimizer class "Adadelta" is not supported .* \{ compile: false \}/],
    ['bad learning rate', (a) => { a.trainingConfig!.optimizer_config.config.learning_rate = -1; return a; }, /optimizer_config \(Momentum\): optimizers.sgd learningRate: expected a finite number > 0/],
    ['unknown loss', (a) => { a.trainingConfig!.loss = 'hinge'; return a; }, /trainingConfig.loss: "hinge" is not a loss wasm-mlp has/],
    ['__proto__ key', (a) => ({ ...a, modelTopology: JSON.parse(`{"__proto__": {"polluted": 1}, "class_name": "Sequential", "config": ${JSON.stringify(a.modelTopology.config)}}`) }), /the key "__proto__" at top level is not allowed/],
    ['nested __proto__ key', (a) => { layersOf(a)[0].config = JSON.parse(`{"units": 4, "__proto__": {"x": 1}}`); return a; }, /the key "__proto__" at config.layers\[0\].config is not allowed/],
    ['malformed JSON topology', (a) => ({ ...a, modelTopology: '{"class_name": "Sequential", "config": {' }), /modelTopology: malformed JSON/],
    ['topology not an object', (a) => ({ ...a, modelTopology: 42 }), /modelTopology: expected an object/],
    ['deeply nested topology', (a) => ({ ...a, modelTopology: JSON.parse('['.repeat(5000) + ']'.repeat(5000)) }), /nested more than 64 levels deep/],
    ['artifacts not an object', () => null, /fromArtifacts: expected \{ modelTopology, weightSpecs, weightData \}/],
  ];
  it.each(cases)('%s', async (_name, damage, message) => {
    const a = damage(copy(valid()));
    await expect(nn.fromArtifacts(a as never)).rejects.toThrow(message);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('tfjs optimizer state (group "optimizer", int32 iter) is validated for size and skipped', async () => {
    const a = copy(valid());
    a.weightSpecs.push({ name: 'iter', shape: [], dtype: 'int32', group: 'optimizer' }, { name: 'dense/kernel/m', shape: [3, 4], dtype: 'float32', group: 'optimizer' });
    const data = new Uint8Array(a.weightData.byteLength + 4 + 48);
    data.set(new Uint8Array(a.weightData));
    const model = await nn.fromArtifacts({ ...a, weightData: data.buffer });
    expect(model.predict([[1, 2, 3]]).shape).toEqual([1, 2]);
    model.dispose();
    await expect(nn.fromArtifacts({ ...a, weightData: data.buffer.slice(0, -4) })).rejects.toThrow(/truncated/);
  });

  it('the size cap is configurable globally and per call', async () => {
    const a = valid();
    const bytes = a.weightData.byteLength;
    await expect(nn.fromArtifacts(a, { maxWeightBytes: bytes - 4 })).rejects.toThrow(/more than the \d+ bytes allowed/);
    nn.setLoadLimits({ maxWeightBytes: bytes - 4 });
    await expect(nn.fromArtifacts(a)).rejects.toThrow(/raise maxWeightBytes with setLoadLimits/);
    const ok = await nn.fromArtifacts(a, { maxWeightBytes: bytes });
    ok.dispose();
    nn.setLoadLimits({ maxWeightBytes: bytes, maxLayers: 2 });
    await expect(nn.fromArtifacts(a)).rejects.toThrow(/4 layers is more than the 2 allowed/);
    expect(() => nn.setLoadLimits({ maxWeightBytes: -1 })).toThrow(/positive integer/);
    expect(nn.getLoadLimits(true).maxWeightBytes).toBe(256 * 2 ** 20);
  });

  it('{ compile: false } skips an unusable training config', async () => {
    const a = copy(valid());
    a.trainingConfig!.optimizer_config.class_name = 'Ftrl';
    const m = await nn.fromArtifacts(a, { compile: false });
    expect(m.trainingConfig).toBeUndefined();
    m.dispose();
  });
});

describe('property: mutated artifacts load or throw an Error', () => {
  // Every choice a mutation makes comes from fast-check's seeded generators (no Math.random), so
  // a failing case shrinks and replays from the seed printed with it.
  type Mutation = (a: any) => void;
  const jsonValues = fc.oneof(fc.constant(null), fc.boolean(), fc.integer({ min: -5, max: 1e9 }), fc.double({ noNaN: false }), fc.string({ maxLength: 8 }),
    fc.constant([]), fc.constant({}), fc.constant([null, 3]), fc.constant({ class_name: 'Dense', config: {} }), fc.constant('__proto__'));

  /** Every (path, container) in a JSON tree, to pick one to change. */
  function slots(root: any): [any, string | number][] {
    const out: [any, string | number][] = [];
    const stack = [root];
    while (stack.length) {
      const v = stack.pop();
      if (v && typeof v === 'object') {
        for (const k of Object.keys(v)) {
          out.push([v, Array.isArray(v) ? Number(k) : k]);
          stack.push(v[k]);
        }
      }
    }
    return out;
  }

  const mutation = fc.oneof(
    // Replace any value in the topology / specs / training config.
    fc.tuple(fc.constantFrom('modelTopology', 'weightSpecs', 'trainingConfig'), fc.nat(), jsonValues).map(([part, i, v]): Mutation => (a) => {
      const s = slots(a[part]);
      if (s.length) { const [obj, k] = s[i % s.length]!; obj[k] = v; }
    }),
    // Delete a key.
    fc.tuple(fc.constantFrom('modelTopology', 'weightSpecs', 'trainingConfig'), fc.nat()).map(([part, i]): Mutation => (a) => {
      const s = slots(a[part]);
      if (s.length) { const [obj, k] = s[i % s.length]!; if (Array.isArray(obj)) obj.splice(k as number, 1); else delete obj[k]; }
    }),
    // Resize the weights.
    fc.integer({ min: -64, max: 64 }).map((d): Mutation => (a) => {
      const n = Math.max(0, a.weightData.byteLength + d);
      const b = new Uint8Array(n);
      b.set(new Uint8Array(a.weightData).subarray(0, n));
      a.weightData = b.buffer;
    }),
    // Flip bytes (can make NaN/Inf or just other weights).
    fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([i, v]): Mutation => (a) => {
      const b = new Uint8Array(a.weightData);
      if (b.length) b[i % b.length] = v;
    }),
    // Scale a shape dimension up enormously.
    fc.tuple(fc.nat(), fc.integer({ min: 2, max: 2 ** 30 })).map(([i, f]): Mutation => (a) => {
      const spec = a.weightSpecs[i % a.weightSpecs.length];
      if (spec && Array.isArray(spec.shape) && spec.shape.length) spec.shape[0] *= f;
    }),
  );

  // A hang fails the test by its timeout; no wall-clock threshold (it would fail on a loaded machine).
  it('never crashes, hangs or allocates beyond the cap', async () => {
    const base = valid();
    nn.setLoadLimits({ maxWeightBytes: 1 << 20 });
    let loaded = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
        const a = copy(base);
        for (const m of mutations) m(a);
        let model: nn.Sequential | undefined;
        try {
          model = await nn.fromArtifacts(a as never);
        } catch (e) {
          expect(e).toBeInstanceOf(Error);
          expect((e as Error).message.length).toBeGreaterThan(10);
          expect(e).not.toBeInstanceOf(TypeError); // a TypeError means an unchecked assumption
          expect(e).not.toBeInstanceOf(RangeError);
          refused++;
          return;
        }
        // A model that loads must work: its weights are finite and predict runs.
        expect(model.countParams() * 4).toBeLessThanOrEqual(1 << 20);
        const p = model.predict([[0.5, -1, 2]]);
        expect(p.shape[0]).toBe(1);
        for (const w of model.getWeights()) for (const v of w.data) expect(Number.isFinite(v)).toBe(true);
        model.dispose();
        loaded++;
      }),
      { numRuns: 1000, seed: 20240601 },
    );
    expect(refused).toBeGreaterThan(50);
    expect(loaded).toBeGreaterThan(5);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('property: mutated model.json text loads or throws an Error', () => {
  it('character edits, truncation and insertions', async () => {
    const base = valid();
    const text = JSON.stringify(modelJsonFor(base, 'weights.bin'));
    const bytes = new Uint8Array(base.weightData);
    const read = async (path: string, max: number) => {
      if (path !== 'weights.bin') throw new Error(`no file ${path}`);
      if (bytes.length > max) throw new Error('too big');
      return bytes;
    };
    const edit = fc.oneof(
      fc.tuple(fc.nat(), fc.constantFrom('', '"', '{', '}', '[', ']', ',', ':', '0', '9', '-', 'e', 'null', '1e999', '__proto__', '..', ' ')).map(([i, c]) => (t: string) => t.slice(0, i % t.length) + c + t.slice((i % t.length) + 1)),
      fc.nat().map((i) => (t: string) => t.slice(0, i % t.length)),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 5 }), async (edits) => {
        const t = edits.reduce((acc, e) => e(acc), text);
        try {
          const m = await nn.fromArtifacts(await artifactsFromModelJson(t, read));
          expect(m.predict([[1, 2, 3]]).shape).toEqual([1, 2]);
          m.dispose();
        } catch (e) {
          expect(e).toBeInstanceOf(Error);
          expect(e).not.toBeInstanceOf(TypeError);
          expect(e).not.toBeInstanceOf(RangeError);
        }
      }),
      { numRuns: 1000, seed: 7 },
    );
  });
});
