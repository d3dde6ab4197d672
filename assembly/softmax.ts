// Row-wise softmax and its backward pass. Rows start at arbitrary 4-byte offsets (cols is not
// a multiple of 4), so loads are unaligned; each row has a v128 main loop and a scalar tail.
import { expV, madd, lane0 } from './math';

/** Horizontal sum of the four lanes. */
@inline export function hsum(v: v128): f32 {
  const s = f32x4.add(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(f32x4.add(s, i32x4.shuffle(s, s, 1, 0, 3, 2)), 0);
}

/** Horizontal max of the four lanes. */
@inline export function hmax(v: v128): f32 {
  const s = f32x4.max(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(f32x4.max(s, i32x4.shuffle(s, s, 1, 0, 3, 2)), 0);
}

/** Maximum of `cols` floats at `row`. */
@inline export function rowMax(row: usize, rowBytes: usize): f32 {
  let j: usize = 0;
  let mx: f32 = -Infinity;
  if (rowBytes >= 16) {
    let v = v128.load(row);
    for (j = 16; j + 16 <= rowBytes; j += 16) v = f32x4.max(v, v128.load(row + j));
    mx = hmax(v);
  }
  for (; j < rowBytes; j += 4) mx = max(mx, load<f32>(row + j));
  return mx;
}

/** y = softmax(x) per row, max-subtracted. In-place allowed. */
export function softmax(rows: i32, cols: i32, x: usize, y: usize): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes, yr = y + <usize>r * rowBytes;
    const mx = rowMax(xr, rowBytes);
    const m4 = f32x4.splat(mx);
    let acc = f32x4.splat(0);
    let sum: f32 = 0;
    let j: usize = 0;
    for (; j + 16 <= rowBytes; j += 16) {
      const e = expV(f32x4.sub(v128.load(xr + j), m4));
      acc = f32x4.add(acc, e);
      v128.store(yr + j, e);
    }
    for (; j < rowBytes; j += 4) {
      const e = lane0(expV(f32x4.splat(load<f32>(xr + j) - mx)));
      sum += e;
      store<f32>(yr + j, e);
    }
    sum += hsum(acc);
    const inv: f32 = 1 / sum;
    const i4 = f32x4.splat(inv);
    for (j = 0; j + 16 <= rowBytes; j += 16) v128.store(yr + j, f32x4.mul(v128.load(yr + j), i4));
    for (; j < rowBytes; j += 4) store<f32>(yr + j, load<f32>(yr + j) * inv);
  }
}

/** dx = y ⊙ (dy − Σ_j dy·y) per row. In-place (dx = dy) allowed. */
export function softmaxGrad(rows: i32, cols: i32, y: usize, dy: usize, dx: usize): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * rowBytes;
    const yr = y + o, dyr = dy + o, dxr = dx + o;
    let acc = f32x4.splat(0);
    let dot: f32 = 0;
    let j: usize = 0;
    for (; j + 16 <= rowBytes; j += 16) acc = madd(v128.load(dyr + j), v128.load(yr + j), acc);
    for (; j < rowBytes; j += 4) dot += load<f32>(dyr + j) * load<f32>(yr + j);
    dot += hsum(acc);
    const d4 = f32x4.splat(dot);
    for (j = 0; j + 16 <= rowBytes; j += 16) {
      v128.store(dxr + j, f32x4.mul(v128.load(yr + j), f32x4.sub(v128.load(dyr + j), d4)));
    }
    for (; j < rowBytes; j += 4) store<f32>(dxr + j, load<f32>(yr + j) * (load<f32>(dyr + j) - dot));
  }
}
