/**
 * `nn.ready()` (and `fit()`, which calls it) picks wasm when it loads. When it does not, the js
 * backend stands in — and the user must learn why: `backendInfo().reason` names the wasm error and
 * one warning reaches the console, however often ready() is called.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

type NN = typeof import('../src/index.js');

/** A fresh copy of the library (module state: current backend, the warned-once flag, feature cache). */
async function freshLibrary(): Promise<NN> {
  vi.resetModules();
  return (await import('../src/index.js')) as NN;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('ready() when the wasm backend cannot load', () => {
  it('falls back to js, says why in backendInfo().reason and warns once', async () => {
    // An engine without WebAssembly SIMD: feature detection validates tiny modules.
    vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const nn = await freshLibrary();
    // fit() calls ready() implicitly: the reason must be there afterwards too.
    const model = nn.sequential({ seed: 1, layers: [nn.layers.dense({ units: 1, inputShape: [2] })] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await model.fit([[1, 2], [3, 4]], [[1], [2]], { epochs: 1 });
    expect(model.backendName).toBe('js');
    const info = nn.backendInfo();
    expect(info.name).toBe('js');
    expect(info.reason).toMatch(/wasm backend could not be loaded/);
    expect(info.reason).toMatch(/WebAssembly SIMD/); // the underlying error, not a generic line
    expect(info.reason).toMatch(/js backend is in use/);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain(info.reason!);
    // Further ready() calls and models do not warn again.
    expect((await nn.ready()).reason).toBe(info.reason);
    const again = nn.sequential({ layers: [nn.layers.dense({ units: 1, inputShape: [2] })] });
    again.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await again.fit([[1, 2]], [[1]]);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('a js backend chosen with setBackend carries no reason', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const nn = await freshLibrary();
    await nn.setBackend('js');
    expect(nn.backendInfo().reason).toBeUndefined();
    expect(warn).not.toHaveBeenCalled();
  });

  it('when wasm loads: wasm, no fallback reason, no warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const nn = await freshLibrary();
    const info = await nn.ready();
    expect(info.name).toBe('wasm');
    expect(info.reason ?? '').not.toMatch(/could not be loaded/);
    expect(warn).not.toHaveBeenCalled();
  });
});
