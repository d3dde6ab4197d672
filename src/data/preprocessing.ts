/**
 * Turning CSV columns into model inputs and targets: numeric columns standardized, the others
 * one-hot encoded, the label as class ids (classification) or a standardized number
 * (regression). fitPreprocessing() learns all of it in one streaming pass; the result is plain
 * JSON, saved beside the model (the CLI writes it as preprocessing.json) so predict repeats it.
 */
import { Welford } from './welford.js';
import { CsvError, type CsvRecord } from './records.js';

export type Task = 'classification' | 'regression';

export type ColumnSpec =
  | { name: string; kind: 'numeric'; mean: number; std: number }
  | { name: string; kind: 'categorical'; categories: string[] };

export interface Preprocessing {
  format: 'wasm-mlp-preprocessing';
  version: 1;
  task: Task;
  label: string;
  /** Feature columns in input order. */
  columns: ColumnSpec[];
  /** Width of the encoded input (numeric columns count 1, categorical ones their category count). */
  inputUnits: number;
  /** Classification: class names, index = class id. */
  classes?: string[];
  /** Regression: the target was standardized with these. */
  target?: { mean: number; std: number };
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
export const isNumeric = (s: string): boolean => NUMBER.test(s);

/** Above this share of numeric cells a column is numeric, and its other cells are errors. */
export const NUMERIC_SHARE = 0.8;
/** Integer labels with at most this many distinct values are classes. */
export const MAX_INTEGER_CLASSES = 20;
/** A text column with more distinct values than this is refused (an id, free text) rather than one-hot encoded. */
export const MAX_CATEGORIES = 1000;

export interface FitOptions {
  label: string;
  task?: Task;
  /** Columns to one-hot encode even if they look numeric. */
  categorical?: string[];
  /** Feature columns, in input order (default: every column but the label). */
  columns?: string[];
}

/** Per-column statistics gathered in one pass. */
class ColumnStats {
  numeric = 0;
  cells = 0;
  firstBad: { line: number; value: string } | undefined;
  readonly moments = new Welford();
  readonly distinct = new Set<string>();
  tooMany = false;
  add(s: string, line: number, counted: boolean): void {
    this.cells++;
    if (isNumeric(s)) {
      this.numeric++;
      if (counted) this.moments.add(Number(s));
    } else {
      this.firstBad ??= { line, value: s };
    }
    if (!this.tooMany) {
      this.distinct.add(s);
      if (this.distinct.size > MAX_CATEGORIES) this.tooMany = true;
    }
  }
}

/** Accumulates the statistics record by record; finish() decides kinds and returns the Preprocessing. */
export class PreprocessingFitter {
  private readonly stats: ColumnStats[];
  private readonly labelAt: number;
  private readonly featureAt: number[];
  private rows = 0;

  constructor(private readonly header: string[], private readonly opts: FitOptions, private readonly where: string) {
    const at = (c: string, role: string) => {
      const i = header.indexOf(c);
      if (i < 0) throw new CsvError(`${where} has no ${role} column "${c}"; its columns are: ${header.join(', ')}`, undefined, c);
      return i;
    };
    this.labelAt = at(opts.label, 'label');
    for (const c of opts.categorical ?? []) at(c, 'categorical');
    this.featureAt = (opts.columns ?? header.filter((c) => c !== opts.label)).map((c) => at(c, 'feature'));
    if (this.featureAt.includes(this.labelAt)) throw new CsvError(`${where}: the label "${opts.label}" cannot also be a feature column`, undefined, opts.label);
    if (this.featureAt.length === 0) throw new CsvError(`${where} has only the label column "${opts.label}"; there are no feature columns to learn from`);
    this.stats = header.map(() => new ColumnStats());
  }

