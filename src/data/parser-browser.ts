/**
 * csv-parse's browser build (streams and Buffer bundled in). In the browser bundle this module is
 * its own file, dist/browser/csv-parse.js, loaded on first use (scripts/build-ts.mjs); the
 * browser entry's ./parser-node.js points here too (scripts/build-ts.mjs).
 */
export { parse } from 'csv-parse/browser/esm';
