/**
 * Data that lies about its shape, on every backend: a Tensor2D whose Float32Array does not hold
 * rows × cols values, a non-Float32 view, a detached buffer, a fake or duck-typed tensor, a shape
 * changed after construction. Every entry point — the constructor, tensor2d, fit, predict,
 * evaluate, trainOnBatch, setWeights and the worker protocol — must refuse it with a message that
 * names what was expected and what came, and change nothing: a model that saw the bad call then
 * trains bit-identically to a twin that never did (weights, optimizer state and step count), and a
 * model that was not built yet stays unbuilt.
 * Also: a sparse class id like 1.00000001 is refused before float32 rounding turns it into 1.
 */
import { describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import type { Reply, Request } from '../src/worker/protocol.js';
import { flatLabels } from '../src/worker/client.js';

/** A request without its id (distributed over the union, so each op keeps its fields). */
type Req = Request extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;
import { expectSameWeights, modelBackends, Rng, snapshot, useBackend } from './helpers/model.js';

const IN = 2;
const OUT = 3;
const ROWS = 8;

function makeModel(loss: 'meanSquaredError' | 'sparseCategoricalCrossentropy' = 'meanSquaredError', build = true): nn.Sequential {
  const model = nn.sequential({
    seed: 7,
    layers: [
      nn.layers.dense({ units: 5, activation: 'tanh', inputShape: [IN] }),
      nn.layers.dense({ units: OUT, activation: loss === 'meanSquaredError' ? 'linear' : 'softmax' }),
    ],
  });
  model.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.05 }), loss });
  if (build) model.trainOnBatch(data().x, loss === 'meanSquaredError' ? data().y : data().ids); // built, with optimizer state and one step done
  return model;
}

function data(): { x: nn.Tensor2D; y: nn.Tensor2D; ids: number[] } {
  const rng = new Rng(3);
  const x = nn.tensor2d(Float32Array.from({ length: ROWS * IN }, () => rng.normal()), [ROWS, IN]);
  const y = nn.tensor2d(Float32Array.from({ length: ROWS * OUT }, () => rng.normal()), [ROWS, OUT]);
  return { x, y, ids: Array.from({ length: ROWS }, (_, i) => i % OUT) };
}

/** A Float32Array whose buffer has been transferred away (length 0 now). */
function detached(length: number): Float32Array {
  const a = new Float32Array(length);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  expect(a.buffer.byteLength).toBe(0);
  return a;
}

/** A Tensor2D made honestly, whose buffer is detached afterwards. */
function detachedTensor(rows: number, cols: number): nn.Tensor2D {
  const t = new nn.Tensor2D(new Float32Array(rows * cols), [rows, cols]);
  structuredClone(t.data.buffer, { transfer: [t.data.buffer] });
  return t;
}

/** An object that passes `instanceof Tensor2D` but whose shape lies about its data. */
function fakeTensor(shape: [number, number], data: Float32Array): nn.Tensor2D {
  return Object.assign(Object.create(nn.Tensor2D.prototype) as nn.Tensor2D, { shape, data });
}

async function rejection(call: () => unknown): Promise<Error> {
  try {
    await call();
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    return e as Error;
  }
  throw new Error('the call should have failed');
}

/**
 * `call` must fail with a message matching every pattern, and the model must afterwards train
 * exactly as a twin that never saw the call (same loss, bit-identical weights).
 */
async function expectRefusedUntouched(loss: 'meanSquaredError' | 'sparseCategoricalCrossentropy', call: (m: nn.Sequential) => unknown, ...patterns: RegExp[]): Promise<void> {
  const model = makeModel(loss);
  const twin = makeModel(loss);
  const before = snapshot(model);
  const error = await rejection(() => call(model));
  for (const p of patterns) expect(error.message).toMatch(p);
  expectSameWeights(snapshot(model), before, `weights after "${error.message.slice(0, 60)}"`);
  const y = loss === 'meanSquaredError' ? data().y : data().ids;
  expect(model.trainOnBatch(data().x, y)).toBe(twin.trainOnBatch(data().x, y));
  expectSameWeights(snapshot(model), snapshot(twin), 'weights after one more step, against a twin that never saw the bad call');
}

