// How a streaming call ended, collected the same way on every path (Observables of VrpcClient
// and ClientGrpc, grpc-js calls), so the paths compare with one toEqual; and RSS samples.
import { type Client, type ClientReadableStream, type Metadata, type ServiceError } from '@grpc/grpc-js';
import { type Observable } from 'rxjs';

/** How a call ended: grpc-js' error shape, comparable across paths. */
export interface CallEnd {
  code: number;
  details: string;
  /** Trailing metadata keys the test compares (those starting `x-`). */
  trailers: Record<string, string[]>;
}

/** Every message of a call, in order, and how it ended (code 0: completed). */
export interface CallOutcome<T> {
  messages: T[];
  end: CallEnd;
}

const OK: CallEnd = { code: 0, details: '', trailers: {} };

function trailersOf(metadata: Metadata | undefined): Record<string, string[]> {
  const map = metadata?.getMap() ?? {};
  return Object.fromEntries(
    Object.keys(map)
      .filter((key) => key.startsWith('x-'))
      .sort()
      .map((key) => [key, (metadata?.get(key) ?? []).map(String)]),
  );
}

export function endOf(error: unknown): CallEnd {
  const { code, details, metadata } = (typeof error === 'object' && error !== null ? error : {}) as Partial<ServiceError>;
  return { code: typeof code === 'number' ? code : -1, details: details ?? String(error), trailers: trailersOf(metadata) };
}

/** Subscribes to `call$` and collects every message and its end; bounded by `timeoutMs`. */
export function outcome<T>(call$: Observable<T>, timeoutMs = 30_000): Promise<CallOutcome<T>> {
  return new Promise((resolve) => {
    const messages: T[] = [];
    const timer = setTimeout(() => {
      subscription.unsubscribe();
      resolve({ messages, end: { code: -1, details: `no end within ${timeoutMs} ms`, trailers: {} } });
    }, timeoutMs);
    const subscription = call$.subscribe({
      next: (message) => messages.push(message),
      complete: () => (clearTimeout(timer), resolve({ messages, end: OK })),
      error: (error: unknown) => (clearTimeout(timer), resolve({ messages, end: endOf(error) })),
    });
  });
}

type GrpcMethod = (...args: unknown[]) => unknown;
const method = (client: Client, name: string): GrpcMethod => (client as unknown as Record<string, GrpcMethod>)[name].bind(client);

/** A grpc-js server-streaming call, collected. */
export function grpcServerStream<T>(client: Client, name: string, request: object): Promise<CallOutcome<T>> {
  const call = method(client, name)(request) as ClientReadableStream<T>;
  return new Promise((resolve) => {
    const messages: T[] = [];
    call.on('data', (message: T) => messages.push(message));
    call.on('error', (error: unknown) => resolve({ messages, end: endOf(error) }));
    call.on('end', () => resolve({ messages, end: OK }));
  });
}

/** A grpc-js client-streaming call: writes `requests`, half-closes, collects the reply. */
export function grpcClientStream<T>(client: Client, name: string, requests: object[]): Promise<CallOutcome<T>> {
  return new Promise((resolve) => {
    const call = method(
      client,
      name,
    )((error: ServiceError | null, reply?: T) =>
      resolve(error ? { messages: [], end: endOf(error) } : { messages: [reply as T], end: OK }),
    ) as { write(message: object): void; end(): void };
    for (const request of requests) call.write(request);
    call.end();
  });
}

/** A grpc-js bidi call: writes `requests`, half-closes, collects every reply. */
export function grpcBidi<T>(client: Client, name: string, requests: object[]): Promise<CallOutcome<T>> {
  const call = method(client, name)() as ClientReadableStream<T> & { write(message: object): void; end(): void };
  return new Promise((resolve) => {
    const messages: T[] = [];
    call.on('data', (message: T) => messages.push(message));
    call.on('error', (error: unknown) => resolve({ messages, end: endOf(error) }));
    call.on('end', () => resolve({ messages, end: OK }));
    for (const request of requests) call.write(request);
    call.end();
  });
}

/** A grpc-js unary call, collected like the others. */
export function grpcUnary<T>(client: Client, name: string, request: object): Promise<CallOutcome<T>> {
  return new Promise((resolve) => {
    method(client, name)(request, (error: ServiceError | null, reply?: T) =>
      resolve(error ? { messages: [], end: endOf(error) } : { messages: [reply as T], end: OK }),
    );
  });
}

/** RSS samples of this process, every `everyMs`, until stopped. */
export function sampleRss(read: () => Promise<number> | number, everyMs = 500): { samples: number[]; stop(): void } {
  const samples: number[] = [];
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    Promise.resolve(read())
      .then((rss) => samples.push(rss))
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, everyMs);
  return { samples, stop: () => clearInterval(timer) };
}

export const MB = 1024 * 1024;
