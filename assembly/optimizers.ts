// Optimizer updates (TensorFlow.js / Keras 3 rules), one fused pass over a parameter buffer.
// The rules' formulas, codes and state slots are declared in src/optimizers/rules.ts (codes and
// slots reach this file through the generated codes.ts).
import { Opt, optimizerSlots } from './codes';
import { madd, nmadd } from './math';

/**
 * Clamp to [−clip, clip]; clip = +∞ when clipping is off. pmin/pmax are one instruction each
 * on x86 (min/max are ~8 for their NaN and −0 rules); with g first, a NaN g passes through.
 */
@inline function clampV(g: v128, negClip: v128, clip: v128): v128 {
  return f32x4.pmin(f32x4.pmax(g, negClip), clip);
}

/**
 * One element-vector of the update, out of place: reads wIn, g and the state slots at sIn
 * (slot k at sIn + k·slot bytes), writes wOut and the slots at sOut, one body for the v128 loop
 * and the scalar tail. Every input of element i is loaded before any output is stored, so
 * in place (wOut = wIn, sOut = sIn) is exact.
 */
@inline function updateV(
  kind: i32, clipped: bool, wIn: usize, g: usize, sIn: usize, wOut: usize, sOut: usize, slot: usize, i: usize, lanes: i32,
  lr: v128, p1: v128, p2: v128, p3: v128, p4: v128, eps: v128, wdLr: v128, clip: v128, p5: v128, q1: v128, q2: v128, negClip: v128,
): v128 {
  let wv = loadV(wIn, i, lanes);
  let gv = loadV(g, i, lanes);
  if (clipped) gv = clampV(gv, negClip, clip);
  let a = f32x4.splat(0), b = f32x4.splat(0), c = f32x4.splat(0);
  switch (kind) {
    case Opt.sgd: wv = nmadd(lr, gv, wv); break;
    case Opt.momentum: case Opt.nesterov: {
      a = madd(p1, loadV(sIn, i, lanes), gv);
      wv = kind == Opt.momentum ? nmadd(lr, a, wv) : nmadd(lr, madd(p1, a, gv), wv);
      break;
    }
    case Opt.adagrad: {
      a = madd(gv, gv, loadV(sIn, i, lanes));
      wv = nmadd(lr, f32x4.div(gv, f32x4.sqrt(f32x4.add(a, eps))), wv);
      break;
    }
    case Opt.rmsprop: case Opt.rmspropCentered: {
      a = madd(p1, loadV(sIn, i, lanes), f32x4.mul(q1, f32x4.mul(gv, gv)));
      let denom = a;
      if (kind == Opt.rmspropCentered) {
        c = madd(p1, loadV(sIn + 2 * slot, i, lanes), f32x4.mul(q1, gv));
        denom = nmadd(c, c, a);
      }
      b = madd(p2, loadV(sIn + slot, i, lanes), f32x4.div(f32x4.mul(lr, gv), f32x4.sqrt(f32x4.add(denom, eps))));
      wv = f32x4.sub(wv, b);
      break;
    }
    case Opt.adamax: {
      a = madd(p1, loadV(sIn, i, lanes), f32x4.mul(q1, gv));
      b = f32x4.max(f32x4.mul(p2, loadV(sIn + slot, i, lanes)), f32x4.abs(gv));
      // lr·m / (c1·(u + eps)) with lr/c1 hoisted into p3.
      wv = f32x4.sub(wv, f32x4.div(f32x4.mul(p3, a), f32x4.add(b, eps)));
      break;
    }
    case Opt.nadam: {
      a = madd(p1, loadV(sIn, i, lanes), f32x4.mul(q1, gv));
      b = madd(p2, loadV(sIn + slot, i, lanes), f32x4.mul(q2, f32x4.mul(gv, gv)));
      // lr·(mw·m + gw·g) / (sqrt(v / c2) + eps) with lr·mw, lr·gw and 1/c2 hoisted into p3, p4, p5.
      wv = f32x4.sub(wv, f32x4.div(madd(p3, a, f32x4.mul(p4, gv)), f32x4.add(f32x4.sqrt(f32x4.mul(b, p5)), eps)));
      break;
    }
    default: { // adam, adamw
      if (kind == Opt.adamw) wv = nmadd(wdLr, wv, wv);
      a = madd(p1, loadV(sIn, i, lanes), f32x4.mul(q1, gv));
      b = madd(p2, loadV(sIn + slot, i, lanes), f32x4.mul(q2, f32x4.mul(gv, gv)));
      // lr·(m / c1) / (sqrt(v / c2) + eps) with lr/c1 and 1/c2 hoisted (p3, p4 hold them here):
      // two divisions fewer per element, within an ulp of the textbook form.
      wv = f32x4.sub(wv, f32x4.div(f32x4.mul(p3, a), f32x4.add(f32x4.sqrt(f32x4.mul(b, p4)), eps)));
    }
  }
  storeV(wOut, i, lanes, wv);
  // The largest |value| written, as bits (see finiteBits), from the |x| the flush computes anyway.
  let bits = absBits(wv);
  if (kind != Opt.sgd) {
    const aa = absBits(a);
    storeV(sOut, i, lanes, flush(a, aa));
    bits = i32x4.max_s(bits, aa);
  }
  if (optimizerSlots(kind) >= 2) {
    const ba = absBits(b);
    storeV(sOut + slot, i, lanes, flush(b, ba));
    bits = i32x4.max_s(bits, ba);
  }
  if (optimizerSlots(kind) == 3) {
    const ca = absBits(c);
    storeV(sOut + 2 * slot, i, lanes, flush(c, ca));
    bits = i32x4.max_s(bits, ca);
  }
  return bits;
}

