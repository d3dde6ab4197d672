/**
 * One shape for the three kinds of message port we meet: a browser Worker or worker scope
 * (addEventListener + event.data) and Node's worker_threads Worker / parentPort (on + data).
 *
 * Typed without DOM or Node names (no `Transferable`, no `TransferListItem`), so it compiles in
 * every project (`lib: ["es2022"]` alone or with DOM) and both kinds of Worker are assignable to it.
 * Only ArrayBuffers are ever transferred.
 */
export interface MessageEndpoint {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  addEventListener?(type: 'message', listener: (event: { data: unknown }) => void): void;
  on?(type: 'message', listener: (data: unknown) => void): unknown;
  terminate?(): unknown;
}

export interface Port {
  post(message: unknown, transfer: ArrayBufferLike[]): void;
  listen(handler: (data: never) => void): void;
}

export function toEndpoint(ep: MessageEndpoint): Port {
  if (!ep || typeof ep.postMessage !== 'function') {
    throw new Error('worker: expected a Worker, a worker global scope or a worker_threads port (something with postMessage)');
  }
  return {
    post: (message, transfer) => ep.postMessage(message, transfer as ArrayBuffer[]),
    listen: (handler) => {
      // Node's ports have `on` (data directly); browsers have addEventListener (event.data).
      if (typeof ep.on === 'function') ep.on('message', (data) => handler(data as never));
      else ep.addEventListener!('message', (event) => handler(event.data as never));
    },
  };
}
