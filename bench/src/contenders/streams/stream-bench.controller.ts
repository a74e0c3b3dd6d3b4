import { Controller } from '@nestjs/common';
import { GrpcMethod, GrpcStreamMethod } from '@nestjs/microservices';
import type { Observable } from 'rxjs';
import { echoItems, generateItems, type Item, type StreamRequest, streamItems } from '../../shared/stream-items.js';

/** The client shape of `bench.StreamBenchService`, as `getService()` returns it. */
export interface StreamBenchServiceClient {
  stream(request: StreamRequest): Observable<Item>;
  generate(request: StreamRequest): Observable<Item>;
  echo(items: Observable<Item>): Observable<Item>;
}

/**
 * An ordinary gRPC controller, as written for Nest's gRPC transport. vRPC serves this very
 * class from Kafka; the gRPC contender serves it over HTTP/2.
 */
@Controller()
export class StreamBenchController {
  @GrpcMethod('StreamBenchService', 'Stream')
  stream(request: StreamRequest): Observable<Item> {
    return streamItems(request);
  }

  /** vRPC pulls an `AsyncIterable` as the caller's window opens (Nest's gRPC transport does not take one). */
  @GrpcMethod('StreamBenchService', 'Generate')
  generate(request: StreamRequest): AsyncGenerator<Item> {
    return generateItems(request);
  }

  @GrpcStreamMethod('StreamBenchService', 'Echo')
  echo(items: Observable<Item>): Observable<Item> {
    return echoItems(items);
  }
}
