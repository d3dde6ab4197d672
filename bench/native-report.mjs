// What `npm run bench -- native` measured, read back: the rows it runs, how each row is labelled
// with what it really ran with, and issue 18's targets computed from the numbers. Pure functions
// of bench/results/native.json, shared by the bench's console tables (bench/native.mjs) and the
// README section (scripts/readme-numbers.mjs), and tested without running anything
// (test/bench-native.test.ts).
import { describeRan } from './ran.mjs';
import { PHASES } from './step-profile.mjs';

/** The issue's batch-8 baseline (wasm-mlp plain SIMD, one core, MNIST, samples/s) the small-batch target multiplies. */
export const BATCH8_BASELINE = 11000;

/** The rows: peer × model × threads, each process pinned to `cpus`. Quick mode: one or two batch sizes each. */
export function plan({ quick = false, cores = 2 } = {}) {
  const b = (full, fast) => (quick ? fast : full);
  const rows = [];
  const peers = [
    { peer: 'wasm-mlp', build: 'simd', label: 'wasm-mlp, plain SIMD' },
    { peer: 'wasm-mlp', build: 'relaxed', label: 'wasm-mlp, relaxed SIMD' },
    { peer: 'pytorch', label: 'PyTorch (CPU)' },
    { peer: 'keras-jax', label: 'Keras 3 on JAX' },
  ];
  for (const p of peers) rows.push({ ...p, model: 'mnist', threads: 1, cpus: '0', batches: b([8, 32, 64, 256], [32]) });
  for (const p of peers) if (p.build !== 'relaxed') rows.push({ ...p, model: 'mnist', threads: 2, cpus: '0,1', batches: b([64, 256], [64]), ...(cores < 2 ? { skip: `this machine has ${cores} core` } : {}) });
  for (const p of peers) rows.push({ ...p, model: 'intent', threads: 1, cpus: '0', batches: b([32, 64], [32]) });
  return rows.map((r) => ({ ...r, id: rowId(r) }));
}

/** Whether a row also records where its steps' time goes (bench/step-profile.mjs): the headline build, plain SIMD on one core. */
export function profiled(row) {
  return row.peer === 'wasm-mlp' && row.build === 'simd' && row.threads === 1;
}

/** [label, usPerStep] per profiled row and batch, in plan order; empty when the results hold none. */
export function profiles(result) {
  return Object.values(result.rows ?? {}).filter((r) => r.profile).flatMap((r) =>
    Object.entries(r.profile).map(([b, p]) => [`${r.model === 'mnist' ? 'MNIST' : r.model} batch ${b}`, p.usPerStep]));
}

/** "mnist/1/wasm-mlp-simd": the key of a row in native.json. */
export function rowId({ model, threads, peer, build }) {
  return `${model}/${threads}/${peer}${build ? `-${build}` : ''}`;
}

/** The summary of one batch size's timed epochs: the fastest (the figure the tables show) and the median. */
export function summarize(epochRates) {
  if (!Array.isArray(epochRates) || !epochRates.length || !epochRates.every((v) => Number.isFinite(v) && v > 0)) {
    throw new Error(`expected a non-empty list of positive samples/s (one per timed epoch), got ${JSON.stringify(epochRates)}`);
  }
  const s = [...epochRates].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { best: s.at(-1), median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, epochs: epochRates };
}

/**
 * A row's "ran with" cell. wasm-mlp rows: build · threads · V8 flags · CPUs; Python rows: framework
 * and versions · device (and ISA) · threads · CPUs, all as the measuring process reported them.
 */
