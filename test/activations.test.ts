import { describe, expect, it } from 'vitest';
import { activationNames, activations, erf, isActivationName, type ActivationName } from '../src/activations.js';

/** Points spread over [-8, 8] that avoid the kink at 0 (and stay away from it by > h). */
const points: number[] = [];
for (let x = -8; x <= 8.0001; x += 0.37) if (Math.abs(x) > 1e-3) points.push(Number(x.toFixed(4)));
points.push(-1e-2, 1e-2, 0.5, -0.5, 2.5, -2.5);

function centralDifference(f: (x: number) => number, x: number, h = 1e-5): number {
  return (f(x + h) - f(x - h)) / (2 * h);
}

describe('activation names', () => {
  it('lists the thirteen names of API.md (mish added by issue 14), each present in `activations`', () => {
    expect([...activationNames]).toEqual([
      'linear', 'step', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'elu', 'selu', 'softplus', 'swish', 'gelu', 'mish', 'softmax',
    ]);
    expect(Object.keys(activations).sort()).toEqual([...activationNames].sort());
    for (const name of activationNames) expect(activations[name].name).toBe(name);
  });

  it('isActivationName accepts exactly those names', () => {
    for (const name of activationNames) expect(isActivationName(name)).toBe(true);
    for (const bad of ['Relu', 'leaky_relu', '', 'hardSigmoid', 3, undefined, null]) expect(isActivationName(bad)).toBe(false);
  });
});