  /** `counted`: the row is a training row (means and stds come from those only; categories from all). */
  add(r: CsvRecord, counted: boolean): void {
    const label = r.cells[this.labelAt]!;
    if (label === '') throw new CsvError(`${this.where} line ${r.line}: the label "${this.opts.label}" is empty`, r.line, this.opts.label);
    this.stats[this.labelAt]!.add(label, r.line, counted);
    for (const j of this.featureAt) this.stats[j]!.add(r.cells[j]!, r.line, counted);
    if (counted) this.rows++;
  }

  finish(): Preprocessing {
    if (this.rows === 0) throw new CsvError(`${this.where} has a header (${this.header.join(', ')}) but no data rows${this.opts ? ' to fit on' : ''}`);
    const forced = new Set(this.opts.categorical ?? []);
    const columns: ColumnSpec[] = this.featureAt.map((j) => {
      const name = this.header[j]!;
      const s = this.stats[j]!;
      if (!forced.has(name) && s.numeric > 0 && s.numeric >= NUMERIC_SHARE * s.cells) {
        if (s.firstBad) {
          const { line, value } = s.firstBad;
          throw new CsvError(value === ''
            ? `${this.where} line ${line}, column "${name}" is empty; fill in missing values before training`
            : `${this.where} line ${line}, column "${name}": ${JSON.stringify(value)} is not a number, but the column is numeric`, line, name);
        }
        return { name, kind: 'numeric', ...s.moments.meanStd() };
      }
      if (s.tooMany) throw new CsvError(`${this.where}: column "${name}" is not numeric and has more than ${MAX_CATEGORIES} distinct values, too many to one-hot encode; leave it out (columns option) or make it numeric`, undefined, name);
      return { name, kind: 'categorical', categories: sortedDistinct(s.distinct) };
    });
    const inputUnits = columns.reduce((n, c) => n + (c.kind === 'numeric' ? 1 : c.categories.length), 0);
    const l = this.stats[this.labelAt]!;
    const label = this.opts.label;
    const allNumeric = l.numeric === l.cells;
    const task = this.opts.task ?? (allNumeric && !l.tooMany && [...l.distinct].every((v) => Number.isInteger(Number(v))) &&
      new Set([...l.distinct].map(Number)).size <= Math.min(MAX_INTEGER_CLASSES, Math.max(2, l.cells / 2)) ? 'classification' : allNumeric ? 'regression' : 'classification');
    const base = { format: 'wasm-mlp-preprocessing' as const, version: 1 as const, task, label, columns, inputUnits };
    if (task === 'classification') {
      if (l.tooMany) throw new CsvError(`${this.where}: the label "${label}" has more than ${MAX_CATEGORIES} distinct values; too many classes (use task 'regression' for a number)`, undefined, label);
      const classes = sortedDistinct(l.distinct);
      if (classes.length < 2) throw new CsvError(`${this.where}: the label "${label}" has only one value (${JSON.stringify(classes[0])}); classification needs at least 2 classes`, undefined, label);
      return { ...base, classes };
    }
    if (l.firstBad) throw new CsvError(`${this.where} line ${l.firstBad.line}, column "${label}": ${JSON.stringify(l.firstBad.value)} is not a number, but the task is regression`, l.firstBad.line, label);
    return { ...base, target: l.moments.meanStd() };
  }
}

export interface EncoderOptions {
  oneHot?: boolean;
  onUnknownCategory?: (column: string, value: string, line: number) => void;
  labels?: boolean;
  strictColumns?: boolean;
}

/** Encodes records with a fitted Preprocessing into float rows. */
export class RowEncoder {
  readonly inputUnits: number;
  readonly yCols: number;
  private readonly at: number[];
  private readonly labelAt: number;
  private readonly classIds: Map<string, number> | undefined;
  private readonly categoryIds: (Map<string, number> | undefined)[];

  private readonly onUnknownCategory: ((column: string, value: string, line: number) => void) | undefined;
  /** Whether records carry the label (false: features only, as for predict). */
  readonly labels: boolean;

