/**
 * The CLI's two kinds of expected failure. Both print one line without a stack trace:
 * a UsageError (bad flags; exit code 2) also points at `--help`, a UserError (bad data, missing
 * files; exit code 1) says what to fix.
 */
export class UserError extends Error {}

export class UsageError extends Error {
  constructor(message: string, readonly command?: string) {
    super(message);
  }
}
