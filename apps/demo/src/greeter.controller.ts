import type { Metadata } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';

export interface HelloRequest {
  name: string;
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
}
