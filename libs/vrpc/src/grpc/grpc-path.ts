/** A gRPC method path split into its parts. */
export interface GrpcPath {
  /** `package.Service` */
  service: string;
  /** `Method` */
  method: string;
}

const GRPC_PATH = /^\/([^/]+)\/([^/]+)$/;

/** Splits `/package.Service/Method`; undefined when `path` is not of that shape. */
export function parseGrpcPath(path: string): GrpcPath | undefined {
  const match = GRPC_PATH.exec(path);
  return match ? { service: match[1], method: match[2] } : undefined;
}

/** The gRPC path of a method: `/package.Service/Method`. */
export function grpcPath(service: string, method: string): string {
  return `/${service}/${method}`;
}