export function describeNative(ran) {
  if (!ran) return 'not recorded';
  const cpus = ran.cpus?.length ? ` · CPU${ran.cpus.length === 1 ? '' : 's'} ${ran.cpus.join(',')}` : ' · not pinned';
  if (ran.build === 'pytorch' || ran.build === 'keras-jax') {
    const v = ran.versions ?? {};
    const name = ran.build === 'pytorch' ? `torch ${v.torch}` : `keras ${v.keras}, jax ${v.jax}`;
    const device = ran.isa ? `${ran.device} ${ran.isa}` : ran.device;
    // threads: torch.get_num_threads(), or the XLA CPU pool (sized to the CPUs it may run on); the
    // process's OS threads (dispatch, Python, idle pools) are all on the same CPUs.
    const os = ran.osThreads ? ` (${ran.osThreads} OS threads)` : '';
    return `${name} · ${device} · ${ran.threads} thread${ran.threads === 1 ? '' : 's'}${os}${ran.xlaFlags ? ` · XLA_FLAGS=${ran.xlaFlags}` : ''}${cpus}`;
  }
  return `${describeRan(ran)}${cpus}`;
}

/** Checks a measured row's record against its plan: refuses a row whose process ran another build, thread count or CPU set. */
export function checkRow(row, ran) {
  const want = row.build ?? row.peer;
  if (ran.build !== want) throw new Error(`refusing the '${row.id}' row: it ran '${ran.build}', not '${want}'`);
  if (ran.threads !== row.threads) throw new Error(`refusing the '${row.id}' row: it ran on ${ran.threads} thread(s), not ${row.threads}`);
  const cpus = row.cpus.split(',').map(Number);
  if (ran.cpus && (ran.cpus.length !== cpus.length || ran.cpus.some((c, i) => c !== cpus[i]))) {
    throw new Error(`refusing the '${row.id}' row: it ran on CPUs ${ran.cpus.join(',')}, not ${row.cpus}`);
  }
  return ran;
}

/** The best samples/s of row `id` at `batch`, or undefined when that row did not run. */
export function rate(result, id, batch) {
  return result.rows?.[id]?.rates?.[batch]?.best;
}

/**
 * Issue 18's targets, each with the measured value, the goal and whether it is met (undefined when
 * a peer it needs did not run). Headline build: plain SIMD.
 */
export function targets(result) {
  const r = (id, b) => rate(result, id, b);
  const ratio = (a, b) => (a && b ? a / b : undefined);
  const out = [];
  const add = (what, value, goal, unit = '×') => out.push({ what, value, goal, unit, met: value === undefined ? undefined : value >= goal });
  for (const b of [8, 32, 64]) add(`MNIST, one core, batch ${b}: wasm-mlp ÷ Keras-JAX`, ratio(r('mnist/1/wasm-mlp-simd', b), r('mnist/1/keras-jax', b)), 1);
  for (const b of [32, 64]) add(`intent classifier, one core, batch ${b}: wasm-mlp ÷ Keras-JAX`, ratio(r('intent/1/wasm-mlp-simd', b), r('intent/1/keras-jax', b)), 2);
  add('MNIST, one core, batch 256: wasm-mlp ÷ PyTorch', ratio(r('mnist/1/wasm-mlp-simd', 256), r('mnist/1/pytorch', 256)), 1);
  add('MNIST, two threads ÷ one, batch 256', ratio(r('mnist/2/wasm-mlp-simd', 256), r('mnist/1/wasm-mlp-simd', 256)), 1.85);
  add('MNIST, two threads ÷ one, batch 64', ratio(r('mnist/2/wasm-mlp-simd', 64), r('mnist/1/wasm-mlp-simd', 64)), 1.7);
  add(`MNIST, one core, batch 8: samples/s (1.5 × the issue's ${BATCH8_BASELINE.toLocaleString('en-US')})`, r('mnist/1/wasm-mlp-simd', 8), 1.5 * BATCH8_BASELINE, 'samples/s');
  return out;
}

const int = (v) => (v === undefined ? '—' : Math.round(v).toLocaleString('en-US'));
/** A ratio to 2 decimals, or 3 where 2 would print the goal itself for a target not met (0.997× is not 1.00×). */
const fmtTarget = (t) => {
  if (t.value === undefined) return '—';
  if (t.unit !== '×') return int(t.value);
  const two = t.value.toFixed(2);
  return `${!t.met && Number(two) >= t.goal ? t.value.toFixed(3) : two}×`;
};
const goal = (t) => (t.unit === '×' ? `≥ ${t.goal}×` : `≥ ${int(t.goal)}`);
const verdict = (t) => (t.met === undefined ? 'not measured' : t.met ? 'met' : 'not met');

