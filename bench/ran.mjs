// What a benchmark row really ran with — the wasm build, the threads and the V8 flags of the
// process that measured it — recorded next to the numbers and printed on every row. A row is
// labelled only with what its process forced: `ranWith` refuses a backend that is not the build
// and thread count the row asked for (e.g. a "SIMD" row that detected the relaxed build).

/** The engine flags of this process (what `--experimental-wasm-relaxed-simd` etc. it was started with). */
export function engineFlags() {
  return [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].filter((a) => a.startsWith('--'));
}

/**
 * The record for a row measured in this process. `want` is what the row is labelled with:
 * { build: 'simd' | 'relaxed' | 'js' | other peer's name, threads }; `got` is what the backend
 * reports ({ relaxedSimd, threads } from backendInfo(), or the same for a raw module).
 * Throws when they differ, so a row never carries a label it did not force.
 */
export function ranWith(want, got) {
  const build = got.build ?? (got.name === 'js' ? 'js' : got.relaxedSimd ? 'relaxed' : 'simd');
  if (want.build !== undefined && want.build !== build) {
    throw new Error(`refusing to label a '${want.build}' row that ran the '${build}' build (flags: ${engineFlags().join(' ') || 'none'})`);
  }
  if (want.threads !== undefined && want.threads !== got.threads) {
    throw new Error(`refusing to label a ${want.threads}-thread row that ran on ${got.threads} thread(s)${got.reason ? `: ${got.reason}` : ''}`);
  }
  return { build, threads: got.threads, flags: engineFlags(), node: process.version };
}

/** "simd · 1 thread · no flags" for a table cell; "not recorded" for results from before the records. */
export function describeRan(ran) {
  if (!ran) return 'not recorded';
  const flags = ran.flags?.length ? ran.flags.join(' ') : 'no flags';
  return `${ran.build} · ${ran.threads} thread${ran.threads === 1 ? '' : 's'} · ${flags}`;
}
