import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Observable } from 'rxjs';
import { echo, type EchoReply, type EchoRequest } from '../shared/echo.js';

/** The client shape of `bench.BenchService`, as `getService()` returns it. */
export interface BenchServiceClient {
  echo(request: EchoRequest): Observable<EchoReply>;
}

/**
 * An ordinary gRPC controller. vRPC serves this very class from Kafka; the gRPC contender
 * serves it over HTTP/2.
 */
@Controller()
export class EchoGrpcController {
  @GrpcMethod('BenchService', 'Echo')
  echo(request: EchoRequest): EchoReply {
    return echo(request);
  }
}