describe('derivatives agree with central finite differences', () => {
  it.each(activationNames.map((n) => [n]))('%s', (name: ActivationName) => {
    const act = activations[name];
    let checked = 0;
    for (const x of points) {
      const numeric = centralDifference(act.apply, x);
      expect(act.derivative(x), `${name}'(${x})`).toBeCloseTo(numeric, 6);
      checked++;
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('leakyRelu.withAlpha(0.2) and elu.withAlpha(0.5) too', () => {
    for (const act of [activations.leakyRelu.withAlpha(0.2), activations.elu.withAlpha(0.5)]) {
      for (const x of points) expect(act.derivative(x)).toBeCloseTo(centralDifference(act.apply, x), 6);
    }
  });
});

describe('known values', () => {
  it('sigmoid: σ(0) = 0.5, σ′(0) = 0.25 is the maximum, σ′(±10) ≈ 0', () => {
    const { sigmoid } = activations;
    expect(sigmoid.apply(0)).toBe(0.5);
    expect(sigmoid.derivative(0)).toBe(0.25);
    for (const x of points) expect(sigmoid.derivative(x)).toBeLessThan(0.25);
    expect(sigmoid.derivative(10)).toBeCloseTo(4.5396e-5, 8);
    expect(sigmoid.derivative(-10)).toBeCloseTo(4.5396e-5, 8);
    expect(sigmoid.apply(2)).toBeCloseTo(0.8807970779778823, 15);
  });

  it('sigmoid and softplus are stable for huge |x| (no NaN / Infinity)', () => {
    expect(activations.sigmoid.apply(-1000)).toBe(0);
    expect(activations.sigmoid.apply(1000)).toBe(1);
    expect(activations.sigmoid.derivative(-1000)).toBe(0);
    expect(activations.softplus.apply(1000)).toBe(1000);
    expect(activations.softplus.apply(-1000)).toBe(0);
    expect(activations.softplus.apply(0)).toBeCloseTo(Math.LN2, 15);
    expect(activations.swish.apply(-1000)).toBe(-0);
  });

  it('tanh′(0) = 1 is the maximum; tanh′(±10) ≈ 0', () => {
    expect(activations.tanh.derivative(0)).toBe(1);
    for (const x of points) expect(activations.tanh.derivative(x)).toBeLessThan(1);
    expect(activations.tanh.derivative(10)).toBeLessThan(1e-7);
  });

  it('relu: identity for x > 0, 0 below, and a dying (zero) gradient for x ≤ 0, including at 0', () => {
    const { relu } = activations;
    expect(relu.apply(3.5)).toBe(3.5);
    expect(relu.apply(-3.5)).toBe(0);
    expect(relu.derivative(3.5)).toBe(1);
    expect(relu.derivative(-3.5)).toBe(0);
    expect(relu.derivative(-1e-9)).toBe(0);
    expect(relu.derivative(0)).toBe(0);
  });

  it('step: 1 for x ≥ 0 else 0, gradient 0 everywhere', () => {
    const { step } = activations;
    expect([step.apply(-2), step.apply(0), step.apply(2)]).toEqual([0, 1, 1]);
    for (const x of [-2, 0, 2, 1e-9]) expect(step.derivative(x)).toBe(0);
  });

  it('linear: f(x) = x, f′ = 1', () => {
    expect(activations.linear.apply(-7.25)).toBe(-7.25);
    expect(activations.linear.derivative(123)).toBe(1);
  });

  it('leakyRelu: alpha 0.01 by default, negative branch (slope alpha) at x ≤ 0; withAlpha', () => {
    const { leakyRelu } = activations;
    expect(leakyRelu.alpha).toBe(0.01);
    expect(leakyRelu.apply(-5)).toBeCloseTo(-0.05, 15);
    expect(leakyRelu.apply(5)).toBe(5);
    expect(leakyRelu.derivative(0)).toBe(0.01);
    expect(leakyRelu.derivative(-3)).toBe(0.01);
    expect(leakyRelu.derivative(3)).toBe(1);
    const l2 = leakyRelu.withAlpha(0.2);
    expect(l2.alpha).toBe(0.2);
    expect(l2.apply(-1)).toBeCloseTo(-0.2, 15);
    expect(l2.derivative(-1)).toBe(0.2);
    expect(leakyRelu.apply(-1)).toBeCloseTo(-0.01, 15); // the default is unchanged
    expect(l2.withAlpha(0.3).apply(-1)).toBeCloseTo(-0.3, 15);
    expect(() => leakyRelu.withAlpha(NaN)).toThrow(/alpha must be a finite number/);
  });

  it('elu: alpha 1 by default; alpha·expm1(x) below 0 with slope alpha·e^x; withAlpha', () => {
    const { elu } = activations;
    expect(elu.alpha).toBe(1);
    expect(elu.apply(-1)).toBeCloseTo(Math.exp(-1) - 1, 15);
    expect(elu.apply(-50)).toBeCloseTo(-1, 15);
    expect(elu.derivative(0)).toBe(1); // alpha·e^0
    expect(elu.derivative(-2)).toBeCloseTo(Math.exp(-2), 15);
    expect(elu.apply(1e-20 * -1)).toBe(-1e-20); // expm1 keeps tiny values exact
    const e2 = elu.withAlpha(2);
    expect(e2.apply(-1)).toBeCloseTo(2 * (Math.exp(-1) - 1), 15);
    expect(e2.derivative(-1)).toBeCloseTo(2 * Math.exp(-1), 15);
    expect(() => elu.withAlpha(Infinity)).toThrow(/finite/);
  });

  it('selu uses the standard constants', () => {
    const { selu } = activations;
    expect(selu.apply(1)).toBe(1.0507009873554805);
    expect(selu.apply(-1)).toBeCloseTo(1.0507009873554805 * 1.6732632423543772 * (Math.exp(-1) - 1), 15);
    expect(selu.apply(-100)).toBeCloseTo(-1.0507009873554805 * 1.6732632423543772, 12);
    expect(selu.derivative(2)).toBe(1.0507009873554805);
  });

  it('softplus′ = sigmoid; swish = x·σ(x)', () => {
    for (const x of [-3, -0.5, 0, 0.5, 3]) {
      expect(activations.softplus.derivative(x)).toBe(activations.sigmoid.apply(x));
      expect(activations.swish.apply(x)).toBeCloseTo(x * activations.sigmoid.apply(x), 15);
    }
    expect(activations.swish.derivative(0)).toBe(0.5);
  });

  it('gelu (exact erf form) matches reference values', () => {
    const { gelu } = activations;
    expect(gelu.apply(0)).toBe(0);
    expect(gelu.apply(1)).toBeCloseTo(0.8413447460685429, 12);
    expect(gelu.apply(-1)).toBeCloseTo(-0.15865525393145707, 12);
    expect(gelu.apply(2)).toBeCloseTo(1.9544997361036416, 12);
    expect(gelu.derivative(0)).toBe(0.5);
    expect(gelu.derivative(1)).toBeCloseTo(0.8413447460685429 + 0.24197072451914337, 12);
    expect(gelu.apply(-10)).toBeCloseTo(0, 12);
  });

  it('mish = x·tanh(softplus(x)): mish(0) = 0, mish′(0) = tanh(ln 2) = 0.6, its minimum ≈ −0.3088 near x ≈ −1.19', () => {
    const { mish } = activations;
    expect(mish.apply(0)).toBe(0);
    expect(mish.derivative(0)).toBeCloseTo(0.6, 15);
    expect(mish.apply(1)).toBeCloseTo(0.8650983882673103, 14);
    expect(mish.apply(-1)).toBeCloseTo(-0.30340146137410895, 14);
    let min = Infinity, at = 0;
    for (let x = -3; x <= 0; x += 1e-4) if (mish.apply(x) < min) [min, at] = [mish.apply(x), x];
    expect(min).toBeCloseTo(-0.30884, 5);
    expect(at).toBeCloseTo(-1.1924, 3);
    expect(Math.abs(mish.derivative(at))).toBeLessThan(1e-3);
    expect(mish.apply(1000)).toBe(1000);
    expect(mish.apply(-1000)).toBeCloseTo(0, 300);
    expect(mish.formula).toMatch(/tanh/);
  });

  it('softmax: scalar apply is the 2-class softmax (= sigmoid)', () => {
    const { softmax } = activations;
    for (const x of [-4, -1, 0, 0.3, 5]) {
      expect(softmax.apply(x)).toBeCloseTo(softmax.applyVector([x, 0])[0]!, 15);
      expect(softmax.apply(x)).toBe(activations.sigmoid.apply(x));
    }
    expect(softmax.derivative(0)).toBe(0.25);
  });

  it('softmax.applyVector: the lecture example [1.2, 0.9, 0.75] → [0.42, 0.31, 0.27]; stable for big logits', () => {
    const { softmax } = activations;
    const p = softmax.applyVector([1.2, 0.9, 0.75]);
    expect(p.map((v) => Number(v.toFixed(2)))).toEqual([0.42, 0.31, 0.27]);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 15);
    const big = softmax.applyVector([1000, 1000, 999]);
    expect(big.every(Number.isFinite)).toBe(true);
    expect(big[0]).toBeCloseTo(Math.E / (2 * Math.E + 1), 14);
    expect(() => softmax.applyVector([])).toThrow(/at least one logit/);
  });

  it('softmax.jacobian matches finite differences and has zero row sums', () => {
    const { softmax } = activations;
    const xs = [0.3, -1.2, 2.0, 0.7];
    const jac = softmax.jacobian(xs);
    const h = 1e-6;
    for (let j = 0; j < xs.length; j++) {
      const plus = softmax.applyVector(xs.map((v, k) => (k === j ? v + h : v)));
      const minus = softmax.applyVector(xs.map((v, k) => (k === j ? v - h : v)));
      for (let i = 0; i < xs.length; i++) expect(jac[i]![j]).toBeCloseTo((plus[i]! - minus[i]!) / (2 * h), 8);
    }
    for (const row of jac) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 15);
    const s = softmax.applyVector(xs);
    expect(jac[1]![1]).toBeCloseTo(s[1]! * (1 - s[1]!), 15);
  });
});

describe('erf', () => {
  // Reference values (Abramowitz & Stegun table 7.1 / high-precision computation).
  const table: Array<[number, number]> = [
    [0, 0],
    [0.1, 0.1124629160182849],
    [0.25, 0.2763263901682369],
    [0.5, 0.5204998778130465],
    [0.75, 0.7111556336535151],
    [1, 0.8427007929497149],
    [1.5, 0.9661051464753108],
    [2, 0.9953222650189527],
    [2.5, 0.9995930479825550],
    [2.9999, 0.9999778955735178],
    [3, 0.9999779095030014],
    [3.5, 0.9999992569016276],
    [4, 0.9999999845827421],
    [5, 0.9999999999984626],
    [6, 1],
  ];
  it.each(table)('erf(%d) = %d to 1e-7 (and its odd mirror)', (x, expected) => {
    expect(Math.abs(erf(x) - expected)).toBeLessThan(1e-7);
    expect(Math.abs(erf(-x) + expected)).toBeLessThan(1e-7);
  });

  it('is much more accurate than 1e-7 in fact, and continuous across the 3 switch-over', () => {
    for (const [x, expected] of table) expect(Math.abs(erf(x) - expected)).toBeLessThan(1e-14);
    expect(Math.abs(erf(3 - 1e-12) - erf(3))).toBeLessThan(1e-13);
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erf(NaN)).toBeNaN();
  });

  it('has derivative 2/√π·e^(−x²)', () => {
    for (const x of [-2.5, -1, 0, 0.4, 1.7, 3.2, 4.5]) {
      expect(centralDifference(erf, x)).toBeCloseTo((2 / Math.sqrt(Math.PI)) * Math.exp(-x * x), 8);
    }
  });
});
