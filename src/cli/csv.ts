/** Reading a CSV file with a header row into strings, with errors that name the file and line. */
import { parse } from 'csv-parse/sync';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { UserError } from './errors.js';

export interface Table {
  file: string;
  columns: string[];
  /** Data rows (header excluded), each with one string per column. */
  rows: string[][];
  /** 1-based line in the file where each row starts (for error messages). */
  lines: number[];
}

export function readCsv(file: string, what = 'data file'): Table {
  if (!existsSync(file)) throw new UserError(`${what} not found: ${file}`);
  if (statSync(file).isDirectory()) throw new UserError(`${what} ${file} is a directory; expected a .csv file`);
  const text = readFileSync(file, 'utf8');
  if (text.trim() === '') throw new UserError(`${file} is empty; expected a header row and at least one data row`);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, trim: true, skip_empty_lines: true, info: true }) as unknown as typeof records;
  } catch (e) {
    // csv-parse says e.g. "Invalid Record Length: expect 3, got 2 on line 7".
    throw new UserError(`${file}: ${(e as Error).message}`);
  }
  const [header, ...data] = records;
  if (!header) throw new UserError(`${file} is empty; expected a header row and at least one data row`);
  const columns = header.record;
  if (data.length === 0) throw new UserError(`${file} has a header (${columns.join(', ')}) but no data rows`);
  const seen = new Set<string>();
  columns.forEach((c, i) => {
    if (c === '') throw new UserError(`${file}: column ${i + 1} of the header has no name`);
    if (seen.has(c)) throw new UserError(`${file}: the header names column "${c}" twice`);
    seen.add(c);
  });
  return { file, columns, rows: data.map((r) => r.record), lines: data.map((r) => r.info.lines) };
}

/** A CSV field, quoted when it needs to be (RFC 4180). */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}
