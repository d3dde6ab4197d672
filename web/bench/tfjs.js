// TensorFlow.js as a peer on the bench page: the same three workloads as wasm-mlp's rows, on its
// `wasm` backend (XNNPACK; SIMD, and threads when the page is cross-origin isolated) and `webgl`.
// Loaded only when the comparison runs: the UMD bundles of node_modules/@tensorflow/*, which the
// dev server mounts at /vendor/ (scripts/serve.mjs MOUNTS), ~1.4 MB the page does not otherwise fetch.

const VENDOR = '/vendor';
let loading;

function script(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = resolve;
    s.onerror = () => reject(new Error(`could not load ${src} (is the page served by \`npm run playground\`, which mounts node_modules/@tensorflow?)`));
    document.head.append(s);
  });
}

/** window.tf with core, layers and the wasm and webgl backends, loaded once. */
function loadTf() {
  loading ??= (async () => {
    await script(`${VENDOR}/tfjs-core/tf-core.es2017.min.js`);
    await script(`${VENDOR}/tfjs-layers/tf-layers.es2017.min.js`);
    await script(`${VENDOR}/tfjs-backend-wasm/tf-backend-wasm.es2017.min.js`);
    await script(`${VENDOR}/tfjs-backend-webgl/tf-backend-webgl.es2017.min.js`);
    window.tf.wasm.setWasmPaths(`${VENDOR}/tfjs-backend-wasm/`);
    // As many XNNPACK threads as the browser reports cores, as wasm-mlp's default: they are used
    // only where the page may share memory with workers (cross-origin isolated), else 1.
    window.tf.wasm.setThreadsCount(navigator.hardwareConcurrency || 1);
    return window.tf;
  })();
  return loading;
}

/** What the tfjs backend really runs with: wasm SIMD / threads, or the WebGL version and renderer. */
async function describe(tf, backend) {
  const info = { name: `tfjs-${backend}`, backend: tf.getBackend(), version: tf.version_core };
  if (backend === 'wasm') {
    info.simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    // The binary the browser really fetched (plain, -simd or -threaded-simd), and XNNPACK's own thread count.
    info.binary = performance.getEntriesByType('resource').map((e) => /tfjs-backend-wasm[\w-]*\.wasm$/.exec(e.name)?.[0]).filter(Boolean).at(-1);
    info.threads = tf.wasm.getThreadsCount();
    info.crossOriginIsolated = globalThis.crossOriginIsolated === true;
  } else {
    info.webglVersion = tf.env().getNumber('WEBGL_VERSION');
    const gl = tf.backend().gpgpu?.gl;
    const ext = gl?.getExtension('WEBGL_debug_renderer_info');
    info.renderer = ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl?.getParameter(gl.RENDERER);
  }
  return info;
}

/**
 * Switches TensorFlow.js to `backend` ('wasm' or 'webgl'). Returns { tf, info }, or { unavailable }
 * with the reason when this browser cannot run it (e.g. no WebGL in a headless browser).
 */
export async function tfjsBackend(backend) {
  let tf;
  try {
    tf = await loadTf();
  } catch (e) {
    return { unavailable: e.message };
  }
  let ok = false;
  let why = '';
  try {
    ok = await tf.setBackend(backend);
    await tf.ready();
  } catch (e) {
    why = e.message;
  }
  if (!ok || tf.getBackend() !== backend) return { unavailable: `TensorFlow.js could not initialise its '${backend}' backend${why ? `: ${why}` : ' in this browser'}` };
  return { tf, info: await describe(tf, backend) };
}

function mlp(tf, { layers = [784, 256, 128, 10], hidden = 'relu', out = 'softmax', optimizer, loss }) {
  const m = tf.sequential();
  for (let i = 1; i < layers.length; i++) {
    m.add(tf.layers.dense({ units: layers[i], activation: i === layers.length - 1 ? out : hidden, ...(i === 1 ? { inputShape: [layers[0]] } : {}) }));
  }
  m.compile({ optimizer, loss });
  return m;
}

/** The page's workloads in TensorFlow.js: each takes ({ tf, time, ms, data }) and returns ms per call, like wasm-mlp's. */
export const tfjsWorkloads = {
  async predict({ tf, time, ms, data }) {
    const m = mlp(tf, { optimizer: 'adam', loss: 'categoricalCrossentropy' });
    const x = tf.tensor2d(data.x, [data.rows, 784]);
    // dataSync: the result is read back, as wasm-mlp's predict returns it.
    const per = await time(() => tf.tidy(() => m.predict(x).dataSync()), ms);
    x.dispose();
    m.dispose();
    return per;
  },
  async train({ tf, time, ms, data }) {
    const m = mlp(tf, { optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy' });
    const x = tf.tensor2d(data.x, [data.rows, 784]);
    const y = tf.tensor2d(data.y, [data.rows, 10]);
    const per = await time(() => m.trainOnBatch(x, y), ms);
    tf.dispose([x, y]);
    m.dispose();
    return per;
  },
  async fit({ tf, time, ms, data }) {
    const m = mlp(tf, { layers: [7, 8, 8, 1], hidden: 'tanh', out: 'tanh', optimizer: tf.train.sgd(0.03), loss: 'meanSquaredError' });
    const x = tf.tensor2d(data.x, [data.rows, 7]);
    const y = tf.tensor2d(data.y, [data.rows, 1]);
    const per = await time(() => m.fit(x, y, { epochs: 4, batchSize: 10, verbose: 0 }), ms);
    tf.dispose([x, y]);
    m.dispose();
    return per;
  },
};
