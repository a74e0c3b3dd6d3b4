import type { Metadata } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { from, type Observable } from 'rxjs';

export interface HelloRequest {
  name: string;
}

export interface HelloEachRequest {
  names: string[];
}

export interface HelloReply {
  message: string;
  servedBy: string;
}

/** An ordinary gRPC controller: nothing in it knows about vRPC. */
@Controller()
export class GreeterController {
  @GrpcMethod('Greeter', 'SayHello')
  sayHello(request: HelloRequest, metadata: Metadata): HelloReply {
    const caller = metadata.get('x-caller')[0];
    return { message: `Hello, ${request.name}!`, servedBy: `pid ${process.pid} for ${String(caller ?? 'anonymous')}` };
  }

  /** A server stream, as Nest's gRPC transport serves one: an Observable of replies. */
  @GrpcMethod('Greeter', 'SayHelloToEach')
  sayHelloToEach(request: HelloEachRequest): Observable<HelloReply> {
    return from(request.names.map((name) => ({ message: `Hello, ${name}!`, servedBy: `pid ${process.pid}, streamed` })));
  }
}
