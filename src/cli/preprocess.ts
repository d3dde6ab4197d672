/**
 * Turning CSV columns into model inputs and targets, and back: numeric columns are standardized,
 * categorical ones one-hot encoded, the label becomes class ids (classification) or a
 * standardized number (regression). Everything `predict` needs to repeat this is kept in a
 * Preprocessing object, saved as preprocessing.json beside model.json.
 */
import { UserError } from './errors.js';
import type { Table } from './csv.js';
import { MAX_INTEGER_CLASSES, NUMERIC_SHARE, isNumeric, type ColumnSpec, type Preprocessing, type Task } from '../data/preprocessing.js';

// The preprocessing format, and the rules for column kinds and tasks, are the library's
// (src/data/preprocessing.ts, which fits them in one streaming pass); this file applies the same
// rules to a table already in memory (files small enough for the CLI's in-memory path).
export type { Task, ColumnSpec, Preprocessing } from '../data/preprocessing.js';
export { isNumeric } from '../data/preprocessing.js';

export function columnIndex(table: Table, name: string, role: string): number {
  const i = table.columns.indexOf(name);
  if (i < 0) throw new UserError(`${table.file} has no ${role} column "${name}"; its columns are: ${table.columns.join(', ')}`);
  return i;
}

/** Infer column kinds and fit statistics. `fitRows` (the training rows) give means and stds. */
export function fitPreprocessing(
  table: Table,
  fitRows: number[],
  opts: { label: string; task?: Task; categorical?: string[] },
): Preprocessing {
  const labelAt = columnIndex(table, opts.label, 'label');
  const forced = new Set(opts.categorical ?? []);
  for (const c of forced) columnIndex(table, c, '--categorical');
  if (table.columns.length < 2) throw new UserError(`${table.file} has only the label column "${opts.label}"; there are no feature columns to learn from`);
  const columns: ColumnSpec[] = [];
  table.columns.forEach((name, j) => {
    if (j === labelAt) return;
    const values = table.rows.map((r) => r[j]!);
    const numeric = values.filter(isNumeric).length;
    if (!forced.has(name) && numeric > 0 && numeric >= NUMERIC_SHARE * values.length) {
      numericValues(table, j, table.rows.map((_, i) => i)); // throws, naming the first bad cell
      const xs = numericValues(table, j, fitRows);
      const { mean, std } = meanStd(xs);
      columns.push({ name, kind: 'numeric', mean, std });
    } else {
      columns.push({ name, kind: 'categorical', categories: sortedDistinct(values) });
    }
  });
  const inputUnits = columns.reduce((s, c) => s + (c.kind === 'numeric' ? 1 : c.categories.length), 0);
  const labels = table.rows.map((r, i) => {
    const v = r[labelAt]!;
    if (v === '') throw new UserError(`${table.file} line ${table.lines[i]}: the label "${opts.label}" is empty`);
    return v;
  });
  const task = opts.task ?? inferTask(labels);
  const base = { format: 'wasm-mlp-preprocessing' as const, version: 1 as const, task, label: opts.label, columns, inputUnits };
  if (task === 'classification') {
    const classes = sortedDistinct(labels);
    if (classes.length < 2) throw new UserError(`the label "${opts.label}" has only one value (${JSON.stringify(classes[0])}); classification needs at least 2 classes`);
    return { ...base, classes };
  }
  numericValues(table, labelAt, table.rows.map((_, i) => i)); // throws, naming the first bad cell
  return { ...base, target: meanStd(numericValues(table, labelAt, fitRows)) };
}

/** Non-numeric labels, or a few distinct integers, are classes; anything else is regression. */
export function inferTask(labels: string[]): Task {
  if (!labels.every(isNumeric)) return 'classification';
  const distinct = new Set(labels.map(Number));
  const integers = [...distinct].every(Number.isInteger);
  return integers && distinct.size <= Math.min(MAX_INTEGER_CLASSES, Math.max(2, labels.length / 2)) ? 'classification' : 'regression';
}

