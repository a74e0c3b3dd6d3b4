import { loadSync, type MethodDefinition } from '@grpc/proto-loader';
import { BENCH_PACKAGE, BENCH_PROTO, BENCH_SERVICE } from '../paths.js';
import type { EchoReply, EchoRequest } from './echo.js';

/**
 * The protobuf codec of `Echo`, loaded as gRPC and vRPC load it, for contenders that
 * handle bytes themselves: the raw floor puts the same bytes on the wire as vRPC's payload.
 */
export function loadEchoCodec(): MethodDefinition<EchoRequest, EchoReply> {
  const definition = loadSync(BENCH_PROTO);
  const service = definition[`${BENCH_PACKAGE}.${BENCH_SERVICE}`] as Record<string, MethodDefinition<EchoRequest, EchoReply>>;
  return service.Echo;
}
