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
  noProtos: 'vRPC: no proto definitions were given (options.protos)',
  invalidTopic: (topic: string) =>
    `vRPC: "${topic}" is not a legal topic name (letters, digits, ".", "_", "-"; at most 249 characters)`,
} as const;
