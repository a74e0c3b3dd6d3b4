/** User-facing messages of the gateway. */
export const GatewayMessages = {
  noTargets: 'vRPC gateway: no targets configured (targets: { "package.Service": "host:port" })',
  invalidTarget: (service: string) => `vRPC gateway: the target of ${service} is empty`,
  noTarget: (service: string) => `vRPC gateway: no gRPC target is configured for ${service}`,
  forwardFailed: (reason: string) => `vRPC gateway: the call could not be forwarded: ${reason}`,
  cannotStart: (state: string) => `vRPC gateway: start() called while ${state}; a gateway starts once`,
} as const;
