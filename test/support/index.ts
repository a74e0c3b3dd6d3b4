/**
 * The test support that library specs share with the e2e tests, imported as
 * `@vrpc/test-support` (an alias in vitest.config.ts and a `paths` entry in tsconfig.json), so
 * that no spec under libs/ climbs into test/ by relative path.
 */
export { type CalcResult, type CalcSummary, unary } from '../fixtures/calculator.client.js';
export { CALCULATOR_PROTO_PATH, CalculatorServer, loadCalculatorPackage } from '../fixtures/calculator.server.js';
export { EchoController } from '../fixtures/echo.controller.js';
export { ECHO_PROTO, type EchoReply, type EchoRequest, type EchoServiceClient } from '../fixtures/echo.service.js';
export { JOBS_PROTO, type JobReply, type JobRequest, type JobServiceClient } from '../fixtures/jobs.service.js';
export { describeBusConformance, type BusPlugin } from '@vrpc/nestjs/testing';
export { CountingBus } from '../conformance/examples/counting.bus.js';
export { describeVrpcOnBus, type VrpcBusChoice } from '../conformance/vrpc-on-bus.js';
export { waitFor } from './wait-for.js';
