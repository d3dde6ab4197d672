/** Running mean and variance (Welford), for statistics in one streaming pass. */
export class Welford {
  n = 0;
  private mean = 0;
  private m2 = 0;
  add(x: number): void {
    this.n++;
    const d = x - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (x - this.mean);
  }
  /** Population mean and standard deviation; a constant column gets std 1 (it is centred, not divided by 0). */
  meanStd(): { mean: number; std: number } {
    const variance = this.n ? this.m2 / this.n : 0;
    return { mean: this.mean, std: variance > 1e-24 ? Math.sqrt(variance) : 1 };
  }
}
