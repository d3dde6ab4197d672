/** Flag parsing on node:util parseArgs, turning its errors into UsageErrors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Parse `argv` for `command` strictly: unknown flags and missing values are usage errors. */
export function parseCommand(command: string, argv: string[], options: Options): Parsed {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Parsed['values'], positionals };
  } catch (e) {
    // parseArgs messages are already readable ("Unknown option '--foo'…"); keep the first sentence.
    const msg = e instanceof Error ? e.message.split('. To specify')[0]! : String(e);
    throw new UsageError(msg, command);
  }
}

/** An integer flag within [min, max]. */
export function intFlag(v: unknown, flag: string, command: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = typeof v === 'string' && /^[+-]?\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${flag} must be an integer${max === Number.MAX_SAFE_INTEGER ? ` >= ${min}` : ` in [${min}, ${max}]`}, got ${JSON.stringify(v)}`, command);
  }
  return n;
}

/** A number flag with `ok` as the valid range test, described by `range`. */
export function numFlag(v: unknown, flag: string, command: string, ok: (n: number) => boolean, range: string): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n) || !ok(n)) throw new UsageError(`--${flag} must be ${range}, got ${JSON.stringify(v)}`, command);
  return n;
}

/** One of `choices`. */
export function choiceFlag<T extends string>(v: unknown, flag: string, command: string, choices: readonly T[]): T {
  if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
    throw new UsageError(`--${flag} must be one of ${choices.join(', ')}, got ${JSON.stringify(v)}`, command);
  }
  return v as T;
}
