// Elementwise activations (forward and backward), softmax-free; see softmax.ts for that.
// The exported kernels switch on the activation once, outside the loop: each case inlines
// `mapForward`/`mapBackward` with a constant code, so the inner switch folds away.
import { Act } from './codes';
import { expV, expm1V, log1pV, sigmoidV, tanhV, normCdfV, normPdfV, madd, splat, lane0 } from './math';

const SELU_SCALE: f32 = 1.0507009873554805;
const SELU_ALPHA: f32 = 1.6732632423543772;

/** softplus(x) = max(x, 0) + log1p(e^−|x|): no overflow for large |x|. */
@inline function softplusV(x: v128): v128 {
  return f32x4.add(f32x4.pmax(f32x4.splat(0), x), log1pV(expV(f32x4.neg(f32x4.abs(x)))));
}

/** f(x) for one vector; `alpha` parameterises leakyRelu and elu. */
@inline function forwardV(act: i32, x: v128, alpha: v128): v128 {
  const zero = f32x4.splat(0);
  switch (act) {
    case Act.step: return v128.and(f32x4.ge(x, zero), splat(1));
    case Act.sigmoid: return sigmoidV(x);
    case Act.tanh: return tanhV(x);
    case Act.relu: return f32x4.pmax(zero, x); // x > 0 ? x : 0
    case Act.leakyRelu: return v128.bitselect(x, f32x4.mul(alpha, x), f32x4.gt(x, zero));
    case Act.elu: return v128.bitselect(x, f32x4.mul(alpha, expm1V(f32x4.min(x, zero))), f32x4.gt(x, zero));
    case Act.selu: {
      const neg = f32x4.mul(splat(SELU_ALPHA), expm1V(f32x4.min(x, zero)));
      return f32x4.mul(splat(SELU_SCALE), v128.bitselect(x, neg, f32x4.gt(x, zero)));
    }
    case Act.softplus: // max(x, 0) + log1p(e^−|x|): no overflow for large |x|
      return f32x4.add(f32x4.pmax(zero, x), log1pV(expV(f32x4.neg(f32x4.abs(x)))));
    case Act.swish: return f32x4.mul(x, sigmoidV(x));
    case Act.gelu: return f32x4.mul(x, normCdfV(x));
    case Act.mish: return f32x4.mul(x, tanhV(softplusV(x)));
    default: return x; // linear
  }
}

/** f′(x) for one vector, given x and y = f(x). */
@inline function derivativeV(act: i32, x: v128, y: v128, alpha: v128): v128 {
  const zero = f32x4.splat(0);
  const one = splat(1);
  switch (act) {
    case Act.step: return zero;
    case Act.sigmoid: return f32x4.mul(y, f32x4.sub(one, y));
    case Act.tanh: return f32x4.sub(one, f32x4.mul(y, y));
    case Act.relu: return v128.and(f32x4.gt(x, zero), one);
    case Act.leakyRelu: return v128.bitselect(one, alpha, f32x4.gt(x, zero));
    // alpha·e^x from x, not y + alpha, which would cancel where y saturates far left.
    case Act.elu: return v128.bitselect(one, f32x4.mul(alpha, expV(f32x4.min(x, zero))), f32x4.gt(x, zero));
    case Act.selu: {
      const neg = f32x4.mul(splat(SELU_SCALE * SELU_ALPHA), expV(f32x4.min(x, zero)));
      return v128.bitselect(splat(SELU_SCALE), neg, f32x4.gt(x, zero));
    }
    case Act.softplus: return sigmoidV(x);
    case Act.swish: { // s + x·s·(1 − s)
      const s = sigmoidV(x);
      return madd(f32x4.mul(x, s), f32x4.sub(one, s), s);
    }
    case Act.gelu: return madd(x, normPdfV(x), normCdfV(x)); // Φ(x) + x·φ(x)
    case Act.mish: { // t + x·(1 − t²)·σ(x), t = tanh(softplus(x))
      const t = tanhV(softplusV(x));
      return madd(f32x4.mul(x, f32x4.sub(one, f32x4.mul(t, t))), sigmoidV(x), t);
    }
    default: return one; // linear
  }
}

@inline function mapForward(act: i32, n: i32, x: usize, y: usize, alpha: f32): void {
  const a = f32x4.splat(alpha);
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) v128.store(y + i, forwardV(act, v128.load(x + i), a));
  for (; i < end; i += 4) store<f32>(y + i, lane0(forwardV(act, f32x4.splat(load<f32>(x + i)), a)));
}

@inline function mapBackward(act: i32, n: i32, x: usize, y: usize, dy: usize, dx: usize, alpha: f32): void {
  const a = f32x4.splat(alpha);
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) {
    const d = derivativeV(act, v128.load(x + i), v128.load(y + i), a);
    v128.store(dx + i, f32x4.mul(v128.load(dy + i), d));
  }
  for (; i < end; i += 4) {
    const d = derivativeV(act, f32x4.splat(load<f32>(x + i)), f32x4.splat(load<f32>(y + i)), a);
    store<f32>(dx + i, load<f32>(dy + i) * lane0(d));
  }
}

