// The worker endpoint adapter (src/worker/endpoint.ts) and WorkerModel's load-failure message,
// with stand-in endpoints: Node-style (`on('message')`) and browser-style (addEventListener).
import { MessageChannel, Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { toEndpoint, type MessageEndpoint } from '../src/worker/endpoint.js';
import { createWorkerModel, WorkerModel } from '../src/worker/client.js';

/** A browser-like Worker stand-in: addEventListener, and a way to fire events. */
class FakeWorker {
  posted: { message: unknown; transfer: unknown }[] = [];
  private listeners = new Map<string, ((e: unknown) => void)[]>();
  postMessage(message: unknown, transfer: ArrayBuffer[]): void {
    this.posted.push({ message, transfer });
  }
  addEventListener(type: string, f: (e: unknown) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), f]);
  }
  fire(type: string, e: unknown): void {
    for (const f of this.listeners.get(type) ?? []) f(e);
  }
}

describe('toEndpoint', () => {
  it('adapts a Node MessagePort (on + data) and passes ArrayBuffers as the transfer list', async () => {
    const { port1, port2 } = new MessageChannel();
    const a = toEndpoint(port1);
    const got = new Promise<unknown>((resolve) => toEndpoint(port2).listen((d) => resolve(d)));
    const buf = new Float32Array([1, 2, 3]).buffer;
    a.post({ buf }, [buf]);
    expect(buf.byteLength).toBe(0); // transferred, not copied
    expect(new Float32Array(((await got) as { buf: ArrayBuffer }).buf)).toEqual(new Float32Array([1, 2, 3]));
    port1.close();
    port2.close();
  });

  it('adapts a browser-style endpoint (addEventListener + event.data)', () => {
    const w = new FakeWorker();
    const seen: unknown[] = [];
    const port = toEndpoint(w);
    port.listen((d) => seen.push(d));
    w.fire('message', { data: { id: 7 } });
    port.post({ op: 'x' }, []);
    expect(seen).toEqual([{ id: 7 }]);
    expect(w.posted).toEqual([{ message: { op: 'x' }, transfer: [] }]);
  });

  it('refuses something without postMessage, saying what it expected', () => {
    expect(() => toEndpoint({} as MessageEndpoint)).toThrow(/expected a Worker, a worker global scope or a worker_threads port/);
    expect(() => toEndpoint(null as unknown as MessageEndpoint)).toThrow(/something with postMessage/);
  });

  it('accepts a worker_threads Worker as a MessageEndpoint (types and run time)', async () => {
    const w = new Worker("require('node:worker_threads').parentPort.on('message', (m) => require('node:worker_threads').parentPort.postMessage(m * 2))", { eval: true });
    const port = toEndpoint(w);
    const got = new Promise((resolve) => port.listen((d) => resolve(d)));
    port.post(21, []);
    expect(await got).toBe(42);
    await w.terminate();
  });
});

describe('WorkerModel load failures', () => {
  it('rejects pending requests; for a URL it made into a Worker it says how to write it for a bundler', async () => {
    const g = globalThis as { Worker?: unknown };
    const saved = g.Worker;
    let made: FakeWorker | undefined;
    g.Worker = class extends FakeWorker {
      constructor(readonly url: string | URL, readonly options: unknown) {
        super();
        made = this; // eslint-disable-line @typescript-eslint/no-this-alias
      }
    };
    try {
      const wm = createWorkerModel('/assets/train-worker.js');
      expect((made as unknown as { options: unknown }).options).toEqual({ type: 'module' });
      const init = wm.init({ layers: [{ type: 'dense', units: 1, inputShape: [2] }], compile: { optimizer: 'sgd', loss: 'mse' } });
      made!.fire('error', {});
      await expect(init).rejects.toThrow(
        /^worker failed: could not load the worker script \(from \/assets\/train-worker\.js\)\. Under a bundler \(Vite, webpack\), pass new Worker\(new URL\('\.\/train-worker\.js', import\.meta\.url\), \{ type: 'module' \}\)/,
      );
    } finally {
      g.Worker = saved;
    }
    // A Worker passed in (the bundler recipe) gets the plain message: nothing to suggest.
    const w = new FakeWorker();
    const wm = new WorkerModel(w);
    const p = wm.predict([[1, 2]]);
    w.fire('error', { message: 'SyntaxError: bad token' });
    await expect(p).rejects.toThrow(/^worker failed: SyntaxError: bad token$/);
  });
});
