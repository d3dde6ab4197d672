/** Text for messages. */

/**
 * A byte count for an error message: exact below 1 MiB ("5120 bytes"); above, "1.5 MiB" or
 * "4.00 GiB" followed by the exact count, "(1572864 bytes)", unless `exact` is false.
 */
export function formatBytes(n: number, exact = true): string {
  if (n < 2 ** 20) return `${n} bytes`;
  const size = n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(2)} GiB` : `${(n / 2 ** 20).toFixed(1)} MiB`;
  return exact ? `${size} (${n} bytes)` : size;
}
