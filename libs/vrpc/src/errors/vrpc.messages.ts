// Every user-facing string of the library, in one place. One prefix format, `vRPC: `; the
// error classes add it themselves (`vRPC: <option>: …`, `vRPC: <bus> bus: …`), so the bodies
// they take have none. The interceptor's reply texts stay as grpc-js words them, so that a
// call through it fails the way the same call through the channel would.

/** Messages of calls, replies and the server. */
export const VrpcMessages = {
  unknownMethod: (service: string, method: string) => `vRPC: method ${service}/${method} is not implemented here`,
  streamingUnsupported: (service: string, method: string) => `vRPC: ${service}/${method} is a streaming RPC; vRPC carries unary calls only`,
  invalidPayload: (service: string, method: string) => `vRPC: the request payload for ${service}/${method} could not be decoded`,
  deadlineExceeded: (ms: number) => `vRPC: deadline exceeded after ${ms} ms`,
  clientClosed: 'vRPC: the client was closed before the reply arrived',
  notConnected: 'vRPC: the client is not connected',
  publishFailed: (reason: string) => `vRPC: the request could not be published: ${reason}`,
  /** What a caller sees of an unexpected handler error: nothing of its internals. */
  internal: 'Internal server error',
  undecodableReply: (reason: string) => `vRPC: reply could not be decoded: ${reason}`,
  setAside: (reason: string) => `vRPC: the request was set aside on the dead-letter topic (${reason})`,
  cannotCountDeliveries: (bus: string) =>
    `vRPC: maxDeliveries is set, but the bus (${bus}) cannot count deliveries: a request that crashes its server every time is not set aside`,
  taskStillRunning: (key: string) => `vRPC: task ${key} still running at the deadline`,
  incompleteRequest: 'vRPC: the request envelope lacks request_id, service_name or method_name',
  incompleteReply: 'vRPC: the reply envelope lacks request_id',
  missingPackage: (feature: string, packages: string[]) =>
    `vRPC: ${feature} needs ${packages.map((name) => `"${name}"`).join(' and ')}, which cannot be loaded; ` +
    `install it in your app: npm install ${packages.join(' ')}`,
  replyTooLarge: (bytes: number, limit: number) => `vRPC: the reply is ${bytes} bytes, over the bus's limit of ${limit} bytes`,
  replyRefusedAsTooLarge: (reason: string) => `vRPC: the reply was refused by the broker as too large: ${reason}`,
  requestTooLarge: (bytes: number, limit: number) => `vRPC: the request is ${bytes} bytes, over the bus's limit of ${limit} bytes`,
} as const;

/** Bodies of `VrpcConfigError`s, which say `vRPC: <option>: <body>`. */
export const ConfigMessages = {
  noProtos: 'no proto definitions were given',
  noTargets: 'no targets configured (targets: { "package.Service": "host:port" })',
  unknownBus: (name: string, known: readonly string[]) => `unknown bus "${name}"; use ${known.join(', ')}, or pass a VrpcBus instance`,
  unknownService: (name: string, known: string[]) => `service "${name}" is not in the loaded protos (known: ${known.join(', ') || 'none'})`,
  invalidTopic: (topic: string) => `"${topic}" is not a legal topic name (letters, digits, ".", "_", "-"; at most 249 characters)`,
  emptyTarget: (service: string) => `the gRPC target of ${service} is empty; give host:port or any grpc-js target`,
  invalidTaskStore: (store: string) => `${store} is not a task store; use 'memory', 'redis' or a TaskStore`,
} as const;

/** Messages of the gateway. */
export const GatewayMessages = {
  noTarget: (service: string) => `vRPC: gateway: no gRPC target is configured for ${service}`,
  forwardFailed: (reason: string) => `vRPC: gateway: the call could not be forwarded: ${reason}`,
  cannotStart: (state: string) => `vRPC: gateway: start() called while ${state}; a gateway starts once`,
} as const;

/** Messages of the client interceptor: the first two as grpc-js words them. */
export const InterceptorMessages = {
  serializeFailed: (reason: string) => `Request message serialization failure: ${reason}`,
  parseFailed: (reason: string) => `Response message parsing error: ${reason}`,
  noRequest: 'vRPC: a unary call was half-closed without a request message',
} as const;
