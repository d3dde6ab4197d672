/**
 * Accumulates the compiled metrics over an epoch (or an evaluation) with a few kernel calls per
 * batch: counts and error sums come back as numbers and are added up in a Float64Array;
 * precision / recall / AUC bucket counts accumulate in one small i32 block of the arena, read
 * once when the value is asked for. Created once per compile() and reused, so a training step
 * allocates nothing.
 */
import type { Backend } from '../backend/contract.js';
import { precisionRecall, rocAuc } from '../metrics.js';
import type { Logs } from '../callbacks.js';
import type { Compiled, MetricPlan } from './compile.js';
import type { ArenaLedger } from './memory.js';

export class MetricTracker {
  readonly plans: readonly MetricPlan[];
  /** Per metric: the count or error sum so far, and the rows it covers. */
  private readonly sums: Float64Array;
  private readonly before: Float64Array;
  private rows = 0;
  private batchRows = 0;
  /** Arena block of the histogram counts (0 when no metric needs one); plan i's counts start at histAt[i] (i32 index offset from block). */
  private readonly block: number;
  private readonly histAt: Int32Array;
  private readonly histInts: number;

  constructor(private readonly ledger: ArenaLedger, c: Compiled) {
    this.plans = c.metricPlans;
    this.sums = new Float64Array(this.plans.length);
    this.before = new Float64Array(this.plans.length);
    this.histAt = new Int32Array(this.plans.length);
    let ints = 0;
    this.plans.forEach((p, i) => {
      if (p.accumulator !== 'histogram') return;
      this.histAt[i] = ints;
      ints += 2 * p.buckets;
    });
    this.histInts = ints;
    this.block = ints ? ledger.alloc(ints * 4) : 0;
    this.reset();
  }

  get backend(): Backend {
    return this.ledger.backend;
  }

  /** Whether any metric is compiled. */
  get active(): boolean {
    return this.plans.length > 0;
  }

  /** Start a new epoch / evaluation. */
  reset(): void {
    this.sums.fill(0);
    this.rows = 0;
    if (this.block) this.backend.fill(this.histInts, this.block, 0);
  }

  /** Add a batch: `rows` predictions at `pred` (`cols` wide) against the targets at `target`. */
  update(rows: number, cols: number, pred: number, target: number): void {
    const b = this.backend;
    const plans = this.plans;
    this.before.set(this.sums);
    this.batchRows = rows;
    this.rows += rows;
    for (let i = 0; i < plans.length; i++) {
      const p = plans[i]!;
      if (p.accumulator === 'count') this.sums[i]! += b.accuracyCount(p.code as never, rows, cols, pred, target);
      else if (p.accumulator === 'sum') this.sums[i]! += b.loss(p.code, rows, cols, pred, target, 0) * rows;
      else b.thresholdCounts(rows * cols, pred, target, p.buckets, this.block + this.histAt[i]! * 4);
    }
  }

  /** Metric i's value over everything since reset(). */
  value(i: number): number {
    const p = this.plans[i]!;
    if (p.accumulator !== 'histogram') return this.sums[i]! / (this.rows * p.perRow);
    const counts = this.backend.i32();
    const at = (this.block >>> 2) + this.histAt[i]!;
    return p.metric === 'auc' ? rocAuc(counts, at) : precisionRecall(counts, at, p.metric === 'precision' ? 'precision' : 'recall');
  }

  /** Write every metric's value since reset() into `logs` as prefix + name. */
  write(logs: Logs, prefix = ''): void {
    for (let i = 0; i < this.plans.length; i++) logs[prefix + this.plans[i]!.name] = this.value(i);
  }

  /**
   * Batch logs: the last batch's value of counted and summed metrics (as the loss), and the
   * epoch-so-far value of precision / recall / AUC (which do not average over batches).
   */
  writeBatch(logs: Logs): void {
    for (let i = 0; i < this.plans.length; i++) {
      const p = this.plans[i]!;
      logs[p.name] = p.accumulator === 'histogram' ? this.value(i) : (this.sums[i]! - this.before[i]!) / (this.batchRows * p.perRow);
    }
  }

  /** Return the arena block. */
  free(): void {
    if (this.block) this.ledger.free(this.block);
  }
}

/** A model's two trackers: one for the training batches, one for validation and evaluate(). */
export interface MetricTrackers {
  readonly train: MetricTracker;
  readonly eval: MetricTracker;
}

const byLedger = new WeakMap<ArenaLedger, { compiled: Compiled } & MetricTrackers>();

/** The trackers of `c` on the model whose arena blocks `ledger` records, made on first use (and remade after a new compile()). */
export function metricTrackers(ledger: ArenaLedger, c: Compiled): MetricTrackers {
  const had = byLedger.get(ledger);
  if (had && had.compiled === c) return had;
  if (had) {
    had.train.free();
    had.eval.free();
  }
  const made = { compiled: c, train: new MetricTracker(ledger, c), eval: new MetricTracker(ledger, c) };
  byLedger.set(ledger, made);
  return made;
}
