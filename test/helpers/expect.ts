/** Tolerance checks whose failure message names the first bad element, expected and got. */

/**
 * Passes when |got[i] − want[i]| ≤ rel·|want[i]| + rel·scale[i] + abs for every i, and both
 * agree on NaN. `scale` is the magnitude of the terms that produced want[i] (e.g. Σ|a·b| for a
 * dot product), so cancellation does not demand impossible relative accuracy.
 */
export function expectClose(
  got: ArrayLike<number>, want: ArrayLike<number>,
  opts: { rel: number; abs?: number; scale?: ArrayLike<number> | number; what: string },
): void {
  if (got.length !== want.length) throw new Error(`${opts.what}: length ${got.length}, expected ${want.length}`);
  const abs = opts.abs ?? 0;
  let bad = 0, first = -1, worst = 0;
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!, w = want[i]!;
    const s = opts.scale === undefined ? 0 : typeof opts.scale === 'number' ? opts.scale : opts.scale[i]!;
    const tol = opts.rel * (Math.abs(w) + s) + abs;
    const ok = Number.isNaN(w) ? Number.isNaN(g) : Math.abs(g - w) <= tol;
    if (!ok) {
      bad++;
      if (first < 0) first = i;
      worst = Math.max(worst, Math.abs(g - w) / (tol || 1e-300));
    }
  }
  if (bad > 0) {
    const s = opts.scale === undefined ? 0 : typeof opts.scale === 'number' ? opts.scale : opts.scale[first]!;
    throw new Error(
      `${opts.what}: ${bad}/${want.length} elements out of tolerance (rel ${opts.rel}, abs ${abs}); ` +
        `first at [${first}]: expected ${want[first]}, got ${got[first]} (term scale ${s}); worst ${worst.toFixed(1)}× the tolerance`,
    );
  }
}

/** Bit-for-bit equality of two float arrays, naming the first difference. */
export function expectExact(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  if (got.length !== want.length) throw new Error(`${what}: length ${got.length}, expected ${want.length}`);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) throw new Error(`${what}: first difference at [${i}]: expected ${want[i]}, got ${got[i]}`);
  }
}

/** Relative check for one number. */
export function expectNear(got: number, want: number, rel: number, what: string, abs = 0): void {
  if (!(Math.abs(got - want) <= rel * Math.abs(want) + abs)) {
    throw new Error(`${what}: expected ${want}, got ${got} (rel ${rel}, abs ${abs})`);
  }
}