/** Encode the feature columns of `rows` (indices into table.rows) into an [n, inputUnits] matrix. */
export function encodeFeatures(p: Preprocessing, table: Table, rows: number[], warn: (msg: string) => void = () => {}): Float32Array {
  const at = p.columns.map((c) => columnIndex(table, c.name, 'feature'));
  const x = new Float32Array(rows.length * p.inputUnits);
  const unknown = new Map<string, Set<string>>();
  rows.forEach((r, i) => {
    let k = i * p.inputUnits;
    p.columns.forEach((c, j) => {
      const s = table.rows[r]![at[j]!]!;
      if (c.kind === 'numeric') {
        x[k++] = (cellNumber(table, r, at[j]!, s) - c.mean) / c.std;
      } else {
        const h = c.categories.indexOf(s);
        if (h >= 0) x[k + h] = 1;
        else (unknown.get(c.name) ?? unknown.set(c.name, new Set()).get(c.name)!).add(s);
        k += c.categories.length;
      }
    });
  });
  for (const [name, vals] of unknown) {
    const list = [...vals].slice(0, 5).map((v) => JSON.stringify(v)).join(', ');
    warn(`warning: column "${name}" has values not seen in training (${list}${vals.size > 5 ? ', …' : ''}); they are encoded as all zeros`);
  }
  return x;
}

/** Class ids of the label column (classification). */
export function encodeClasses(p: Preprocessing, table: Table, rows: number[]): Int32Array {
  const at = columnIndex(table, p.label, 'label');
  const ids = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    const s = table.rows[r]![at]!;
    const id = p.classes!.indexOf(s);
    if (id < 0) throw new UserError(`${table.file} line ${table.lines[r]}: label ${JSON.stringify(s)} is not one of the model's classes (${p.classes!.join(', ')})`);
    ids[i] = id;
  });
  return ids;
}

/** The label column as raw numbers (regression). */
export function targetValues(p: Preprocessing, table: Table, rows: number[]): Float64Array {
  return Float64Array.from(numericValues(table, columnIndex(table, p.label, 'label'), rows));
}

/** Check that a table has the columns a model was trained on (the label is optional unless required). */
export function checkColumns(p: Preprocessing, table: Table, requireLabel: boolean): void {
  const want = p.columns.map((c) => c.name);
  const missing = want.filter((c) => !table.columns.includes(c));
  if (requireLabel && !table.columns.includes(p.label)) missing.push(p.label);
  const extra = table.columns.filter((c) => !want.includes(c) && c !== p.label);
  if (missing.length || extra.length) {
    const parts = [];
    if (missing.length) parts.push(`missing ${missing.map((c) => `"${c}"`).join(', ')}`);
    if (extra.length) parts.push(`unexpected ${extra.map((c) => `"${c}"`).join(', ')}`);
    throw new UserError(`${table.file} does not have the columns the model was trained on: ${parts.join('; ')}. Expected: ${want.join(', ')}${requireLabel ? `, ${p.label}` : ` (and optionally ${p.label})`}`);
  }
}

/** Validate a parsed preprocessing.json. */
export function checkPreprocessing(raw: unknown, file: string): Preprocessing {
  const p = raw as Preprocessing;
  const bad = (why: string) => new UserError(`${file} is not a wasm-mlp preprocessing file: ${why}`);
  if (!p || typeof p !== 'object' || p.format !== 'wasm-mlp-preprocessing') throw bad('"format" is not "wasm-mlp-preprocessing"');
  if (p.version !== 1) throw bad(`unsupported version ${JSON.stringify(p.version)}`);
  if (p.task !== 'classification' && p.task !== 'regression') throw bad(`unknown task ${JSON.stringify(p.task)}`);
  if (!Array.isArray(p.columns)) throw bad('"columns" is not an array');
  if (p.task === 'classification' && !Array.isArray(p.classes)) throw bad('"classes" is missing');
  if (p.task === 'regression' && !(p.target && Number.isFinite(p.target.mean) && p.target.std > 0)) throw bad('"target" {mean, std} is missing');
  return p;
}

function numericValues(table: Table, col: number, rows: number[]): number[] {
  return rows.map((r) => cellNumber(table, r, col, table.rows[r]![col]!));
}

function cellNumber(table: Table, row: number, col: number, s: string): number {
  if (!isNumeric(s)) {
    const where = `${table.file} line ${table.lines[row]} (data row ${row + 1}), column "${table.columns[col]}"`;
    if (s === '') throw new UserError(`${where} is empty; fill in missing values before training`);
    throw new UserError(`${where}: ${JSON.stringify(s)} is not a number, but the column is numeric`);
  }
  return Number(s);
}

function meanStd(xs: number[]): { mean: number; std: number } {
  const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
  const variance = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length;
  // A constant column would divide by 0; it carries no information, so leave it centred at 0.
  return { mean, std: variance > 1e-24 ? Math.sqrt(variance) : 1 };
}

function sortedDistinct(values: string[]): string[] {
  const d = [...new Set(values)];
  return d.every(isNumeric) ? d.sort((a, b) => Number(a) - Number(b)) : d.sort();
}
