/**
 * csv-parse's browser build (streams and Buffer bundled in), used where no Node platform is
 * registered (src/platform.ts). In the browser bundle this module is its own file,
 * dist/browser/csv-parse.js, loaded on first use (scripts/build-ts.mjs).
 */
export { parse } from 'csv-parse/browser/esm';