/** Row labels and a line per row that did not run (Python missing, a refused label, an error). */
function rowsOf(result, model, threads) {
  return Object.entries(result.rows ?? {}).filter(([, r]) => r.model === model && r.threads === threads);
}

/** One line naming each Python peer's training loop, as its process reported it. */
function loops(result) {
  const seen = new Map();
  for (const r of Object.values(result.rows ?? {})) if (r.ran?.loop && !seen.has(r.label)) seen.set(r.label, r.ran.loop);
  return seen.size ? [`Training loops: ${[...seen].map(([label, loop]) => `${label} — ${loop}`).join('; ')}; wasm-mlp — \`model.fit\` with \`shuffle: true\`.`, ''] : [];
}

/** The README section (markdown) for a full run's native.json. */
/**
 * The largest max ÷ min among the timed epochs of one row and batch size (the same process, binary,
 * data and model): how much this host's speed moved during the run, whatever the load average says.
 */
export function epochSpread(result) {
  let worst;
  for (const r of Object.values(result.rows)) {
    for (const [batch, v] of Object.entries(r.rates ?? {})) {
      const e = v?.epochs ?? [];
      if (e.length < 2) continue;
      const spread = Math.max(...e) / Math.min(...e);
      if (!worst || spread > worst.spread) worst = { spread, label: r.label, model: r.model, threads: r.threads, batch: Number(batch) };
    }
  }
  return worst;
}

const spreadLine = (w) => w
  ? `**How far one run can be trusted:** the timed epochs of a single row (one process: the same binary, data, model and batch size) differed by up to ${w.spread.toFixed(2)}× in this run (${w.label}, ${w.model === 'mnist' ? 'MNIST' : 'intent'}, ${w.threads} thread${w.threads > 1 ? 's' : ''}, batch ${w.batch}). The rows run one after another, so a ratio between two of them can move by as much: this VM's speed changes under it even when its load average is low.`
  : '';

export function nativeMarkdown(file) {
  const result = file.result;
  const m = file.machine;
  const batchesOf = (rows) => [...new Set(rows.flatMap(([, r]) => r.batches))].sort((a, b) => a - b);
  const tableOf = (title, rows) => {
    if (!rows.length) return [];
    const batches = batchesOf(rows);
    return [
      title,
      '',
      `| peer | ran with | ${batches.map((b) => `batch ${b}`).join(' | ')} |`,
      `|---|---|${batches.map(() => '---:').join('|')}|`,
      ...rows.map(([, r]) => `| ${r.label} | ${r.ran ? describeNative(r.ran) : r.missing ?? r.error ?? r.skip} | ${batches.map((b) => int(r.rates?.[b]?.best)).join(' | ')} |`),
      '',
    ];
  };
  const t = targets(result);
  // The one-minute load average before or after the run above the core count: other work shared the pinned cores.
  const busiest = Math.max(...[result.load.before, result.load.after].map((l) => Number(String(l).split(' ')[0])));
  const busy = busiest > m.cores
    ? ` **The machine was busy during this run** (load average ${busiest.toFixed(2)} on ${m.cores} cores): other processes shared the pinned cores, unevenly between rows, so these figures and ratios are not representative; re-run \`npm run bench -- native\` on a quiet machine.`
    : '';
  return [
    `Measured with \`npm run bench -- native\` on ${m.cpu}, ${m.cores} cores, ${m.platform}, Node ${m.node} (${file.date.slice(0, 10)}; load average ${result.load.before} → ${result.load.after}).` +
      ` Same data and models on every side: ${result.data.mnist.n.toLocaleString('en-US')} real MNIST digits (${result.data.mnist.source}) and ${result.data.intent.n.toLocaleString('en-US')} synthetic seeded bag-of-words samples` +
      ` (${result.data.intent.source}); each process pinned with \`taskset\` to the CPUs its row names; per batch size a fresh model, one warm-up epoch not timed, then the fastest of ${result.protocol.epochs} timed epochs (samples/s; every epoch is in \`bench/results/native.json\`).${busy}`,
    '',
    ...tableOf('**MNIST classifier** (784-256-128-10 relu, dropout 0.5, softmax, Adam 1e-3), one core, samples/s:', rowsOf(result, 'mnist', 1)),
    ...tableOf('**MNIST classifier, two threads** (both cores), samples/s:', rowsOf(result, 'mnist', 2)),
    ...tableOf('**Bag-of-words intent classifier** (2,000 words → 256 relu → dropout 0.5 → 128 relu → dropout 0.5 → 20 softmax, Adam; 8 words per sample), one core, samples/s:', rowsOf(result, 'intent', 1)),
    ...loops(result),
    ...profileTable(result),
    "**Issue 18's targets** (plain SIMD build, ratios from this one run):",
    '',
    '| target | measured | goal | |',
    '|---|---:|---:|---|',
    ...t.map((x) => `| ${x.what} | ${fmtTarget(x)} | ${goal(x)} | ${verdict(x)} |`),
    ...(epochSpread(result) ? ['', spreadLine(epochSpread(result))] : []),
    ...(result.python?.missing ? ['', `Python peers not measured: ${result.python.missing}`] : []),
  ].join('\n');
}

