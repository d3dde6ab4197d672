// import and require of the package in one program must give one library (one backend, one arena).
import { createRequire } from 'node:module';
import * as esm from 'wasm-mlp';

const cjs = createRequire(import.meta.url)('wasm-mlp');
console.log(JSON.stringify({ same: esm.Sequential === cjs.Sequential && esm.setBackend === cjs.setBackend, exports: Object.keys(esm).length }));
