// RouteGuide in a process of its own, served over vRPC and over Transport.GRPC at once (one
// hybrid app, one controller), for the streaming e2e tests. Env: VRPC_TEST_OPTIONS (JSON of
// VrpcModuleOptions minus protos), VRPC_TEST_GRPC_URL (host:port of the gRPC listener).
// The Probe RPC (on either transport) reports what the Ticks handler produced and when its
// stream was torn down; every teardown is also printed as `TEARDOWN <tag> <ms since epoch>`.
import 'reflect-metadata';
import { Transport } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { VrpcModule, VrpcServer, type VrpcModuleOptions } from '@vrpc/nestjs';
import { RouteGuideController } from '../fixtures/route-guide.controller.js';
import { ROUTE_GUIDE_PROTO } from '../fixtures/route-guide.service.js';

const options = JSON.parse(process.env.VRPC_TEST_OPTIONS ?? '{}') as Omit<VrpcModuleOptions, 'protos'>;
const url = process.env.VRPC_TEST_GRPC_URL ?? '127.0.0.1:0';

// One module, two microservices on it (as test/vrpc-hybrid.e2e-spec.ts): one controller instance.
const moduleRef = await Test.createTestingModule({
  imports: [VrpcModule.forRoot({ ...options, protos: ROUTE_GUIDE_PROTO })],
  controllers: [RouteGuideController],
}).compile();
moduleRef.get(RouteGuideController).ticks.onTeardown = (tag, record) => process.stdout.write(`TEARDOWN ${tag} ${record.tornDownAt}\n`);
const vrpc = moduleRef.createNestMicroservice({ strategy: moduleRef.get(VrpcServer), logger: ['error', 'warn'] });
const grpc = moduleRef.createNestMicroservice({
  transport: Transport.GRPC,
  options: { package: ROUTE_GUIDE_PROTO.package, protoPath: ROUTE_GUIDE_PROTO.protoPath, loader: ROUTE_GUIDE_PROTO.loader, url },
  logger: ['error', 'warn'],
});
vrpc.enableShutdownHooks();
await Promise.all([vrpc.listen(), grpc.listen()]);
process.stdout.write(`READY pid=${process.pid} rss=${process.memoryUsage().rss}\n`);