/** |v| as i32 bits: ordered as the floats are, +∞ at 0x7f800000 and every NaN above. */
@inline function absBits(v: v128): v128 {
  return v128.and(v, i32x4.splat(0x7fffffff));
}

/**
 * Optimizer state below the smallest normal f32 is stored as 0. A parameter whose gradient stays
 * 0 (a dead ReLU unit, batch 1) decays its moments geometrically into denormals, and x86 runs
 * denormal arithmetic several times slower: at batch 1 the Adam pass took 2.3× as long. The
 * change to the update is below 1e-30. `vAbsBits` = absBits(v), shared with the finiteness check;
 * NaN and ±∞ pass unchanged (the check refuses them).
 */
@inline function flush(v: v128, vAbsBits: v128): v128 {
  return v128.and(v, i32x4.gt_s(vAbsBits, i32x4.splat(0x007fffff)));
}

@inline function loadV(p: usize, i: usize, lanes: i32): v128 {
  return lanes == 4 ? v128.load(p + i) : f32x4.splat(load<f32>(p + i));
}

@inline function storeV(p: usize, i: usize, lanes: i32, v: v128): void {
  if (lanes == 4) v128.store(p + i, v);
  else store<f32>(p + i, f32x4.extract_lane(v, 0));
}

@inline function updateAll(
  kind: i32, clipped: bool, n: i32, wIn: usize, g: usize, sIn: usize, wOut: usize, sOut: usize, slot: usize,
  lr: f32, p1: f32, p2: f32, p3: f32, p4: f32, eps: f32, weightDecay: f32, clipValue: f32, p5: f32,
): f32 {
  const adam = kind == Opt.adam || kind == Opt.adamw;
  const lr4 = f32x4.splat(lr), p14 = f32x4.splat(p1), p24 = f32x4.splat(p2);
  const nadam = kind == Opt.nadam;
  const p34 = f32x4.splat(adam || kind == Opt.adamax ? lr / p3 : nadam ? lr * p3 : p3);
  const p44 = f32x4.splat(adam ? 1 / p4 : nadam ? lr * p4 : p4), p54 = f32x4.splat(nadam ? 1 / p5 : p5);
  const eps4 = f32x4.splat(eps), wdLr4 = f32x4.splat(lr * weightDecay);
  const clip4 = f32x4.splat(clipValue > 0 ? clipValue : Infinity), negClip4 = f32x4.neg(clip4);
  const q14 = f32x4.sub(f32x4.splat(1), p14), q24 = f32x4.sub(f32x4.splat(1), p24);
  const end = <usize>n << 2;
  // The finiteness check rides on the flush's |x| (one max per value written) instead of a second
  // pass over each 4 KB chunk just written: Adam over 235k parameters 330 → 308 µs.
  let bits = i32x4.splat(0);
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) bits = i32x4.max_s(bits, updateV(kind, clipped, wIn, g, sIn, wOut, sOut, slot, i, 4, lr4, p14, p24, p34, p44, eps4, wdLr4, clip4, p54, q14, q24, negClip4));
  for (; i < end; i += 4) bits = i32x4.max_s(bits, updateV(kind, clipped, wIn, g, sIn, wOut, sOut, slot, i, 1, lr4, p14, p24, p34, p44, eps4, wdLr4, clip4, p54, q14, q24, negClip4));
  return finiteBits(bits) ? 0 : NaN;
}

/** Whether every lane of `bits` (from maxAbsBits) stands for a finite value: below +∞'s bits. */
@inline function finiteBits(bits: v128): bool {
  return !v128.any_true(i32x4.ge_s(bits, i32x4.splat(0x7f800000)));
}

