// SIMD maths on f32x4 lanes: exp, expm1, log, log1p, tanh, sigmoid, erf, normal CDF/PDF.
// Cephes-style range reduction + polynomials; ~1-2 ulp for exp/log, ~1e-7 relative for erf.
// Every function is @inline so callers' loops hold no calls; scalar tails run the same
// code on a splatted lane (see `lane0`), so tails and main loops agree bit for bit.

/** a·b + c; a fused multiply-add in the relaxed-SIMD build, mul then add otherwise. */
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** c − a·b (fused in the relaxed build). */
@inline export function nmadd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_nmadd(a, b, c);
  return f32x4.sub(c, f32x4.mul(a, b));
}

@inline export function splat(x: f32): v128 {
  return f32x4.splat(x);
}

/** Runs a vector function's result on one lane: first lane of `v` as a scalar. */
@inline export function lane0(v: v128): f32 {
  return f32x4.extract_lane(v, 0);
}

// ---- exp / expm1 -------------------------------------------------------------------------

const EXP_HI: f32 = 88.3762626647949; // largest x with 2^n still a normal f32 (n <= 127)
const EXP_LO: f32 = -87.33654475; // ln(FLT_MIN): below it the result is flushed to 0
const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375; // ln 2 split so n·LN2_HI is exact
const LN2_LO: f32 = -2.12194440e-4;

/** Clamps x to the range where 2^n stays a normal f32. */
@inline function expClamp(x: v128): v128 {
  return f32x4.min(f32x4.max(x, splat(EXP_LO)), splat(EXP_HI));
}

/** n = round(x / ln 2) for a clamped x. */
@inline function expN(xc: v128): v128 {
  return f32x4.nearest(f32x4.mul(xc, splat(LOG2E)));
}

/** 2^n for integral n in [−126, 127], built from the exponent bits. */
@inline function pow2V(n: v128): v128 {
  return i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
}

/** expm1(r) for r = x − n·ln2 (|r| ≤ ln2/2): r + r²·P(r), the Cephes expf polynomial. */
@inline function expm1Reduced(xc: v128, n: v128): v128 {
  let r = nmadd(n, splat(LN2_HI), xc);
  r = nmadd(n, splat(LN2_LO), r);
  let p = madd(splat(1.9875691500e-4), r, splat(1.3981999507e-3));
  p = madd(p, r, splat(8.3334519073e-3));
  p = madd(p, r, splat(4.1665795894e-2));
  p = madd(p, r, splat(1.6666665459e-1));
  p = madd(p, r, splat(5.0000001201e-1));
  return madd(p, f32x4.mul(r, r), r);
}

/** e^x per lane (0 below ln(FLT_MIN), saturates near 2.4e38 above 88.37). */
@inline export function expV(x: v128): v128 {
  const xc = expClamp(x);
  const n = expN(xc);
  const s = pow2V(n);
  const y = madd(s, expm1Reduced(xc, n), s);
  return v128.andnot(y, f32x4.lt(x, splat(EXP_LO)));
}

/** e^x − 1 per lane, accurate near 0: 2^n·expm1(r) + (2^n − 1). */
@inline export function expm1V(x: v128): v128 {
  const xc = expClamp(x);
  const n = expN(xc);
  const s = pow2V(n);
  return madd(s, expm1Reduced(xc, n), f32x4.sub(s, splat(1)));
}

// ---- log / log1p -------------------------------------------------------------------------

/** ln x per lane for positive normal x (Cephes logf). */
@inline export function logV(x: v128): v128 {
  const bits = x;
  let e = i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(126)); // sign bit assumed 0
  let m = v128.or(v128.and(bits, i32x4.splat(0x807fffff)), i32x4.splat(0x3f000000)); // [0.5, 1)
  const small = f32x4.lt(m, splat(0.707106781186547524));
  e = i32x4.add(e, small); // small lanes are -1: e -= 1
  let f = f32x4.add(f32x4.sub(m, splat(1)), v128.and(m, small)); // 2m−1 or m−1
  const ef = f32x4.convert_i32x4_s(e);
  const z = f32x4.mul(f, f);
  let p = madd(splat(7.0376836292e-2), f, splat(-1.1514610310e-1));
  p = madd(p, f, splat(1.1676998740e-1));
  p = madd(p, f, splat(-1.2420140846e-1));
  p = madd(p, f, splat(1.4249322787e-1));
  p = madd(p, f, splat(-1.6668057665e-1));
  p = madd(p, f, splat(2.0000714765e-1));
  p = madd(p, f, splat(-2.4999993993e-1));
  p = madd(p, f, splat(3.3333331174e-1));
  let y = f32x4.mul(f32x4.mul(p, f), z);
  y = madd(ef, splat(-2.12194440e-4), y);
  y = nmadd(splat(0.5), z, y);
  const r = f32x4.add(f, y);
  return madd(ef, splat(0.693359375), r);
}

/** ln(1 + x) per lane for x > −1, with the rounding of 1 + x corrected. */
@inline export function log1pV(x: v128): v128 {
  const u = f32x4.add(splat(1), x);
  const c = f32x4.div(f32x4.sub(x, f32x4.sub(u, splat(1))), u);
  return f32x4.add(logV(u), c);
}

