/** User-facing messages, kept in one place. */
export const VrpcMessages = {
  unknownService: (name: string, known: string[]) =>
    `vRPC: service "${name}" is not in the loaded protos (known: ${known.join(', ') || 'none'})`,
  unknownMethod: (service: string, method: string) =>
    `vRPC: method ${service}/${method} is not implemented here`,
  streamingUnsupported: (service: string, method: string) =>
    `vRPC: ${service}/${method} is a streaming RPC; vRPC carries unary calls only`,
  invalidPayload: (service: string, method: string) =>
    `vRPC: the request payload for ${service}/${method} could not be decoded`,
  deadlineExceeded: (ms: number) => `vRPC: deadline exceeded after ${ms} ms`,
  clientClosed: 'vRPC: the client was closed before the reply arrived',
  notConnected: 'vRPC: the client is not connected',
  publishFailed: (reason: string) => `vRPC: the request could not be published: ${reason}`,
  internal: 'Internal server error',
  setAside: (reason: string) => `vRPC: the request was set aside on the dead-letter topic (${reason})`,
  cannotCountDeliveries: (bus: string) =>
    `vRPC: maxDeliveries is set, but the bus (${bus}) cannot count deliveries: a request that crashes its server every time is not set aside`,
  noProtos: 'vRPC: no proto definitions were given (options.protos)',
  unknownBus: (name: string, known: readonly string[]) =>
    `unknown bus "${name}"; use ${known.join(', ')}, or pass a VrpcBus instance`,
  invalidTopic: (topic: string) =>
    `vRPC: "${topic}" is not a legal topic name (letters, digits, ".", "_", "-"; at most 249 characters)`,
} as const;

/** User-facing messages of the gateway. */
export const GatewayMessages = {
  noTargets: 'vRPC gateway: no targets configured (targets: { "package.Service": "host:port" })',
  invalidTarget: (service: string) => `vRPC gateway: the target of ${service} is empty`,
  noTarget: (service: string) => `vRPC gateway: no gRPC target is configured for ${service}`,
  forwardFailed: (reason: string) => `vRPC gateway: the call could not be forwarded: ${reason}`,
  cannotStart: (state: string) => `vRPC gateway: start() called while ${state}; a gateway starts once`,
} as const;

/** User-facing messages of the client interceptor. */
export const InterceptorMessages = {
  serializeFailed: (reason: string) => `Request message serialization failure: ${reason}`,
  parseFailed: (reason: string) => `Response message parsing error: ${reason}`,
  noRequest: 'vRPC: a unary call was half-closed without a request message',
} as const;
