// A caller in a process of its own that opens an endless RouteGuide.Ticks stream and prints
// READY once it has received 20 ticks, then keeps reading until it is killed: for the fault
// tests (SIGKILL of a client mid-stream). Env: VRPC_TEST_TAG; VRPC_TEST_PATH `vrpc` (default:
// VrpcClient with VRPC_TEST_OPTIONS, JSON of VrpcModuleOptions minus protos) or `grpc` (a
// plain grpc-js client to VRPC_TEST_GRPC_URL, the direct reference).
import 'reflect-metadata';
import { type ClientReadableStream, credentials } from '@grpc/grpc-js';
import { VrpcClient, type VrpcModuleOptions } from '@vrpc/nestjs';
import { Observable } from 'rxjs';
import { loadRouteGuide, ROUTE_GUIDE_PROTO, type RouteGuideClient } from '../fixtures/route-guide.service.js';
import type { Tick } from '../fixtures/route-guide.ticks.js';

const request = { tag: process.env.VRPC_TEST_TAG ?? 'client', count: 0, intervalMs: 10, mode: 'observable' };

function ticks(): Observable<Tick> {
  if (process.env.VRPC_TEST_PATH === 'grpc') {
    const RouteGuide = loadRouteGuide();
    const client = new RouteGuide(process.env.VRPC_TEST_GRPC_URL ?? '', credentials.createInsecure());
    return new Observable<Tick>((subscriber) => {
      const call = (client as unknown as { ticks(r: object): ClientReadableStream<Tick> }).ticks(request);
      call.on('data', (tick: Tick) => subscriber.next(tick));
      call.on('error', (error: unknown) => subscriber.error(error));
      call.on('end', () => subscriber.complete());
      return () => call.cancel();
    });
  }
  const options = JSON.parse(process.env.VRPC_TEST_OPTIONS ?? '{}') as Omit<VrpcModuleOptions, 'protos'>;
  const client = new VrpcClient({ ...options, protos: ROUTE_GUIDE_PROTO });
  return new Observable<Tick>((subscriber) => {
    client
      .connect()
      .then(() => client.getService<RouteGuideClient>('RouteGuide').ticks(request).subscribe(subscriber))
      .catch((error: unknown) => subscriber.error(error));
  });
}

let received = 0;
ticks().subscribe({
  next: () => {
    received += 1;
    if (received === 20) process.stdout.write('READY\n');
  },
  error: (error: unknown) => {
    process.stderr.write(`stream failed: ${String(error)}\n`);
    process.exit(1);
  },
  complete: () => {
    process.stderr.write('the endless stream completed\n');
    process.exit(1);
  },
});
