/**
 * CSV records, streamed: bytes from a source (./source.ts) through csv-parse (loaded lazily: its
 * Node build in Node, src/platform.ts; its browser build elsewhere) into string records, with errors
 * that name the source, line and column. The header row is read and checked first.
 */
import { nodePlatform } from '../platform.js';
import { describe } from '../tensor.js';
import { openSource, type ByteProgress, type CsvSource } from './source.js';

/** A bad CSV file or cell: `line` (1-based, in the file) and `column` (its header name) when known. */
export class CsvError extends Error {
  override name = 'CsvError';
  constructor(message: string, readonly line?: number, readonly column?: string) {
    super(message);
  }
}

export interface CsvRecord {
  cells: string[];
  /** 1-based line of the file where the record ends. */
  line: number;
}

export interface RecordOptions {
  /** A record longer than this many characters is an error (a file without line breaks must not fill memory). Default 1 MiB. */
  maxLineLength: number;
  delimiter: string;
}


type Parser = {
  write(s: string): boolean;
  push(record: unknown): boolean;
  info: { lines: number };
  end(): void;
  read(): string[] | { record: string[]; info: { lines: number } } | null;
  on(ev: string, f: (...a: unknown[]) => void): void;
  once(ev: string, f: (...a: unknown[]) => void): void;
  destroy?(e?: Error): void;
};

/**
 * The header and an async iterator over the data records, in runs. Reading stops (and the source is
 * closed) when the iterator ends or is returned early; close() does it without iterating.
 */
export async function openRecords(source: CsvSource, opts: RecordOptions, progress: ByteProgress, what: string): Promise<{ name: string; header: string[]; records: AsyncGenerator<CsvRecord[]>; close(): Promise<void> }> {
  const opened = await openSource(source, what);
  progress.bytes = 0;
  progress.totalBytes = opened.totalBytes;
  const name = opened.name;
  // Node: csv-parse's Node build (src/platform.ts); elsewhere its browser build.
  const node = nodePlatform();
  const { parse } = (node ? await node.csvParser() : await import('./parser-browser.js')) as unknown as { parse(o: object): Parser };
  // Line numbers: csv-parse's `info` option builds an object per record (a quarter of its time). In
  // Node its Transform pushes each record as it ends, so the running count (parser.info.lines) read
  // there is the record's line; the browser build gets `info`.
  const parser = parse({
    bom: true, trim: true, skip_empty_lines: true, info: !node, delimiter: opts.delimiter,
    max_record_size: opts.maxLineLength,
  });
  const lines: number[] = [];
  let head = 0;
  if (node) {
    const push = parser.push;
    parser.push = function (this: Parser, record: unknown) {
      if (record !== null) lines.push(parser.info.lines);
      return push.call(this, record);
    };
  }
  let error: unknown;
  let ended = false;
  let stopped = false;
  let needDrain = false;
  const waiters: (() => void)[] = [];
  const signal = () => { for (const w of waiters.splice(0)) w(); };
  const wait = () => new Promise<void>((r) => { waiters.push(r); });
  parser.on('readable', signal);
  parser.on('end', () => { ended = true; signal(); });
  parser.on('error', (e) => { error = e; signal(); });
  parser.on('drain', () => { needDrain = false; signal(); });
  parser.on('close', () => { ended = true; signal(); });
  const pump = (async () => {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    try {
      for await (const chunk of opened.chunks) {
        if (stopped || error !== undefined) break;
        if (typeof chunk === 'string') {
          progress.bytes += chunk.length;
          await write(chunk);
        } else {
          if (!(chunk instanceof Uint8Array)) throw new CsvError(`${what}: ${name} gave a chunk that is ${describe(chunk)}, expected Uint8Array or string`);
          progress.bytes += chunk.byteLength;
          await write(decoder.decode(chunk, { stream: true }));
        }
      }
      if (!stopped && error === undefined) {
        parser.write(decoder.decode());
        parser.end();
      }
    } catch (e) {
      error ??= e instanceof TypeError && /decode|encoded/i.test(e.message) ? new CsvError(`${what}: ${name} is not valid UTF-8 text (near byte ${progress.bytes})`) : e;
      signal();
    }
  })();
  // Backpressure: after a write the parser's buffers are full, wait until the reader drains them.
  async function write(text: string): Promise<void> {
    if (parser.write(text)) return;
    needDrain = true;
    while (needDrain && !stopped && !ended && error === undefined) await wait();
  }
  // Records come out in runs (all the parser has buffered), so the async hand-off is paid per
  // run, not per record.
  const next = async (max = Infinity): Promise<CsvRecord[] | null> => {
    for (;;) {
      if (error !== undefined) throw toCsvError(error, name, what);
      const run: CsvRecord[] = [];
      for (let r = parser.read(); r !== null; r = run.length < max ? parser.read() : null) {
        run.push(Array.isArray(r) ? { cells: r, line: lines[head++]! } : { cells: r.record, line: r.info.lines });
      }
      if (head > 4096 && head * 2 > lines.length) {
        lines.splice(0, head);
        head = 0;
      }
      if (run.length) return run;
      if (ended) return null;
      await wait();
    }
  };
  const close = async () => {
    stopped = true;
    signal();
    // csv-parse's browser build has no destroy(); once the pump stops writing it is simply dropped.
    if (typeof parser.destroy === 'function') parser.destroy();
    await pump;
  };
  let header: string[];
  try {
    const first = await next(1);
    const h = first?.[0];
    if (!h) throw new CsvError(`${what}: ${name} is empty; expected a header row and data rows`, 1);
    header = h.cells;
    const seen = new Set<string>();
    header.forEach((c, i) => {
      if (c === '') throw new CsvError(`${what}: ${name} line ${h.line}: column ${i + 1} of the header has no name`, h.line);
      if (seen.has(c)) throw new CsvError(`${what}: ${name} line ${h.line}: the header names column "${c}" twice`, h.line, c);
      seen.add(c);
    });
  } catch (e) {
    await close();
    throw e;
  }
  async function* records(): AsyncGenerator<CsvRecord[]> {
    try {
      for (let run = await next(); run; run = await next()) yield run;
    } finally {
      await close();
    }
  }
  return { name, header, records: records(), close };
}

/** csv-parse's errors ("Invalid Record Length: expect 3, got 2 on line 7") as CsvErrors naming the source. */
function toCsvError(e: unknown, name: string, what: string): Error {
  if (e instanceof CsvError) return e;
  const err = e as Error & { code?: string; lines?: number; syscall?: string };
  // csv-parse's errors carry a code (CSV_…, INVALID_OPENING_QUOTE) and the line; file errors a syscall.
  if (typeof err?.code === 'string' && err.syscall === undefined && typeof err.lines === 'number') {
    const hint = err.code === 'CSV_MAX_RECORD_SIZE' ? ' (raise maxLineLength if such long lines are real)' : '';
    return new CsvError(`${what}: ${name}: ${err.message}${hint}`, err.lines);
  }
  return e as Error;
}
