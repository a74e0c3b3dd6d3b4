/** User-facing messages of the client interceptor. */
export const InterceptorMessages = {
  serializeFailed: (reason: string) => `Request message serialization failure: ${reason}`,
  parseFailed: (reason: string) => `Response message parsing error: ${reason}`,
  noRequest: 'vRPC: a unary call was half-closed without a request message',
} as const;
