/**
 * The `copy` and `fill` kernels on every backend: exact results for sizes that are not multiples
 * of 4, overlapping copies in both directions (memmove semantics), and nothing written outside
 * the n floats asked for. Layers use them for pass-through gradients (Activation after a fused
 * loss, Dropout at inference) and to clear PReLU's accumulated alpha gradient.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend/contract.js';
import { backendCases } from './helpers/backends.js';
import { Mem } from './helpers/memory.js';
import { Rng } from './helpers/random.js';

const SIZES = [0, 1, 3, 4, 5, 17, 33, 130];

describe.each(backendCases())('$name backend', ({ create }) => {
  let b: Backend;
  let mem: Mem;
  beforeAll(async () => {
    b = await create();
    mem = new Mem(b);
  });
  afterAll(() => b?.dispose());

  it.each(SIZES)('copy n=%i into a separate buffer, leaving the guard floats after it', (n) => {
    const src = new Rng(10 + n).normals(n);
    const s = mem.put(src);
    const d = mem.fill(n + 4, -7);
    b.copy(n, s, d);
    expect(Array.from(mem.get(d, n))).toEqual(Array.from(Float32Array.from(src)));
    expect(Array.from(mem.get(d + n * 4, 4))).toEqual([-7, -7, -7, -7]);
    mem.freeAll();
  });

  it.each([[17, 1], [17, 5], [130, 3], [33, 8]])('copy n=%i overlapping by a shift of %i floats, forwards and backwards', (n, shift) => {
    const data = new Rng(n * 31 + shift).normals(n + shift);
    const f = Float32Array.from(data);
    for (const forwards of [true, false]) {
      const buf = mem.put(f);
      const [from, to] = forwards ? [0, shift] : [shift, 0];
      b.copy(n, buf + from * 4, buf + to * 4);
      const want = f.slice();
      want.copyWithin(to, from, from + n);
      expect(Array.from(mem.get(buf, n + shift))).toEqual(Array.from(want));
    }
    mem.freeAll();
  });

  it('copy onto itself changes nothing', () => {
    const data = Float32Array.from(new Rng(3).normals(9));
    const buf = mem.put(data);
    b.copy(9, buf, buf);
    expect(Array.from(mem.get(buf, 9))).toEqual(Array.from(data));
    mem.freeAll();
  });

  it.each(SIZES)('fill n=%i with a value (also over NaN and Infinity), leaving the guard floats', (n) => {
    const init = new Float32Array(n + 4).fill(Number.NaN);
    if (n > 1) init[1] = Infinity;
    init.fill(-3, n);
    const buf = mem.put(init);
    b.fill(n, buf, 0.25);
    expect(Array.from(mem.get(buf, n))).toEqual(new Array(n).fill(0.25));
    expect(Array.from(mem.get(buf + n * 4, 4))).toEqual([-3, -3, -3, -3]);
    b.fill(n, buf, 0);
    expect(Array.from(mem.get(buf, n))).toEqual(new Array(n).fill(0));
    mem.freeAll();
  });
});
