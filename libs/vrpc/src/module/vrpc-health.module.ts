import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { VrpcHealthIndicator } from './vrpc-health.indicator.js';

/** Terminus with the vRPC indicator: import it beside `VrpcModule` and inject `VrpcHealthIndicator`. */
@Module({ imports: [TerminusModule], providers: [VrpcHealthIndicator], exports: [VrpcHealthIndicator, TerminusModule] })
export class VrpcHealthModule {}
