import { randomBytes, randomUUID } from 'node:crypto';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse, VRPC_HEADERS } from '@vrpc/nestjs/protocol';
import type { KafkaMessage, Message } from 'kafkajs';
import { BENCH_PACKAGE, BENCH_SERVICE } from '../../paths.js';
import { echo, type EchoReply, type EchoRequest } from '../../shared/echo.js';
import { loadEchoCodec } from '../../shared/echo-codec.js';

/** What a hand-written request/reply loop puts on the wire. */
export interface RawWire {
  /** The request message of one call, and the id its reply will carry. */
  request(request: EchoRequest): { id: string; message: Message };
  /** The server's answer to a request message (its partition is set by the server). */
  reply(message: KafkaMessage): Message;
  /** The id and reply a reply message carries. */
  readReply(message: KafkaMessage): { id: string; reply: EchoReply };
}

const codec = loadEchoCodec();
const bytes = (message: KafkaMessage) => message.value ?? Buffer.alloc(0);

/** The floor's: the correlation id as the key, the RPC's own proto bytes as the value, nothing else. */
export function minimalWire(): RawWire {
  let sequence = 0;
  return {
    request: (request) => {
      const id = (sequence++).toString(36);
      return { id, message: { key: id, value: codec.requestSerialize(request) } };
    },
    reply: (message) => ({ key: message.key, value: codec.responseSerialize(echo(codec.requestDeserialize(bytes(message)))) }),
    readReply: (message) => ({ id: message.key?.toString() ?? '', reply: codec.responseDeserialize(bytes(message)) }),
  };
}

const SERVICE = `${BENCH_PACKAGE}.${BENCH_SERVICE}`;
const TIMEOUT_MS = 60_000;

/**
 * vRPC's, byte for byte, through the library's public codec: the envelope around the proto
 * bytes, 22-character ids, keyed by the id, and the default (`minimal`) headers. What the
 * minimal floor leaves out and vRPC must carry, without any of vRPC's own code around it.
 */
export function vrpcWire(clientId: string, replyTopic: string): RawWire {
  const instanceId = `${clientId}-${randomUUID()}`;
  // vRPC's ids are 16 random bytes in base64url; 12 random bytes and a counter are as long.
  const idBytes = Buffer.concat([randomBytes(12), Buffer.alloc(4)]);
  let sequence = 0;
  return {
    request: (request) => {
      idBytes.writeUInt32BE(sequence++ >>> 0, 12);
      const id = idBytes.toString('base64url');
      const now = Date.now();
      const value = encodeRequest({
        requestId: id,
        serviceName: SERVICE,
        methodName: 'Echo',
        payload: codec.requestSerialize(request),
        metadata: {},
        timestamp: now,
        timeoutMs: TIMEOUT_MS,
        clientId: instanceId,
        replyTo: replyTopic,
        replyPartition: 0,
        deadline: now + TIMEOUT_MS,
        taskKey: '',
        attempt: 0,
        oneWay: false,
      });
      // The default header set (`minimal`): the id alone.
      return { id, message: { key: id, value, headers: { [VRPC_HEADERS.id]: id } } };
    },
    reply: (message) => {
      const envelope = decodeRequest(bytes(message));
      const payload = codec.responseSerialize(echo(codec.requestDeserialize(Buffer.from(envelope.payload))));
      const value = encodeResponse({
        requestId: envelope.requestId,
        payload,
        statusCode: 0,
        errorMessage: '',
        metadata: {},
        timestamp: Date.now(),
      });
      // The default header set: no headers, keyed by the call id.
      return { key: envelope.requestId, value };
    },
    readReply: (message) => {
      const envelope = decodeResponse(bytes(message));
      return { id: envelope.requestId, reply: codec.responseDeserialize(Buffer.from(envelope.payload)) };
    },
  };
}
