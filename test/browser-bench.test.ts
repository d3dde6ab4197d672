// The bench page runs predict / trainOnBatch / fit on wasm (relaxed and plain SIMD) and js, and the
// same workloads in TensorFlow.js (wasm, webgl), records what each row ran with, and shows the
// speed-ups it measured. TensorFlow.js loads only when the comparison runs.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { start, screenshots, type Harness } from './browser/harness.js';

let h: Harness;
beforeAll(async () => { h = await start(); }, 120_000);
afterAll(async () => { await h?.close(); });

type Info = { name: string; relaxedSimd?: boolean; backend?: string; simd?: boolean; binary?: string; threads?: number; crossOriginIsolated?: boolean; webglVersion?: number };
type Row = { workload: string; backend: string; ms?: number; throughput?: number; info?: Info; unavailable?: string };
const WORKLOADS = ['predict', 'train', 'fit'];

it('loads no TensorFlow.js until the comparison runs', async () => {
  const page = await h.newPage();
  const vendor: string[] = [];
  page.on('request', (r) => { if (r.url().includes('/vendor/tfjs')) vendor.push(r.url()); });
  await page.goto(new URL('/bench/', h.url).href);
  await page.waitForLoadState('networkidle');
  expect(await page.locator('#tfjs').isChecked()).toBe(true);
  expect(vendor).toEqual([]);
  await page.close();
});

it('bench page finishes; every row ran on the backend it names and its figures agree', async () => {
  const page = await h.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(new URL('/bench/?autorun&duration=200', h.url).href);
  await page.waitForFunction(() => (window as { __bench?: { done: boolean } }).__bench?.done, undefined, { timeout: 240_000 });
  const results = await page.evaluate(() => (window as unknown as { __bench: { results: Row[] } }).__bench.results);
  const row = (w: string, b: string) => results.find((r) => r.workload === w && r.backend === b)!;
  const measured = (r: Row, what: string) => {
    expect(Number.isFinite(r.ms) && r.ms! > 0, `${what} ms ${r.ms}`).toBe(true);
    expect(Number.isFinite(r.throughput) && r.throughput! > 0, `${what} throughput ${r.throughput}`).toBe(true);
  };
  // How much faster wasm is depends on the machine and its load: that is the bench's to report
  // (npm run bench), not a test's to threshold. The test checks the page measured what it says.
  for (const w of WORKLOADS) {
    for (const b of ['wasm-relaxed', 'wasm-simd', 'js']) {
      const r = row(w, b);
      measured(r, `${w}/${b}`);
      // The row ran on the build it is labelled with (a silent fallback to js or to the other build fails here).
      expect(r.info!.name, `${w}/${b} backend`).toBe(b === 'js' ? 'js' : 'wasm');
      expect(r.info!.relaxedSimd, `${w}/${b} relaxed`).toBe(b === 'wasm-relaxed');
    }
    // TensorFlow.js wasm runs in every Chromium: SIMD, and its threaded binary since the page is cross-origin isolated.
    const tw = row(w, 'tfjs-wasm');
    measured(tw, `${w}/tfjs-wasm`);
    expect(tw.info).toMatchObject({ name: 'tfjs-wasm', backend: 'wasm', simd: true, crossOriginIsolated: true, binary: 'tfjs-backend-wasm-threaded-simd.wasm' });
    expect(tw.info!.threads, 'tfjs wasm threads').toBeGreaterThanOrEqual(1);
    // webgl may be missing in headless Chromium: then the row says why instead of failing the page.
    const tg = row(w, 'tfjs-webgl');
    if (tg.unavailable) expect(tg.unavailable).toMatch(/webgl/i);
    else {
      measured(tg, `${w}/tfjs-webgl`);
      expect(tg.info).toMatchObject({ name: 'tfjs-webgl', backend: 'webgl' });
    }
  }
  // The table shows every row, each with what it ran with, and each speed-up cell is js ms ÷ that row's ms.
  expect(await page.locator('#table tbody tr').count()).toBe(15);
  for (const w of WORKLOADS) {
    for (const b of ['wasm-relaxed', 'wasm-simd', 'tfjs-wasm']) {
      const cell = await page.locator(`#table tbody tr[data-workload="${w}"][data-backend="${b}"] td:nth-child(5)`).innerText();
      const v = row(w, 'js').ms! / row(w, b).ms!;
      expect(cell).toBe(`${v >= 0.1 ? v.toFixed(1) : v.toPrecision(1)}×`);
    }
    const ran = await page.locator(`#table tbody tr[data-workload="${w}"][data-backend="tfjs-wasm"] .ran`).innerText();
    expect(ran).toMatch(/^tfjs 4\.\d+\.\d+ · tfjs-backend-wasm-threaded-simd\.wasm · \d+ XNNPACK threads?$/);
    const webgl = page.locator(`#table tbody tr[data-workload="${w}"][data-backend="tfjs-webgl"]`);
    if (row(w, 'tfjs-webgl').unavailable) expect(await webgl.innerText()).toContain('not available');
  }
  expect(errors).toEqual([]);
  await page.screenshot({ path: `${screenshots}/bench.png`, fullPage: true });
  await page.close();
});
