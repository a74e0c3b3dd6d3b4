// `@vrpc/nestjs/gateway`: serves request topics by forwarding each call to a gRPC server.
export { VrpcGateway } from './gateway/vrpc-gateway.js';
export type { VrpcGatewayHealth, VrpcGatewayOptions, VrpcGatewayState } from './gateway/gateway-options.interface.js';
export type { GatewayTargetHealth } from './grpc/grpc-target-health.interface.js';