/** y = f(x) over n floats; in-place (x = y) allowed. Offsets in bytes. */
export function activation(act: i32, n: i32, x: usize, y: usize, alpha: f32): void {
  switch (act) {
    case Act.linear: if (x != y) memory.copy(y, x, <usize>n << 2); break;
    case Act.step: mapForward(Act.step, n, x, y, alpha); break;
    case Act.sigmoid: mapForward(Act.sigmoid, n, x, y, alpha); break;
    case Act.tanh: mapForward(Act.tanh, n, x, y, alpha); break;
    case Act.relu: mapForward(Act.relu, n, x, y, alpha); break;
    case Act.leakyRelu: mapForward(Act.leakyRelu, n, x, y, alpha); break;
    case Act.elu: mapForward(Act.elu, n, x, y, alpha); break;
    case Act.selu: mapForward(Act.selu, n, x, y, alpha); break;
    case Act.softplus: mapForward(Act.softplus, n, x, y, alpha); break;
    case Act.swish: mapForward(Act.swish, n, x, y, alpha); break;
    case Act.gelu: mapForward(Act.gelu, n, x, y, alpha); break;
    case Act.mish: mapForward(Act.mish, n, x, y, alpha); break;
    default: unreachable();
  }
}

/** dx = dy ⊙ f′(x), given x and y = f(x); in-place (dx = dy) allowed. */
export function activationGrad(act: i32, n: i32, x: usize, y: usize, dy: usize, dx: usize, alpha: f32): void {
  switch (act) {
    case Act.linear: if (dx != dy) memory.copy(dx, dy, <usize>n << 2); break;
    case Act.step: memory.fill(dx, 0, <usize>n << 2); break;
    case Act.sigmoid: mapBackward(Act.sigmoid, n, x, y, dy, dx, alpha); break;
    case Act.tanh: mapBackward(Act.tanh, n, x, y, dy, dx, alpha); break;
    case Act.relu: mapBackward(Act.relu, n, x, y, dy, dx, alpha); break;
    case Act.leakyRelu: mapBackward(Act.leakyRelu, n, x, y, dy, dx, alpha); break;
    case Act.elu: mapBackward(Act.elu, n, x, y, dy, dx, alpha); break;
    case Act.selu: mapBackward(Act.selu, n, x, y, dy, dx, alpha); break;
    case Act.softplus: mapBackward(Act.softplus, n, x, y, dy, dx, alpha); break;
    case Act.swish: mapBackward(Act.swish, n, x, y, dy, dx, alpha); break;
    case Act.gelu: mapBackward(Act.gelu, n, x, y, dy, dx, alpha); break;
    case Act.mish: mapBackward(Act.mish, n, x, y, dy, dx, alpha); break;
    default: unreachable();
  }
}

/** PReLU, one alpha per column: y = x > 0 ? x : alpha[j]·x. */
export function prelu(rows: i32, cols: i32, x: usize, alpha: usize, y: usize): void {
  const rowBytes = <usize>cols << 2;
  const zero = f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes, yr = y + <usize>r * rowBytes;
    let j: usize = 0;
    for (; j + 16 <= rowBytes; j += 16) {
      const v = v128.load(xr + j);
      v128.store(yr + j, v128.bitselect(v, f32x4.mul(v128.load(alpha + j), v), f32x4.gt(v, zero)));
    }
    for (; j < rowBytes; j += 4) {
      const v = load<f32>(xr + j);
      store<f32>(yr + j, v > 0 ? v : load<f32>(alpha + j) * v);
    }
  }
}

/** dx = dy·(x > 0 ? 1 : alpha[j]); dalpha[j] += Σ_i dy·x over x ≤ 0. In-place (dx = dy) allowed. */
export function preluGrad(rows: i32, cols: i32, x: usize, alpha: usize, dy: usize, dx: usize, dalpha: usize): void {
  const rowBytes = <usize>cols << 2;
  const zero = f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * rowBytes;
    const xr = x + o, dyr = dy + o, dxr = dx + o;
    let j: usize = 0;
    for (; j + 16 <= rowBytes; j += 16) {
      const v = v128.load(xr + j), g = v128.load(dyr + j);
      const pos = f32x4.gt(v, zero);
      v128.store(dalpha + j, f32x4.add(v128.load(dalpha + j), v128.andnot(f32x4.mul(g, v), pos)));
      v128.store(dxr + j, v128.bitselect(g, f32x4.mul(g, v128.load(alpha + j)), pos));
    }
    for (; j < rowBytes; j += 4) {
      const v = load<f32>(xr + j), g = load<f32>(dyr + j);
      if (v > 0) store<f32>(dxr + j, g);
      else {
        store<f32>(dalpha + j, load<f32>(dalpha + j) + g * v);
        store<f32>(dxr + j, g * load<f32>(alpha + j));
      }
    }
  }
}
