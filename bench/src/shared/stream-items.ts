import { map, type Observable, range } from 'rxjs';

/** The request of `bench.StreamBenchService/Stream` and `/Generate`. */
export interface StreamRequest {
  count: number;
  size: number;
}

/** One message of every stream of the streaming bench. */
export interface Item {
  seq: number;
  payload: string;
}

const payloads = new Map<number, string>();

/** `size` bytes of ASCII text; one string per size, so that checking a payload is cheap. */
export function payloadOf(size: number): string {
  let payload = payloads.get(size);
  if (payload === undefined) {
    payload = 'vrpc-stream-'.padEnd(size, 'x').slice(0, size);
    payloads.set(size, payload);
  }
  return payload;
}

/** Items a server process has produced (handed to its transport) since it started. */
export const produced = { items: 0 };

/** The Observable handler's stream: `count` items, emitted as fast as the subscriber takes them. */
export function streamItems({ count, size }: StreamRequest): Observable<Item> {
  const payload = payloadOf(size);
  return range(1, count).pipe(
    map((seq) => {
      produced.items++;
      return { seq, payload };
    }),
  );
}

/** The `async function*` handler's stream: the same items, each produced only when pulled. */
// eslint-disable-next-line @typescript-eslint/require-await -- the handler shape under test is an `async function*`: its consumer pulls each item
export async function* generateItems({ count, size }: StreamRequest): AsyncGenerator<Item> {
  const payload = payloadOf(size);
  for (let seq = 1; seq <= count; seq++) {
    produced.items++;
    yield { seq, payload };
  }
}

/** The echo handler: every item back as it came. */
export function echoItems(items: Observable<Item>): Observable<Item> {
  return items.pipe(map((item) => ({ seq: item.seq, payload: item.payload })));
}

/** A message lost, repeated, reordered or garbled on the way: the bench's finding, not the transport's error. */
export class WrongMessageError extends Error {}

/**
 * Checks that `item` is the `expected`-th of its stream, with a payload of `size` bytes;
 * a transport that loses, duplicates or reorders messages must not score.
 */
export function checkItem(item: Item | undefined, expected: number, size: number): void {
  if (item?.seq !== expected || item.payload !== payloadOf(size)) {
    const seen = item ? `seq ${item.seq}, ${item.payload?.length ?? 0} bytes` : 'nothing';
    throw new WrongMessageError(`message ${expected} of the stream: got ${seen}`);
  }
}
