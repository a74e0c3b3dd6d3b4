// `@vrpc/nestjs/terminus`: a health indicator for @nestjs/terminus (11 or 12, an optional peer
// needed only by this entry).
export { VrpcHealthIndicator } from './module/vrpc-health.indicator.js';
export type { HealthIndicatorSessions, VrpcHealthIndicatorResult } from './module/vrpc-health.indicator.js';
export { VrpcHealthModule } from './module/vrpc-health.module.js';
export type { SubscriptionHealth, VrpcHealthOptions, VrpcHealthReport } from './serving/serving-health.js';
