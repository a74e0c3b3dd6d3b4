import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { encodeRequest } from '@vrpc/nestjs/protocol';
import { testBrokers } from './kafka.js';

/** The codecs kafkajs names (`CompressionTypes`), as the foreign producer takes them. */
export type ForeignCodec = 'None' | 'GZIP' | 'Snappy' | 'LZ4' | 'ZSTD';

export interface ForeignMessage {
  topic: string;
  partition: number;
  value: Buffer;
  headers?: Record<string, string>;
  compression: ForeignCodec;
  /** Records of this value in its one batch (default 1). */
  copies?: number;
}

const SCRIPT = fileURLToPath(new URL('./foreign-producer.mjs', import.meta.url));

/** Produces `messages`, in order, from a process that is not vRPC (see foreign-producer.mjs). */
export function produceForeign(messages: ForeignMessage[]): Promise<void> {
  const json = JSON.stringify(messages.map((message) => ({ ...message, value: message.value.toString('base64') })));
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [SCRIPT],
      { env: { ...process.env, BROKERS: testBrokers().join(',') } },
      (error, _out, stderr) => (error ? reject(new Error(`foreign producer failed: ${stderr || error.message}`)) : resolve()),
    );
    child.stdin?.end(json);
  });
}

/** An EchoService Echo request for `text`, as a client that is not vRPC would write it, replied to `replyTo`[`replyPartition`]. */
export function echoRequest(text: string, replyTo: string, replyPartition: number): { id: string; value: Buffer } {
  const id = randomUUID();
  const payload = Buffer.concat([Buffer.from([0x0a, Buffer.byteLength(text)]), Buffer.from(text)]);
  const now = Date.now();
  const value = encodeRequest({
    requestId: id,
    serviceName: 'vrpc.echo.EchoService',
    methodName: 'Echo',
    payload,
    metadata: {},
    timestamp: now,
    timeoutMs: 15_000,
    clientId: 'foreign',
    replyTo,
    replyPartition,
    deadline: now + 15_000,
    taskKey: '',
    attempt: 1,
    oneWay: false,
  });
  return { id, value };
}