  constructor(readonly pre: Preprocessing, header: string[], private readonly where: string, opts: EncoderOptions = {}) {
    this.labels = opts.labels ?? true;
    this.onUnknownCategory = opts.onUnknownCategory;
    const want = pre.columns.map((c) => c.name);
    const missing = [...want, ...(this.labels ? [pre.label] : [])].filter((c) => !header.includes(c));
    const extra = opts.strictColumns ? header.filter((c) => !want.includes(c) && c !== pre.label) : [];
    if (missing.length || extra.length) {
      const parts = [];
      if (missing.length) parts.push(`missing ${missing.map((c) => `"${c}"`).join(', ')}`);
      if (extra.length) parts.push(`unexpected ${extra.map((c) => `"${c}"`).join(', ')}`);
      throw new CsvError(`${where} does not have the columns the preprocessing was fitted on: ${parts.join('; ')}. Expected: ${want.join(', ')}${this.labels ? `, ${pre.label}` : ` (and optionally ${pre.label})`}`, undefined, missing[0] ?? extra[0]);
    }
    this.at = pre.columns.map((c) => header.indexOf(c.name));
    this.labelAt = header.indexOf(pre.label);
    this.inputUnits = pre.inputUnits;
    this.classIds = pre.classes && new Map(pre.classes.map((c, i) => [c, i]));
    this.categoryIds = pre.columns.map((c) => (c.kind === 'categorical' ? new Map(c.categories.map((v, i) => [v, i])) : undefined));
    this.yCols = !this.labels ? 0 : pre.task === 'classification' && opts.oneHot ? pre.classes!.length : 1;
  }

  /** Write the record's features at x[xo…] and its target at y[yo…]; throws a CsvError naming a bad cell. */
  encode(r: CsvRecord, x: Float32Array, xo: number, y: Float32Array, yo: number): void {
    const cols = this.pre.columns;
    x.fill(0, xo, xo + this.inputUnits);
    let k = xo;
    for (let j = 0; j < cols.length; j++) {
      const c = cols[j]!;
      const s = r.cells[this.at[j]!]!;
      if (c.kind === 'numeric') {
        if (!isNumeric(s)) throw this.bad(r, c.name, s === '' ? 'is empty' : `${JSON.stringify(s)} is not a number, but the column is numeric`);
        x[k++] = (Number(s) - c.mean) / c.std;
      } else {
        const h = this.categoryIds[j]!.get(s);
        if (h !== undefined) x[k + h] = 1;
        else if (this.onUnknownCategory) this.onUnknownCategory(c.name, s, r.line); // encoded as all zeros
        else throw this.bad(r, c.name, `${JSON.stringify(s)} is not one of the column's ${c.categories.length} categories seen when fitting (pass onUnknownCategory to encode unseen values as all zeros)`);
        k += c.categories.length;
      }
    }
    if (!this.labels) return;
    const s = r.cells[this.labelAt]!;
    if (this.classIds) {
      const id = this.classIds.get(s);
      if (id === undefined) throw this.bad(r, this.pre.label, `label ${JSON.stringify(s)} is not one of the classes (${this.pre.classes!.slice(0, 10).join(', ')}${this.pre.classes!.length > 10 ? ', …' : ''})`);
      if (this.yCols > 1) {
        y.fill(0, yo, yo + this.yCols);
        y[yo + id] = 1;
      } else y[yo] = id;
    } else {
      if (!isNumeric(s)) throw this.bad(r, this.pre.label, s === '' ? 'is empty' : `${JSON.stringify(s)} is not a number`);
      y[yo] = (Number(s) - this.pre.target!.mean) / this.pre.target!.std;
    }
  }

  private bad(r: CsvRecord, column: string, why: string): CsvError {
    return new CsvError(`${this.where} line ${r.line}, column "${column}": ${why}`, r.line, column);
  }
}

function sortedDistinct(values: Iterable<string>): string[] {
  const d = [...values];
  return d.every(isNumeric) ? d.sort((a, b) => Number(a) - Number(b)) : d.sort();
}