const us = (v) => (v >= 100 ? int(v) : v.toFixed(1));

/** The per-step profile of the plain-SIMD rows as markdown (or a line saying the results have none). */
function profileTable(result) {
  const rows = profiles(result);
  if (!rows.length) return ['*Per-step profile: not in these results (`npm run bench -- native` records it for the plain-SIMD one-core rows).*', ''];
  return [
    '**Where one step goes** (wasm-mlp plain SIMD, one core; µs per step from `nn.profile` over one more fit of at least 500 steps after the timed epochs, timed from the start of its first epoch to the end of its last; its kernel timing adds ~0.1 µs per kernel call):',
    '',
    `| model, batch | ${PHASES.map(([, h]) => h).join(' | ')} | total |`,
    `|---|${PHASES.map(() => '---:').join('|')}|---:|`,
    ...rows.map(([label, u]) => `| ${label} | ${PHASES.map(([k]) => us(u[k])).join(' | ')} | ${us(u.total)} |`),
    '',
  ];
}

/** Console tables: [title, header, rows] for bench/table.mjs. */
export function nativeTables(result) {
  const tables = [];
  for (const [model, threads, title] of [['mnist', 1, 'MNIST classifier, one core'], ['mnist', 2, 'MNIST classifier, two threads'], ['intent', 1, 'Intent classifier (bag of words), one core']]) {
    const rows = rowsOf(result, model, threads);
    if (!rows.length) continue;
    const batches = [...new Set(rows.flatMap(([, r]) => r.batches))].sort((a, b) => a - b);
    tables.push([`${title}, samples/s (fastest timed epoch)`, ['peer', 'ran with', ...batches.map((b) => `batch ${b}`)],
      rows.map(([, r]) => [r.label, r.ran ? describeNative(r.ran) : (r.missing ?? r.error ?? r.skip ?? '').slice(0, 90), ...batches.map((b) => int(r.rates?.[b]?.best))])]);
  }
  const prof = profiles(result);
  if (prof.length) tables.push(['Where one step goes, wasm-mlp plain SIMD, one core (µs per step, nn.profile)', ['model, batch', ...PHASES.map(([, h]) => h), 'total'], prof.map(([label, u]) => [label, ...PHASES.map(([k]) => us(u[k])), us(u.total)])]);
  tables.push(["Issue 18's targets (plain SIMD)", ['target', 'measured', 'goal', ''], targets(result).map((x) => [x.what, fmtTarget(x), goal(x), verdict(x)])]);
  return tables;
}
