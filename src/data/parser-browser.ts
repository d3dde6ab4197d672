/**
 * csv-parse's browser build (streams and Buffer bundled in). The browser bundle resolves
 * ./parser-node.js here too (scripts/build-ts.mjs), so no Node built-in reaches it.
 */
export { parse } from 'csv-parse/browser/esm';
