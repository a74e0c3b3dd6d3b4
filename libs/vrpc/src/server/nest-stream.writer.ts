import { status } from '@grpc/grpc-js';
import { isObservable, type Observable, Subscription } from 'rxjs';
import type { StreamCallIO } from '../serving/stream-executor.interface.js';
import { statusFromError } from '../serving/status-from-error.js';

/** How a handler's result becomes the server's side of a stream. */
export interface ResultWriting {
  encode: (value: unknown) => Buffer;
  toObservable: (result: unknown) => Observable<unknown>;
  /** `each`: every value is a message (server streaming, bidi); `last`: the last value is the one reply (client streaming). */
  mode: 'each' | 'last';
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && !isObservable(value) && Symbol.asyncIterator in value;
}

/** Encodes and writes one value; a value the codec refuses ends the call (INTERNAL, as `statusFromError` says). */
function writeValue(io: StreamCallIO, value: unknown, encode: ResultWriting['encode']): void {
  io.write(encode(value ?? {}));
}

/**
 * Pulls an `AsyncIterable` one value per opening of the caller's window (`whenWritable`): true
 * flow control, nothing held. Stops it (`return()`, its `finally` runs) when the call stops.
 */
async function pump(io: StreamCallIO, iterable: AsyncIterable<unknown>, encode: ResultWriting['encode']): Promise<void> {
  const iterator = iterable[Symbol.asyncIterator]();
  const stop = (): void => {
    iterator.return?.().catch(() => undefined);
  };
  io.signal.addEventListener('abort', stop, { once: true });
  try {
    while (!io.signal.aborted) {
      await io.whenWritable();
      if (io.signal.aborted) return;
      const next = await iterator.next();
      if (next.done || io.signal.aborted) return;
      writeValue(io, next.value, encode);
    }
  } finally {
    io.signal.removeEventListener('abort', stop);
  }
}

/**
 * Writes a handler's result to the call and ends it: an `AsyncIterable` is pulled as the window
 * opens; anything else goes through Nest's `transformToObservable`, whose values are written as
 * they come (what the window cannot take yet is held, up to `maxBufferedBytes`); a value that is
 * itself an `AsyncIterable` (one an interceptor wrapped) is pulled in turn. The Observable is
 * unsubscribed when the call stops (cancel, deadline, silence, a failure): its teardown runs.
 */
export function writeResult(io: StreamCallIO, result: unknown, { encode, toObservable, mode }: ResultWriting): void {
  const fail = (error: unknown): void => io.end(statusFromError(error));
  if (mode === 'each' && isAsyncIterable(result)) {
    pump(io, result, encode).then(() => io.end({ code: status.OK, message: '' }), fail);
    return;
  }
  const pumps: Promise<void>[] = [];
  let last: { value: unknown } | undefined;
  const subscription: Subscription = new Subscription();
  const unsubscribe = (): void => subscription.unsubscribe();
  io.signal.addEventListener('abort', unsubscribe, { once: true });
  subscription.add(
    toObservable(result).subscribe({
      next: (value) => {
        try {
          if (mode === 'last') last = { value };
          else if (isAsyncIterable(value)) pumps.push(pump(io, value, encode));
          else writeValue(io, value, encode);
        } catch (error: unknown) {
          fail(error);
          unsubscribe();
        }
      },
      error: fail,
      complete: () => {
        Promise.all(pumps)
          .then(() => {
            const payload = mode === 'last' ? encode(last?.value ?? {}) : undefined;
            io.end({ code: status.OK, message: '', payload });
          })
          .catch(fail);
      },
    }),
  );
  if (io.signal.aborted) unsubscribe();
}
