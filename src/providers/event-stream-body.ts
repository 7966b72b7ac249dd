import type {IncomingMessage} from 'node:http';
import {handOn} from './hand-on.ts';
import type {WireTiming} from './wire-timing.ts';

/**
 * A server-sent event stream's body as the SDKs read it (a web stream), fed from node:http. Each
 * read is stamped when the loop reads it, then handed on to the SDK through handOn, a bounded amount
 * of work a turn: the SDK parsing one stream's events (and the run grading and journaling a finished
 * one) no longer delays reading, and stamping, the others. While a read is handed on,
 * `timing.handedReadAt` is when it was read: the SDK parses it before the next is handed on, so a
 * client that sees its first content then knows when that content arrived.
 */
export function eventStreamBody(res: IncomingMessage, timing: WireTiming | undefined, networkError: (cause: Error) => Error): ReadableStream<Uint8Array> {
  // `ended`: the response has finished (the close or error is on its way, after the reads before it);
  // `done`: the web stream is closed or errored; `cancelled`: its reader gave up.
  let ended = false;
  let done = false;
  let cancelled = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const finish = (how: () => void) => {
        if (ended) return;
        ended = true;
        handOn(() => {
          if (done || cancelled) return;
          done = true;
          how();
        });
      };
      res.on('data', (chunk: Buffer) => {
        const readAt = performance.now();
        if (timing) timing.lastByteAt = readAt;
        handOn(() => {
          if (done || cancelled) return;
          if (timing) timing.handedReadAt = readAt;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        });
      });
      res.on('end', () => {
        if (timing) timing.receivedAt = performance.now();
        finish(() => controller.close());
      });
      res.on('error', (error) => finish(() => controller.error(error.name === 'AbortError' ? error : networkError(error))));
      // A connection closed before the end of the stream, without an error of its own.
      res.on('close', () => finish(() => controller.error(networkError(Object.assign(new Error('other side closed'), {code: 'ECONNRESET'})))));
    },
    cancel() {
      cancelled = true;
      res.destroy();
    },
  });
}
