/** csv-parse's Node build (a stream.Transform; about twice as fast in Node as its browser build). */
export { parse } from 'csv-parse';
