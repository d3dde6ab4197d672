/** The shapes shared by the CSV sources (./source.ts and the Node file source ./source-node.ts). */
export type CsvSource = string | URL | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

/** Bytes read so far and the total when known (file size, Blob size, Content-Length). */
export interface ByteProgress {
  bytes: number;
  totalBytes: number | undefined;
}

export interface OpenedSource {
  chunks: AsyncIterable<Uint8Array | string>;
  totalBytes: number | undefined;
  /** For error messages: the path, URL or kind of source. */
  name: string;
}
