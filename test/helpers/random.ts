/** Seeded random data (mulberry32), so every failure reproduces. */
export class Rng {
  private state: number;
  constructor(seed: number) { this.state = seed >>> 0; }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  uniform(lo: number, hi: number): number { return lo + (hi - lo) * this.next(); }
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  int(n: number): number { return Math.floor(this.next() * n); }
  /** n f32 values, normal with standard deviation sd. */
  normals(n: number, sd = 1): Float32Array { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = sd * this.normal(); return a; }
  uniforms(n: number, lo: number, hi: number): Float32Array { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = this.uniform(lo, hi); return a; }
}
