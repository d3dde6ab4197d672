/** nn.data: datasets that stream (CSV files, URLs, Files, streams) for model.fitDataset. */
export { csv, fitPreprocessing, splitRows, CsvDataset, CsvError, type CsvOptions, type CsvBatch, type Preprocessing, type Task, type CsvSource, type ByteProgress } from './csv.js';
export type { ColumnSpec } from './preprocessing.js';
