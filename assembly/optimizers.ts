// Optimizer updates (TensorFlow.js tf.train rules), one fused pass over a parameter buffer,
// and the L1/L2 regularizer. See OptimizerParams in src/backend/contract.ts for the formulas.
import { Opt } from './codes';
import { madd, nmadd } from './math';

/**
 * Clamp to [−clip, clip]; clip = +∞ when clipping is off. pmin/pmax are one instruction each
 * on x86 (min/max are ~8 for their NaN and −0 rules); with g first, a NaN g passes through.
 */
@inline function clampV(g: v128, clip: v128): v128 {
  return f32x4.pmin(f32x4.pmax(g, f32x4.neg(clip)), clip);
}

/**
 * One element-vector of the update. w, g and the states are loaded by the caller and stored
 * back through the `out*` pointers so one body serves the v128 loop and the scalar tail.
 */
@inline function updateV(
  kind: i32, w: usize, g: usize, s1: usize, s2: usize, s3: usize, i: usize, lanes: i32,
  lr: v128, p1: v128, p2: v128, p3: v128, p4: v128, eps: v128, wdLr: v128, clip: v128,
): void {
  const one = f32x4.splat(1);
  let wv = lanes == 4 ? v128.load(w + i) : f32x4.splat(load<f32>(w + i));
  let gv = clampV(lanes == 4 ? v128.load(g + i) : f32x4.splat(load<f32>(g + i)), clip);
  let a = f32x4.splat(0), b = f32x4.splat(0), c = f32x4.splat(0);
  switch (kind) {
    case Opt.sgd: wv = nmadd(lr, gv, wv); break;
    case Opt.momentum: case Opt.nesterov: {
      a = madd(p1, loadV(s1, i, lanes), gv);
      wv = kind == Opt.momentum ? nmadd(lr, a, wv) : nmadd(lr, madd(p1, a, gv), wv);
      break;
    }
    case Opt.adagrad: {
      a = madd(gv, gv, loadV(s1, i, lanes));
      wv = nmadd(lr, f32x4.div(gv, f32x4.sqrt(f32x4.add(a, eps))), wv);
      break;
    }
    case Opt.rmsprop: case Opt.rmspropCentered: {
      const oneMinus = f32x4.sub(one, p1);
      a = madd(p1, loadV(s1, i, lanes), f32x4.mul(oneMinus, f32x4.mul(gv, gv)));
      let denom = a;
      if (kind == Opt.rmspropCentered) {
        c = madd(p1, loadV(s3, i, lanes), f32x4.mul(oneMinus, gv));
        denom = nmadd(c, c, a);
      }
      b = madd(p2, loadV(s2, i, lanes), f32x4.div(f32x4.mul(lr, gv), f32x4.sqrt(f32x4.add(denom, eps))));
      wv = f32x4.sub(wv, b);
      break;
    }
    default: { // adam, adamw
      if (kind == Opt.adamw) wv = nmadd(wdLr, wv, wv);
      a = madd(p1, loadV(s1, i, lanes), f32x4.mul(f32x4.sub(one, p1), gv));
      b = madd(p2, loadV(s2, i, lanes), f32x4.mul(f32x4.sub(one, p2), f32x4.mul(gv, gv)));
      // lr·(m / c1) / (sqrt(v / c2) + eps) with lr/c1 and 1/c2 hoisted (p3, p4 hold them here):
      // two divisions fewer per element, within an ulp of the textbook form.
      wv = f32x4.sub(wv, f32x4.div(f32x4.mul(p3, a), f32x4.add(f32x4.sqrt(f32x4.mul(b, p4)), eps)));
    }
  }
  storeV(w, i, lanes, wv);
  if (kind != Opt.sgd) storeV(s1, i, lanes, flush(a));
  if (kind == Opt.rmsprop || kind == Opt.rmspropCentered || kind == Opt.adam || kind == Opt.adamw) storeV(s2, i, lanes, flush(b));
  if (kind == Opt.rmspropCentered) storeV(s3, i, lanes, flush(c));
}

/**
 * Optimizer state below the smallest normal f32 is stored as 0. A parameter whose gradient stays
 * 0 (a dead ReLU unit, batch 1) decays its moments geometrically into denormals, and x86 runs
 * denormal arithmetic several times slower: at batch 1 the Adam pass took 2.3× as long. The
 * change to the update is below 1e-30.
 */
@inline function flush(v: v128): v128 {
  return v128.and(v, f32x4.ge(f32x4.abs(v), f32x4.splat(1.17549435e-38)));
}

@inline function loadV(p: usize, i: usize, lanes: i32): v128 {
  return lanes == 4 ? v128.load(p + i) : f32x4.splat(load<f32>(p + i));
}

@inline function storeV(p: usize, i: usize, lanes: i32, v: v128): void {
  if (lanes == 4) v128.store(p + i, v);
  else store<f32>(p + i, f32x4.extract_lane(v, 0));
}

