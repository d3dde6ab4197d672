/**
 * Sparse targets hold one class id per row, as an f32. What a valid id is, and the error a loss
 * kernel raises for a bad one, are stated here once for both backends and for label checking.
 */

/** Whether `c` is a class id for `classes` classes: an integer in [0, classes). */
export function isClassId(c: number, classes: number): boolean {
  return Number.isInteger(c) && c >= 0 && c < classes;
}

/** The error the loss kernels throw for a bad class id `c` in row `row`. */
export function classIdError(c: number, row: number, classes: number): RangeError {
  return new RangeError(`loss: class id ${c} in row ${row} is not an integer in [0, ${classes})`);
}

/** Throws classIdError for the first bad id among `rows` ids at element index `target` of f. */
export function checkClassIds(f: Float32Array, rows: number, classes: number, target: number): void {
  for (let r = 0; r < rows; r++) {
    const c = f[target + r]!;
    if (!isClassId(c, classes)) throw classIdError(c, r, classes);
  }
}
