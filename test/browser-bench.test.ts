// The bench page runs predict / trainOnBatch / fit on wasm (relaxed and plain SIMD) and js, and
// shows WASM faster than JS.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { start, screenshots, type Harness } from './browser/harness.js';

let h: Harness;
beforeAll(async () => { h = await start(); }, 120_000);
afterAll(async () => { await h?.close(); });

it('bench page finishes and shows WASM faster than JS', async () => {
  const page = await h.newPage();
  await page.goto(new URL('/bench/?autorun&duration=200', h.url).href);
  await page.waitForFunction(() => (window as { __bench?: { done: boolean } }).__bench?.done, undefined, { timeout: 60_000 });
  const results = await page.evaluate(() => (window as unknown as { __bench: { results: { workload: string; backend: string; ms: number }[] } }).__bench.results);
  const ms = (w: string, b: string) => results.find((r) => r.workload === w && r.backend === b)!.ms;
  for (const w of ['predict', 'train', 'fit']) for (const b of ['wasm-relaxed', 'wasm-simd', 'js']) expect(ms(w, b)).toBeGreaterThan(0);
  for (const w of ['predict', 'train']) {
    expect(ms(w, 'js') / ms(w, 'wasm-relaxed')).toBeGreaterThan(2);
    expect(ms(w, 'js') / ms(w, 'wasm-simd')).toBeGreaterThan(2);
  }
  expect(ms('fit', 'js')).toBeGreaterThan(ms('fit', 'wasm-relaxed'));
  expect(await page.locator('#table tbody tr').count()).toBe(9);
  await page.screenshot({ path: `${screenshots}/bench.png`, fullPage: true });
  await page.close();
});