// ---- sigmoid / tanh ----------------------------------------------------------------------

/** 1 / (1 + e^−x). */
@inline export function sigmoidV(x: v128): v128 {
  return f32x4.div(splat(1), f32x4.add(splat(1), expV(f32x4.neg(x))));
}

/** tanh: odd polynomial below |x| = 0.625, else sign(x)·(1 − 2/(e^{2|x|} + 1)). */
@inline export function tanhV(x: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = madd(splat(-5.70498872745e-3), z, splat(2.06390887954e-2));
  p = madd(p, z, splat(-5.37397155531e-2));
  p = madd(p, z, splat(1.33314422036e-1));
  p = madd(p, z, splat(-3.33332819422e-1));
  const small = madd(f32x4.mul(p, z), x, x);
  const e = expV(f32x4.add(ax, ax));
  const big = f32x4.sub(splat(1), f32x4.div(splat(2), f32x4.add(e, splat(1))));
  const signed = v128.or(big, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(small, signed, f32x4.lt(ax, splat(0.625)));
}

// ---- erf and the normal distribution -------------------------------------------------------

/** erf by its Taylor series, for |x| < 0.5 (truncation error < 1e-9 relative). */
@inline function erfSmallV(x: v128): v128 {
  const z = f32x4.mul(x, x);
  let p = madd(splat(1.0 / 9360.0), z, splat(-1.0 / 1320.0));
  p = madd(p, z, splat(1.0 / 216.0));
  p = madd(p, z, splat(-1.0 / 42.0));
  p = madd(p, z, splat(1.0 / 10.0));
  p = madd(p, z, splat(-1.0 / 3.0));
  p = madd(p, z, splat(1.0));
  return f32x4.mul(f32x4.mul(p, x), splat(1.1283791670955126)); // 2/√π
}

/** erfc(a) for a ≥ 0 (Numerical Recipes' Chebyshev fit, fractional error < 1.2e-7). */
@inline function erfcPosV(a: v128): v128 {
  const t = f32x4.div(splat(1), madd(splat(0.5), a, splat(1)));
  let p = madd(splat(0.17087277), t, splat(-0.82215223));
  p = madd(p, t, splat(1.48851587));
  p = madd(p, t, splat(-1.13520398));
  p = madd(p, t, splat(0.27886807));
  p = madd(p, t, splat(-0.18628806));
  p = madd(p, t, splat(0.09678418));
  p = madd(p, t, splat(0.37409196));
  p = madd(p, t, splat(1.00002368));
  p = madd(p, t, splat(-1.26551223));
  return f32x4.mul(t, expV(nmadd(a, a, p)));
}

/** erf per lane. */
@inline export function erfV(x: v128): v128 {
  const ax = f32x4.abs(x);
  const big = f32x4.sub(splat(1), erfcPosV(ax));
  const signed = v128.or(big, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(erfSmallV(x), signed, f32x4.lt(ax, splat(0.5)));
}

/** Φ(x), the standard normal CDF = 0.5·(1 + erf(x/√2)), accurate in both tails. */
@inline export function normCdfV(x: v128): v128 {
  const u = f32x4.mul(x, splat(0.7071067811865476));
  const au = f32x4.abs(u);
  const half = f32x4.mul(splat(0.5), erfcPosV(au)); // Φ(−|x|)
  const tail = v128.bitselect(f32x4.sub(splat(1), half), half, f32x4.gt(u, splat(0)));
  const mid = madd(splat(0.5), erfSmallV(u), splat(0.5));
  return v128.bitselect(mid, tail, f32x4.lt(au, splat(0.5)));
}

/** φ(x) = e^{−x²/2}/√(2π). */
@inline export function normPdfV(x: v128): v128 {
  return f32x4.mul(expV(f32x4.mul(f32x4.mul(x, x), splat(-0.5))), splat(0.3989422804014327));
}

// ---- test hook -----------------------------------------------------------------------------

/** Which approximation `mathEval` applies (tests only). */
export enum MathFn { exp = 0, expm1 = 1, log = 2, log1p = 3, tanh = 4, erf = 5, sigmoid = 6, normCdf = 7 }

@inline function mathApply(fn: i32, v: v128): v128 {
  switch (fn) {
    case MathFn.exp: return expV(v);
    case MathFn.expm1: return expm1V(v);
    case MathFn.log: return logV(v);
    case MathFn.log1p: return log1pV(v);
    case MathFn.tanh: return tanhV(v);
    case MathFn.erf: return erfV(v);
    case MathFn.sigmoid: return sigmoidV(v);
    default: return normCdfV(v);
  }
}

/** y[i] = fn(x[i]) with the SIMD approximations (for accuracy tests). */
export function mathEval(fn: i32, n: i32, x: usize, y: usize): void {
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) v128.store(y + i, mathApply(fn, v128.load(x + i)));
  for (; i < end; i += 4) store<f32>(y + i, lane0(mathApply(fn, f32x4.splat(load<f32>(x + i)))));
}