/**
 * One optimizer step over n parameters, out of place (in place when wOut = wIn, sOut = sIn):
 * state slot k at sIn + k·slotBytes (resp. sOut). Returns 0 when every value written is finite,
 * NaN otherwise. slotBytes is n·4 for a whole buffer; a thread given a range of it keeps the
 * whole buffer's slot distance. The hyperparameters are the named fields of OptimizerParams
 * (src/optimizers/rules.ts) in its order; each case hands its rule the ones it reads as p1..p4.
 */
export function optimizerStep(
  kind: i32, n: i32, wIn: usize, g: usize, sIn: usize, wOut: usize, sOut: usize, slotBytes: usize,
  learningRate: f32, momentum: f32, rho: f32, beta1: f32, beta2: f32, epsilon: f32, weightDecay: f32, clipValue: f32,
  biasCorrection1: f32, biasCorrection2: f32, firstMomentWeight: f32, gradientWeight: f32,
): f32 {
  const lr = learningRate, eps = epsilon, clip = clipValue;
  switch (kind) {
    case Opt.sgd: return sgdAll(n, wIn, g, sIn, wOut, sOut, slotBytes, lr, 0, 0, 0, 0, 0, 0, clip, 0);
    case Opt.momentum: return momentumAll(n, wIn, g, sIn, wOut, sOut, slotBytes, lr, momentum, 0, 0, 0, 0, 0, clip, 0);
    case Opt.nesterov: return nesterovAll(n, wIn, g, sIn, wOut, sOut, slotBytes, lr, momentum, 0, 0, 0, 0, 0, clip, 0);
    case Opt.adagrad: return adagradAll(n, wIn, g, sIn, wOut, sOut, slotBytes, lr, 0, 0, 0, 0, eps, 0, clip, 0);
    case Opt.rmsprop: return rmspropAll(n, wIn, g, sIn, wOut, sOut, slotBytes, lr, rho, momentum, 0, 0, eps, 0, clip, 0);
    case Opt.rmspropCentered: return rmspropCenteredAll(n, wIn, g, sIn, wOut, sOut, slotBytes, lr, rho, momentum, 0, 0, eps, 0, clip, 0);
    case Opt.adam: return clip > 0
      ? adamClippedAll(n, wIn, g, sIn, wOut, sOut, slotBytes, lr, beta1, beta2, biasCorrection1, biasCorrection2, eps, 0, clip, 0)
      : adamAll(n, wIn, g, sIn, wOut, sOut, slotBytes, lr, beta1, beta2, biasCorrection1, biasCorrection2, eps, 0, clip, 0);
    case Opt.adamw: return clip > 0
      ? adamwClippedAll(n, wIn, g, sIn, wOut, sOut, slotBytes, lr, beta1, beta2, biasCorrection1, biasCorrection2, eps, weightDecay, clip, 0)
      : adamwAll(n, wIn, g, sIn, wOut, sOut, slotBytes, lr, beta1, beta2, biasCorrection1, biasCorrection2, eps, weightDecay, clip, 0);
    case Opt.adamax: return adamaxAll(n, wIn, g, sIn, wOut, sOut, slotBytes, lr, beta1, beta2, biasCorrection1, 0, eps, 0, clip, 0);
    case Opt.nadam: return nadamAll(n, wIn, g, sIn, wOut, sOut, slotBytes, lr, beta1, beta2, firstMomentWeight, gradientWeight, eps, 0, clip, biasCorrection2);
    default: unreachable();
  }
  return NaN;
}

