import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, type INestMicroservice } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { firstValueFrom, from, type Observable, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutgoingMessage } from '../bus/bus.interface.js';
import { MemoryBus } from '../bus/memory/memory.bus.js';
import { VrpcClient } from '../client/vrpc-client.js';
import { VrpcConfigError } from '../errors/vrpc-config.error.js';
import { VrpcGateway } from '../gateway/vrpc-gateway.js';
import { VrpcModule } from '../module/vrpc.module.js';
import { decodeRequest, decodeResponse } from '../protocol/envelope.js';
import type { VrpcHeaderSet } from '../protocol/wire-headers.js';
import { VrpcServer } from './vrpc-server.js';

const PROTO = `syntax = "proto3";
package spec.headers;
message Msg { string text = 1; }
service Labelled {
  rpc Say (Msg) returns (Msg);
  rpc Count (Msg) returns (stream Msg);
}
`;
const SERVICE = 'spec.headers.Labelled';

interface Msg {
  text?: string;
}
interface Labelled {
  say(request: Msg): Observable<Msg>;
  count(request: Msg): Observable<Msg>;
}

@Controller()
class LabelledController {
  @GrpcMethod('Labelled', 'Say')
  say({ text = '' }: Msg): Msg {
    return { text: `said ${text}` };
  }

  @GrpcMethod('Labelled', 'Count')
  count(): Observable<Msg> {
    return from([{ text: 'one' }, { text: 'two' }]);
  }
}

/** vRPC's own headers on a message, by name (the memory bus adds none of its own). */
const vrpcHeaders = (message: OutgoingMessage) => Object.keys(message.headers ?? {}).filter((name) => name.startsWith('vrpc-'));

/** One app serving Labelled on a memory bus whose published messages are recorded, and a client of it. */
async function serve(headers: VrpcHeaderSet | undefined, tag: string) {
  const bus = new MemoryBus();
  const published: OutgoingMessage[] = [];
  const publish = bus.publish.bind(bus);
  bus.publish = (messages) => {
    published.push(...messages);
    return publish(messages);
  };
  const dir = mkdtempSync(join(tmpdir(), 'vrpc-headers-'));
  writeFileSync(join(dir, 'labelled.proto'), PROTO);
  const protos = { protoPath: join(dir, 'labelled.proto'), package: 'spec.headers' };
  const topics = { requestPrefix: `${tag}.req.`, replies: `${tag}.replies`, deadLetter: `${tag}.dead`, streams: `${tag}.streams` };
  const moduleRef = await Test.createTestingModule({
    imports: [VrpcModule.forRoot({ protos, bus, topics, server: { headers } })],
    controllers: [LabelledController],
  }).compile();
  const app: INestMicroservice = moduleRef.createNestMicroservice({ strategy: moduleRef.get(VrpcServer), logger: false });
  await app.listen();
  const client = new VrpcClient({ protos, topics, client: { timeoutMs: 5_000, headers } }, bus);
  const close = async () => {
    await client.close();
    await app.close();
    await bus.close();
  };
  return { published, labelled: client.getService<Labelled>('Labelled'), topics, close };
}

describe.each([
  { set: undefined, name: 'default (minimal)' },
  { set: 'readable', name: 'readable' },
] as const)('the $name header set, on a unary and a streaming call', ({ set }) => {
  let app: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    app = await serve(set, `hs-${set ?? 'default'}`);
  });

  afterAll(() => app.close());

  it('labels each request with its id (and readable: service and method), each reply by key (readable: also id and status)', async () => {
    await expect(firstValueFrom(app.labelled.say({ text: 'hi' }))).resolves.toEqual({ text: 'said hi' });
    await expect(firstValueFrom(app.labelled.count({}).pipe(toArray()))).resolves.toEqual([{ text: 'one' }, { text: 'two' }]);
    const requests = app.published.filter((message) => message.topic === `${app.topics.requestPrefix}${SERVICE}`);
    const replies = app.published.filter((message) => message.topic === app.topics.replies);
    expect(requests.map((message) => decodeRequest(message.value).methodName)).toEqual(['Say', 'Count']);
    // The acceptance of the stream, its two messages and its end, besides the unary reply.
    expect(replies.length).toBeGreaterThanOrEqual(4);
    for (const request of requests) {
      const envelope = decodeRequest(request.value);
      expect(request.headers?.['vrpc-id']).toBe(envelope.requestId);
      if (set === 'readable') {
        expect(request.headers).toMatchObject({ 'vrpc-service': SERVICE, 'vrpc-method': envelope.methodName });
      } else {
        expect(vrpcHeaders(request)).toEqual(['vrpc-id']);
      }
    }
    for (const reply of replies) {
      const envelope = decodeResponse(reply.value);
      if (set === 'readable') {
        expect(reply.headers).toEqual({ 'vrpc-id': envelope.requestId, 'vrpc-status': String(envelope.statusCode) });
      } else {
        expect(reply.key).toBe(envelope.requestId);
        expect(reply.headers).toBeUndefined();
      }
    }
  });
});

describe('a header set that is neither minimal nor readable', () => {
  const wrong = 'verbose' as VrpcHeaderSet;

  function configError(run: () => unknown): VrpcConfigError | undefined {
    try {
      run();
    } catch (error: unknown) {
      if (error instanceof VrpcConfigError) return error;
      throw error;
    }
    return undefined;
  }

  it('is refused where it is configured, naming the option, before anything connects', () => {
    const bus = new MemoryBus();
    const client = configError(() => new VrpcClient({ client: { headers: wrong } }, bus));
    expect(client?.option).toBe('client.headers');
    expect(client?.message).toBe(`vRPC: client.headers: unknown header set "verbose"; use 'minimal' or 'readable'`);
    expect(configError(() => new VrpcServer({ server: { headers: wrong } }, bus))?.option).toBe('server.headers');
    expect(configError(() => new VrpcGateway({ targets: { [SERVICE]: '127.0.0.1:1' }, headers: wrong }, bus))?.option).toBe('headers');
  });
});
