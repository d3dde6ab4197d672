/** The browser entry's stand-in for ./parser-node.ts (scripts/build-ts.mjs): the browser build of csv-parse. */
export { parse } from './parser-browser.js';