describe('Tensor2D and tensor2d refuse data that does not match the shape', () => {
  it('the constructor names expected and got: length', () => {
    expect(() => new nn.Tensor2D(new Float32Array(4), [100, 2])).toThrow(/Tensor2D: shape \[100, 2\] needs 200 values \(100 × 2\), got 4/);
    expect(() => new nn.Tensor2D(new Float32Array(7), [2, 3])).toThrow(/needs 6 values.*got 7/);
  });

  it('the constructor refuses non-Float32 views and plain arrays', () => {
    expect(() => new nn.Tensor2D(new Float64Array(6) as never, [2, 3])).toThrow(/must be a Float32Array of 2×3 = 6 values, got an object \(Float64Array\).*Float32Array.from/);
    expect(() => new nn.Tensor2D(new Uint8Array(24) as never, [2, 3])).toThrow(/Float32Array.*Uint8Array/);
    expect(() => new nn.Tensor2D([1, 2, 3, 4, 5, 6] as never, [2, 3])).toThrow(/Float32Array.*an array of length 6.*nn.tensor2d/);
  });

  it('the constructor refuses shapes that are not [rows, cols] of integers >= 0', () => {
    expect(() => new nn.Tensor2D(new Float32Array(6), [2.5, 2] as never)).toThrow(/shape must be \[rows, cols\] of integers >= 0, got \[2.5, 2\]/);
    expect(() => new nn.Tensor2D(new Float32Array(6), [-2, -3] as never)).toThrow(/got \[-2, -3\]/);
    expect(() => new nn.Tensor2D(new Float32Array(6), [6] as never)).toThrow(/got \[6\]/);
    expect(() => new nn.Tensor2D(new Float32Array(6), [1, 2, 3] as never)).toThrow(/got \[1, 2, 3\]/);
    expect(() => new nn.Tensor2D(new Float32Array(6), undefined as never)).toThrow(/got undefined/);
  });

  it('the constructor refuses a detached buffer and says so', () => {
    expect(() => new nn.Tensor2D(detached(6), [2, 3])).toThrow(/needs 6 values, but the data's buffer is detached/);
  });

  it('an empty tensor and an exact one are fine; the shape is a frozen copy', () => {
    expect(new nn.Tensor2D(new Float32Array(0), [0, 5]).shape).toEqual([0, 5]);
    const shape: [number, number] = [2, 3];
    const t = new nn.Tensor2D(new Float32Array(6), shape);
    shape[0] = 100;
    expect(t.shape).toEqual([2, 3]);
    expect(() => {
      (t.shape as number[])[0] = 100;
    }).toThrow(TypeError);
    expect(t.rows).toBe(2);
  });

  it('tensor2d refuses the same lies', () => {
    expect(() => nn.tensor2d(new Float32Array(4), [100, 2])).toThrow(/tensor2d: shape \[100, 2\] needs 200 values/);
    expect(() => nn.tensor2d(detached(4), [2, 2])).toThrow(/tensor2d: .*detached/);
  });
});

describe.each(modelBackends)('%s backend: entry points refuse shape lies and change nothing', (backend) => {
  useBackend(backend);

  // Each lie, as the x of a call. All of them hold 4 floats but claim 100 × 2.
  const lies: [string, () => unknown, RegExp][] = [
    ['a fake Tensor2D (instanceof, shape [100, 2], 4 values)', () => fakeTensor([100, 2], new Float32Array(4)), /shape \[100, 2\] needs 200 values \(100 × 2\), got 4/],
    ['a Tensor2D whose buffer was detached after construction', () => detachedTensor(100, 2), /needs 200 values, but the data's buffer is detached/],
    ['a { shape, data } object whose shape lies', () => ({ shape: [100, 2], data: new Float32Array(4) }), /shape \[100, 2\] needs 200 values/],
    ['a { shape, data } object with a Float64Array', () => ({ shape: [100, 2], data: new Float64Array(200) }), /must be a Float32Array.*got an object \(Float64Array\)/],
    ['a fake Tensor2D with a fractional shape', () => fakeTensor([50.5, 4] as never, new Float32Array(202)), /shape must be \[rows, cols\] of integers >= 0, got \[50.5, 4\]/],
  ];

  describe.each(lies)('x is %s', (_, lie, pattern) => {
    it.each(['fit', 'trainOnBatch', 'evaluate', 'predict', 'fit validationData'] as const)('%s refuses it', async (method) => {
      const { y } = data();
      const x = lie() as nn.Tensor2D;
      const calls = {
        fit: (m: nn.Sequential) => m.fit(x, y),
        trainOnBatch: (m: nn.Sequential) => m.trainOnBatch(x, y),
        evaluate: (m: nn.Sequential) => m.evaluate(x, y),
        predict: (m: nn.Sequential) => m.predict(x),
        'fit validationData': (m: nn.Sequential) => m.fit(data().x, y, { validationData: [x, y] }),
      };
      await expectRefusedUntouched('meanSquaredError', calls[method], new RegExp(method.split(' ')[0]!), pattern);
    });
  });

  it('a lying y is refused too (fit, trainOnBatch, evaluate)', async () => {
    const { x } = data();
    const y = fakeTensor([ROWS, OUT], new Float32Array(3));
    await expectRefusedUntouched('meanSquaredError', (m) => m.fit(x, y), /fit y/, /needs 24 values \(8 × 3\), got 3/);
    await expectRefusedUntouched('meanSquaredError', (m) => m.trainOnBatch(x, y), /trainOnBatch y/, /needs 24 values/);
    await expectRefusedUntouched('meanSquaredError', (m) => m.evaluate(x, detachedTensor(ROWS, OUT)), /evaluate y/, /detached/);
  });

  it('before the model is built, a refused predict or setWeights leaves it unbuilt', async () => {
    const model = makeModel('meanSquaredError', false);
    expect(() => model.predict(fakeTensor([100, 2], new Float32Array(4)))).toThrow(/predict x: shape \[100, 2\] needs 200 values/);
    expect(model.backendName).toBeUndefined();
    const good = makeModel().getWeights();
    const bad = good.map((w, i) => (i === 1 ? { shape: w.shape, data: detached(w.data.length) } : w));
    expect(() => model.setWeights(bad)).toThrow(/setWeights: weight 1 \(dense\/bias\): expected 5 values, but the data's buffer is detached/);
    expect(model.backendName).toBeUndefined();
    model.setWeights(good);
    expect(model.backendName).toBe(backend);
    expectSameWeights(snapshot(model), good.map((w) => w.data), 'weights set after the refused calls');
  });

  it('setWeights refuses byte views, detached buffers and wrong lengths, and changes nothing', async () => {
    const good = makeModel().getWeights();
    const replaced = (i: number, data: unknown) => good.map((w, k) => (k === i ? { shape: w.shape, data } : w)) as never;
    await expectRefusedUntouched('meanSquaredError', (m) => m.setWeights(replaced(0, new Uint8Array(10))), /weight 0 \(dense\/kernel\)/, /expected 10 values as a Float32Array.*got an object \(Uint8Array\)/);
    await expectRefusedUntouched('meanSquaredError', (m) => m.setWeights(replaced(2, detached(15))), /weight 2/, /expected 15 values, but the data's buffer is detached/);
    await expectRefusedUntouched('meanSquaredError', (m) => m.setWeights(replaced(3, new Float32Array(4))), /weight 3/, /expected 3 values, got 4/);
    // A Float64Array and number[] of the right length are values, not bytes: accepted.
    const m = makeModel();
    m.setWeights(good.map((w) => ({ shape: w.shape, data: Float64Array.from(w.data) })));
    expectSameWeights(snapshot(m), good.map((w) => w.data), 'weights from Float64Arrays');
  });

  describe('sparse class ids are checked before float32 rounding', () => {
    // 1.00000001 rounds to exactly 1 in float32; 2.0000001 to 2.
    const { x } = data();
    const ids = data().ids;
    it.each([
      ['number[]', () => ids.map((c, i) => (i === 5 ? 1.00000001 : c))],
      ['Float64Array', () => Float64Array.from(ids, (c, i) => (i === 5 ? 1.00000001 : c))],
      ['number[][] ([n, 1])', () => ids.map((c, i) => [i === 5 ? 1.00000001 : c])],
    ])('as %s', async (_, labels) => {
      expect(Math.fround(1.00000001)).toBe(1);
      await expectRefusedUntouched('sparseCategoricalCrossentropy', (m) => m.trainOnBatch(x, labels() as never), /trainOnBatch y: label 5 is 1.00000001, but class ids must be integers in \[0, 2\]/);
      await expectRefusedUntouched('sparseCategoricalCrossentropy', (m) => m.fit(x, labels() as never), /fit y: label 5 is 1.00000001/);
      await expectRefusedUntouched('sparseCategoricalCrossentropy', (m) => m.evaluate(x, labels() as never), /evaluate y: label 5 is 1.00000001/);
    });
  });

  it('worker client: flat labels near an integer must be that integer (before float32 rounding)', () => {
    expect(() => flatLabels([0, 1.00000001, 2], 'fit y')).toThrow(/fit y: label 1 is 1\.00000001, .*class ids must be integers/);
    expect(Array.from(flatLabels([0, 1, 2], 'fit y').data)).toEqual([0, 1, 2]);
    expect(flatLabels([0.3, 0.7], 'fit y').shape).toEqual([2, 1]);
  });

  describe('the worker protocol', () => {
    /** serveWorker on an in-process endpoint; `send` resolves with the request's result or error reply. */
    function inProcessWorker(): (req: Req) => Promise<Reply> {
      let listener: ((data: unknown) => void) | undefined;
      const waiting = new Map<number, (r: Reply) => void>();
      nn.worker.serveWorker({
        postMessage: (m) => {
          const r = m as Reply;
          if (r.type === 'result' || r.type === 'error') waiting.get(r.id)?.(r);
        },
        on: (_type, l) => {
          listener = l;
        },
      });
      let id = 0;
      return (req) => new Promise<Reply>((resolve) => {
        waiting.set(++id, resolve);
        listener!({ ...req, id } as Request);
      });
    }

    it('refuses posted tensors whose shape lies, and the worker model is unchanged', async () => {
      const send = inProcessWorker();
      const init = await send({ op: 'init', spec: { backend, seed: 7, layers: [{ type: 'dense', units: OUT, inputShape: [IN] }], compile: { optimizer: 'sgd', loss: 'meanSquaredError' } } });
      expect(init.type).toBe('result');
      const weights = ((await send({ op: 'getWeights' })) as { value: { data: Float32Array }[] }).value.map((w) => Float32Array.from(w.data));
      const { x, y } = data();
      const good = { shape: [ROWS, IN], data: x.data };
      const cases: [Req, RegExp][] = [
        [{ op: 'predict', x: { shape: [100, 2], data: new Float32Array(4) } }, /worker predict x: shape \[100, 2\] needs 200 values/],
        [{ op: 'predict', x: { shape: [4], data: new Float32Array(4) } }, /worker predict x: shape must be \[rows, cols\].*got \[4\]/],
        [{ op: 'predict', x: { shape: [2, 2, 1], data: new Float32Array(4) } }, /got \[2, 2, 1\]/],
        [{ op: 'predict', x: { shape: [2, 2], data: new Float64Array(4) as never } }, /worker predict x: data must be a Float32Array/],
        [{ op: 'evaluate', x: good, y: { shape: [ROWS, OUT], data: new Float32Array(3) } }, /worker evaluate y: shape \[8, 3\] needs 24 values/],
        [{ op: 'fit', x: { shape: [100, 2], data: new Float32Array(4) }, y: { shape: [ROWS, OUT], data: y.data }, args: { epochs: 1 } }, /worker fit x: shape \[100, 2\] needs 200 values/],
        [{ op: 'fit', x: good, y: { shape: [ROWS, OUT], data: y.data }, args: { epochs: 1, validationData: [{ shape: [9, 2], data: new Float32Array(2) }, { shape: [9, 3], data: new Float32Array(27) }] } }, /worker fit validationData x: shape \[9, 2\] needs 18 values/],
      ];
      for (const [req, pattern] of cases) {
        const reply = await send(req);
        expect(reply.type, `${req.op} should be refused`).toBe('error');
        expect((reply as { message: string }).message).toMatch(pattern);
      }
      const after = ((await send({ op: 'getWeights' })) as { value: { data: Float32Array }[] }).value.map((w) => Float32Array.from(w.data));
      expectSameWeights(after, weights, 'worker weights after the refused requests');
      // An honest request still works.
      const ok = await send({ op: 'predict', x: good });
      expect(ok.type).toBe('result');
      expect((ok as { value: { shape: number[] } }).value.shape).toEqual([ROWS, OUT]);
    });
  });
});