// One wasm function per rule (and, for Adam and AdamW, per clipping): V8 compiles and allocates
// registers per function, and with every rule's loop in one function the Adam loop ran ~20 %
// slower (235k parameters: 330 µs, 262 µs on its own; clipping code beside it, even unused: 284).
// Without clipValue the clamp is the identity, so the other rules keep one loop that always clamps.
function sgdAll(n: i32, wIn: usize, g: usize, sIn: usize, wOut: usize, sOut: usize, slot: usize, lr: f32, p1: f32, p2: f32, p3: f32, p4: f32, eps: f32, wd: f32, clip: f32, p5: f32): f32 {
  return updateAll(Opt.sgd, true, n, wIn, g, sIn, wOut, sOut, slot, lr, p1, p2, p3, p4, eps, wd, clip, p5);
}
function momentumAll(n: i32, wIn: usize, g: usize, sIn: usize, wOut: usize, sOut: usize, slot: usize, lr: f32, p1: f32, p2: f32, p3: f32, p4: f32, eps: f32, wd: f32, clip: f32, p5: f32): f32 {
  return updateAll(Opt.momentum, true, n, wIn, g, sIn, wOut, sOut, slot, lr, p1, p2, p3, p4, eps, wd, clip, p5);
}
function nesterovAll(n: i32, wIn: usize, g: usize, sIn: usize, wOut: usize, sOut: usize, slot: usize, lr: f32, p1: f32, p2: f32, p3: f32, p4: f32, eps: f32, wd: f32, clip: f32, p5: f32): f32 {
  return updateAll(Opt.nesterov, true, n, wIn, g, sIn, wOut, sOut, slot, lr, p1, p2, p3, p4, eps, wd, clip, p5);
}
function adagradAll(n: i32, wIn: usize, g: usize, sIn: usize, wOut: usize, sOut: usize, slot: usize, lr: f32, p1: f32, p2: f32, p3: f32, p4: f32, eps: f32, wd: f32, clip: f32, p5: f32): f32 {
  return updateAll(Opt.adagrad, true, n, wIn, g, sIn, wOut, sOut, slot, lr, p1, p2, p3, p4, eps, wd, clip, p5);
}
function rmspropAll(n: i32, wIn: usize, g: usize, sIn: usize, wOut: usize, sOut: usize, slot: usize, lr: f32, p1: f32, p2: f32, p3: f32, p4: f32, eps: f32, wd: f32, clip: f32, p5: f32): f32 {
  return updateAll(Opt.rmsprop, true, n, wIn, g, sIn, wOut, sOut, slot, lr, p1, p2, p3, p4, eps, wd, clip, p5);
}
function rmspropCenteredAll(n: i32, wIn: usize, g: usize, sIn: usize, wOut: usize, sOut: usize, slot: usize, lr: f32, p1: f32, p2: f32, p3: f32, p4: f32, eps: f32, wd: f32, clip: f32, p5: f32): f32 {
  return updateAll(Opt.rmspropCentered, true, n, wIn, g, sIn, wOut, sOut, slot, lr, p1, p2, p3, p4, eps, wd, clip, p5);
}
function adamAll(n: i32, wIn: usize, g: usize, sIn: usize, wOut: usize, sOut: usize, slot: usize, lr: f32, p1: f32, p2: f32, p3: f32, p4: f32, eps: f32, wd: f32, clip: f32, p5: f32): f32 {
  return updateAll(Opt.adam, false, n, wIn, g, sIn, wOut, sOut, slot, lr, p1, p2, p3, p4, eps, wd, clip, p5);
}
function adamClippedAll(n: i32, wIn: usize, g: usize, sIn: usize, wOut: usize, sOut: usize, slot: usize, lr: f32, p1: f32, p2: f32, p3: f32, p4: f32, eps: f32, wd: f32, clip: f32, p5: f32): f32 {
  return updateAll(Opt.adam, true, n, wIn, g, sIn, wOut, sOut, slot, lr, p1, p2, p3, p4, eps, wd, clip, p5);
}
function adamwAll(n: i32, wIn: usize, g: usize, sIn: usize, wOut: usize, sOut: usize, slot: usize, lr: f32, p1: f32, p2: f32, p3: f32, p4: f32, eps: f32, wd: f32, clip: f32, p5: f32): f32 {
  return updateAll(Opt.adamw, false, n, wIn, g, sIn, wOut, sOut, slot, lr, p1, p2, p3, p4, eps, wd, clip, p5);
}
function adamwClippedAll(n: i32, wIn: usize, g: usize, sIn: usize, wOut: usize, sOut: usize, slot: usize, lr: f32, p1: f32, p2: f32, p3: f32, p4: f32, eps: f32, wd: f32, clip: f32, p5: f32): f32 {
  return updateAll(Opt.adamw, true, n, wIn, g, sIn, wOut, sOut, slot, lr, p1, p2, p3, p4, eps, wd, clip, p5);
}
function adamaxAll(n: i32, wIn: usize, g: usize, sIn: usize, wOut: usize, sOut: usize, slot: usize, lr: f32, p1: f32, p2: f32, p3: f32, p4: f32, eps: f32, wd: f32, clip: f32, p5: f32): f32 {
  return updateAll(Opt.adamax, true, n, wIn, g, sIn, wOut, sOut, slot, lr, p1, p2, p3, p4, eps, wd, clip, p5);
}
function nadamAll(n: i32, wIn: usize, g: usize, sIn: usize, wOut: usize, sOut: usize, slot: usize, lr: f32, p1: f32, p2: f32, p3: f32, p4: f32, eps: f32, wd: f32, clip: f32, p5: f32): f32 {
  return updateAll(Opt.nadam, true, n, wIn, g, sIn, wOut, sOut, slot, lr, p1, p2, p3, p4, eps, wd, clip, p5);
}
