// Metrics: argmax per row and the accuracy counts (see Accuracy in codes.ts).
import { Accuracy, TOP_K } from './codes';

/** Index of the first maximum of `cols` floats at `row`. */
@inline function argmaxRow(row: usize, cols: i32): i32 {
  let best: i32 = 0;
  let mx = load<f32>(row);
  for (let j = 1; j < cols; j++) {
    const v = load<f32>(row + (<usize>j << 2));
    if (v > mx) { mx = v; best = j; }
  }
  return best;
}

/** out[i] = argmax_j x[i, j] as i32 (first maximum wins). */
export function argmaxRows(rows: i32, cols: i32, x: usize, out: usize): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) store<i32>(out + (<usize>r << 2), argmaxRow(x + <usize>r * rowBytes, cols));
}

/** Number of correct predictions; see Accuracy in codes.ts. */
export function accuracyCount(kind: i32, rows: i32, cols: i32, pred: usize, target: usize): i32 {
  const rowBytes = <usize>cols << 2;
  let correct = 0;
  if (kind == Accuracy.binary) {
    const end = <usize>(rows * cols) << 2;
    const half = f32x4.splat(0.5);
    let acc = i32x4.splat(0);
    let i: usize = 0;
    for (; i + 16 <= end; i += 16) {
      const same = v128.not(v128.xor(f32x4.gt(v128.load(pred + i), half), f32x4.gt(v128.load(target + i), half)));
      acc = i32x4.sub(acc, same); // lanes are −1 when equal
    }
    correct = i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3);
    for (; i < end; i += 4) correct += i32((load<f32>(pred + i) > 0.5) == (load<f32>(target + i) > 0.5));
  } else if (kind == Accuracy.categorical) {
    for (let r = 0; r < rows; r++) {
      const o = <usize>r * rowBytes;
      correct += i32(argmaxRow(pred + o, cols) == argmaxRow(target + o, cols));
    }
  } else if (kind == Accuracy.sparse) {
    for (let r = 0; r < rows; r++) {
      correct += i32(<f32>argmaxRow(pred + <usize>r * rowBytes, cols) == load<f32>(target + (<usize>r << 2)));
    }
  } else if (kind == Accuracy.topKCategorical) {
    for (let r = 0; r < rows; r++) {
      const o = <usize>r * rowBytes;
      correct += i32(inTopK(pred + o, cols, <f32>argmaxRow(target + o, cols)));
    }
  } else {
    for (let r = 0; r < rows; r++) correct += i32(inTopK(pred + <usize>r * rowBytes, cols, load<f32>(target + (<usize>r << 2))));
  }
  return correct;
}

/** Whether class `cls` (a float class id) has fewer than TOP_K strictly larger predictions in the row (ties count as in; NaN ranks last). */
@inline function inTopK(row: usize, cols: i32, cls: f32): bool {
  if (!(cls >= 0 && cls < <f32>cols) || cls != Mathf.floor(cls)) return false;
  let p = load<f32>(row + (<usize>(<i32>cls) << 2));
  if (p != p) p = -Infinity;
  let larger = 0;
  for (let j = 0; j < cols; j++) larger += i32(load<f32>(row + (<usize>j << 2)) > p);
  return larger < TOP_K;
}

/**
 * counts[2·bucket + label] += 1 (i32) per (prediction, target) pair: bucket = clamp(ceil(p·(buckets−1)) − 1,
 * 0, buckets−1) in f32, label = target > 0.5 (NaN predictions count in bucket 0).
 */
export function thresholdCounts(n: i32, pred: usize, target: usize, buckets: i32, counts: usize): void {
  const scale = <f32>(buckets - 1);
  const top = buckets - 1;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const c = Mathf.ceil(load<f32>(pred + o) * scale) - 1;
    // NaN fails both comparisons and lands in bucket 0.
    const bucket = c > 0 ? (c < <f32>top ? <i32>c : top) : 0;
    const at = counts + (<usize>(2 * bucket + i32(load<f32>(target + o) > 0.5)) << 2);
    store<i32>(at, load<i32>(at) + 1);
  }
}
