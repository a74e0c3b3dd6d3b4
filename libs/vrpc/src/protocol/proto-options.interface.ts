import type { Options as ProtoLoaderOptions } from '@grpc/proto-loader';

/** Where the service definitions come from: the same shape as Nest's gRPC transport options. */
export interface VrpcProtoOptions {
  /** Path(s) of the .proto files. */
  protoPath: string | string[];
  /** Proto package name(s) whose services are served or called. */
  package: string | string[];
  /** Options for `@grpc/proto-loader` (`keepCase`, `longs`, `includeDirs`…). */
  loader?: ProtoLoaderOptions;
}