@inline function updateAll(
  kind: i32, n: i32, w: usize, g: usize, s1: usize, s2: usize, s3: usize,
  lr: f32, p1: f32, p2: f32, p3: f32, p4: f32, eps: f32, weightDecay: f32, clipValue: f32,
): void {
  const adam = kind == Opt.adam || kind == Opt.adamw;
  const lr4 = f32x4.splat(lr), p14 = f32x4.splat(p1), p24 = f32x4.splat(p2);
  const p34 = f32x4.splat(adam ? lr / p3 : p3), p44 = f32x4.splat(adam ? 1 / p4 : p4);
  const eps4 = f32x4.splat(eps), wdLr4 = f32x4.splat(lr * weightDecay);
  const clip4 = f32x4.splat(clipValue > 0 ? clipValue : Infinity);
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) updateV(kind, w, g, s1, s2, s3, i, 4, lr4, p14, p24, p34, p44, eps4, wdLr4, clip4);
  for (; i < end; i += 4) updateV(kind, w, g, s1, s2, s3, i, 1, lr4, p14, p24, p34, p44, eps4, wdLr4, clip4);
}

/** One optimizer step over n parameters; s1..s3 are the state buffers the rule needs. */
export function optimizerStep(
  kind: i32, n: i32, w: usize, g: usize, s1: usize, s2: usize, s3: usize,
  lr: f32, p1: f32, p2: f32, p3: f32, p4: f32, eps: f32, weightDecay: f32, clipValue: f32,
): void {
  switch (kind) {
    case Opt.sgd: updateAll(Opt.sgd, n, w, g, s1, s2, s3, lr, p1, p2, p3, p4, eps, weightDecay, clipValue); break;
    case Opt.momentum: updateAll(Opt.momentum, n, w, g, s1, s2, s3, lr, p1, p2, p3, p4, eps, weightDecay, clipValue); break;
    case Opt.nesterov: updateAll(Opt.nesterov, n, w, g, s1, s2, s3, lr, p1, p2, p3, p4, eps, weightDecay, clipValue); break;
    case Opt.adagrad: updateAll(Opt.adagrad, n, w, g, s1, s2, s3, lr, p1, p2, p3, p4, eps, weightDecay, clipValue); break;
    case Opt.rmsprop: updateAll(Opt.rmsprop, n, w, g, s1, s2, s3, lr, p1, p2, p3, p4, eps, weightDecay, clipValue); break;
    case Opt.rmspropCentered: updateAll(Opt.rmspropCentered, n, w, g, s1, s2, s3, lr, p1, p2, p3, p4, eps, weightDecay, clipValue); break;
    case Opt.adam: updateAll(Opt.adam, n, w, g, s1, s2, s3, lr, p1, p2, p3, p4, eps, weightDecay, clipValue); break;
    case Opt.adamw: updateAll(Opt.adamw, n, w, g, s1, s2, s3, lr, p1, p2, p3, p4, eps, weightDecay, clipValue); break;
    default: unreachable();
  }
}

/** g += l1·sign(w) + 2·l2·w (sign(0) = 0); returns l1·Σ|w| + l2·Σw² accumulated in f64. */
export function regularize(n: i32, w: usize, g: usize, l1: f32, l2: f32): f64 {
  const end = <usize>n << 2;
  const l14 = f32x4.splat(l1), l24 = f32x4.splat(l2 + l2);
  const zero = f32x4.splat(0), one = f32x4.splat(1);
  let abs0 = f64x2.splat(0), sq0 = f64x2.splat(0);
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) {
    const v = v128.load(w + i);
    const sign = f32x4.sub(v128.and(f32x4.gt(v, zero), one), v128.and(f32x4.lt(v, zero), one));
    v128.store(g + i, madd(l24, v, madd(l14, sign, v128.load(g + i))));
    const lo = f64x2.promote_low_f32x4(v), hi = f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
    abs0 = f64x2.add(abs0, f64x2.add(f64x2.abs(lo), f64x2.abs(hi)));
    sq0 = f64x2.add(sq0, f64x2.add(f64x2.mul(lo, lo), f64x2.mul(hi, hi)));
  }
  let sumAbs = f64x2.extract_lane(abs0, 0) + f64x2.extract_lane(abs0, 1);
  let sumSq = f64x2.extract_lane(sq0, 0) + f64x2.extract_lane(sq0, 1);
  for (; i < end; i += 4) {
    const v = load<f32>(w + i);
    const sign: f32 = v > 0 ? 1 : v < 0 ? -1 : 0;
    store<f32>(g + i, load<f32>(g + i) + l1 * sign + (l2 + l2) * v);
    sumAbs += <f64>abs(v);
    sumSq += <f64>v * <f64>v;
  }
  return <f64>l1 * sumAbs + <f64>l2 * sumSq;
}
