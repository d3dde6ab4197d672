#!/usr/bin/env node
// The `wasm-mlp` command: the CLI is bundled into dist/cli by `npm run build`.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli/wasm-mlp.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('wasm-mlp: dist/cli/wasm-mlp.js is missing; run `npm run build` first');
  process.exit(1);
}
await import(cli.href);
