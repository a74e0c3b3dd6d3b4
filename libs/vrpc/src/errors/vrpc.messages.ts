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
  unservedOnTopic: (service: string, topic: string, group: string) =>
    `vRPC: topics.requests maps ${service} to ${topic}, which this process reads (group ${group}) but does not serve ${service} from: ` +
    `its requests that reach this group are answered UNIMPLEMENTED; serve it here too, or give it a topic of its own`,
  wrongTopic: (service: string, topic: string) => `vRPC: ${service} is not served from ${topic}; send its calls to its own request topic`,
  overLimit: (field: string, limit: number, unit: string) => `vRPC: the request's ${field} is over its limit of ${limit} ${unit}`,
  incompleteRequest: 'vRPC: the request envelope lacks request_id, service_name or method_name',
  incompleteReply: 'vRPC: the reply envelope lacks request_id',
  missingPackage: (feature: string, packages: string[]) =>
    `vRPC: ${feature} needs ${packages.map((name) => `"${name}"`).join(' and ')}, which cannot be loaded; ` +
    `install it in your app: npm install ${packages.join(' ')}`,
  replyTooLarge: (bytes: number, limit: number) => `vRPC: the reply is ${bytes} bytes, over the bus's limit of ${limit} bytes`,
  replyRefusedAsTooLarge: (reason: string) => `vRPC: the reply was refused by the broker as too large: ${reason}`,
  requestTooLarge: (bytes: number, limit: number) => `vRPC: the request is ${bytes} bytes, over the bus's limit of ${limit} bytes`,
  /** A request refused by `security`: `reason` says which check failed (no secret is named). */
  unauthenticated: (reason: string) => `vRPC: the request is not authenticated (${reason}); sign it with a key the server lists`,
} as const;

/** Messages of streaming calls (docs/streaming.md). */
export const StreamMessages = {
  bufferFull: (bytes: number) =>
    `vRPC: the stream's sender held more than ${bytes} bytes beyond the receiver's window (maxBufferedBytes); ` +
    `a producer that cannot wait (an Observable) outran its reader: return an AsyncIterable to be pulled as the reader takes messages`,
  pastWindow: (sequence: number, window: number) =>
    `vRPC: the other side sent message ${sequence} past the window it was granted (${window})`,
  silent: (ms: number) => `vRPC: the other side of the stream has been silent for ${ms} ms (it stopped, or the bus is unreachable)`,
  tooManyStreams: (limit: number) => `vRPC: the server runs ${limit} streams already (server.streams.maxStreams)`,
  streamCall: (service: string, method: string) =>
    `vRPC: ${service}/${method} is a @GrpcStreamCall handler, which takes grpc-js' raw call; vRPC does not carry those: use @GrpcStreamMethod`,
  cancelled: 'vRPC: the call was cancelled by its caller',
  serverClosing: 'vRPC: the server is closing',
  noStreamInbox: (reason: string) =>
    `vRPC: this gateway serves no streams: its stream inbox (topics.streams) could not be opened: ${reason}; ` +
    `unary calls are served, streaming calls are refused UNAVAILABLE`,
  deadline: 'vRPC: the stream outlasted its deadline',
  unsupported: (service: string, method: string) => `vRPC: this server does not carry streams for ${service}/${method}`,
  publishFailed: (reason: string) => `vRPC: a frame of the stream could not be published: ${reason}`,
  handlerFailed: 'vRPC: the stream failed on the server while taking a message',
  okWithoutFrame: 'vRPC: the server answered a streaming call with a plain OK reply (no stream frame): a broken server',
  requestStreamFailed: (reason: string) => `vRPC: the call's request stream failed: ${reason}`,
  notStreaming: (service: string, method: string) => `vRPC: ${service}/${method} is a unary RPC; call it as one`,
  requestsNotObservable: (service: string, method: string) =>
    `vRPC: ${service}/${method} takes a stream of requests: pass an Observable of them (as with ClientGrpc)`,
  foreignInbox: (named: string, expected: string) =>
    `vRPC: the stream's acceptance names inbox topic "${named}", not topics.streams ("${expected}"): a broken or forged acceptance, not followed`,
  clientCancelled: 'vRPC: the call was cancelled',
} as const;

/** Bodies of `VrpcConfigError`s, which say `vRPC: <option>: <body>`. */
export const ConfigMessages = {
  noProtos: 'no proto definitions were given',
  noTargets: 'no targets configured (targets: { "package.Service": "host:port" })',
  unknownBus: (name: string, known: readonly string[]) => `unknown bus "${name}"; use ${known.join(', ')}, or pass a VrpcBus instance`,
  unknownService: (name: string, known: string[]) => `service "${name}" is not in the loaded protos (known: ${known.join(', ') || 'none'})`,
  invalidTopic: (topic: string) => `"${topic}" is not a legal topic name (letters, digits, ".", "_", "-"; at most 249 characters)`,
  emptyTarget: (service: string) => `the gRPC target of ${service} is empty; give host:port or any grpc-js target`,
  inboxScopeUnsupported: (bus: string, scope: string) =>
    `the ${bus} bus cannot read replies as '${scope}' (its inboxes are private to each instance); use 'own-partition', or a Kafka bus`,
  unknownHeaderSet: (name: string) => `unknown header set "${name}"; use 'minimal' or 'readable'`,
  unknownCompression: (name: string, known: readonly string[]) => `unknown compression "${name}"; use ${known.join(', ')}`,
  zstdUnwritable: (node: string) =>
    `zstd cannot be written on Node ${node} (its zlib has no zstd before Node 22.15); zstd is still read. Use 'lz4', 'snappy' or 'gzip', or a newer Node`,
  invalidTaskStore: (store: string) => `${store} is not a task store; use 'memory', 'redis' or a TaskStore`,
  noKeys: 'no keys are listed; give { keys: { <keyId>: <secret> }, signWith: <keyId> }',
  unknownSigningKey: (id: string) => `"${id}" is not one of the keys listed beside it`,
  notPositiveInteger: (value: unknown) => `${JSON.stringify(value)} is not a positive integer`,
  shortKey: (id: string, bytes: number) => `key "${id}" is ${bytes} bytes; HMAC keys need at least 16 (32 random bytes recommended)`,
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
  noStreamRequest: 'vRPC: a server-streaming call was half-closed without a request message',
} as const;

/** Why gRPC cannot carry a metadata key, and what becomes of it. */
export const MetadataMessages = {
  illegalKey: 'the key is not lower-case letters, digits, "-", "_" or "."',
  illegalText: 'a value is not printable ASCII (use a -bin key for other bytes)',
  textUnderBinaryKey: 'a -bin key carries text values, not bytes',
  bytesUnderTextKey: 'a key without -bin carries bytes',
  /** The reply to a request with such a key; `key` is escaped. */
  refused: (key: string, reason: string) => `vRPC: metadata key "${key}" cannot be carried by gRPC: ${reason}`,
  /** A reply's metadata that made its call fail; `key` is escaped. */
  badReply: (key: string, reason: string) => `vRPC: the reply carries metadata key "${key}", which gRPC cannot carry: ${reason}`,
  /** A reply that could not be read or delivered, which ended its call. */
  unreadableReply: (reason: string) => `vRPC: the reply could not be read: ${reason}`,
} as const;
