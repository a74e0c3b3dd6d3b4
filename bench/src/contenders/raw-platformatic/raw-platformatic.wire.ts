import type { Message, MessageToProduce } from '@platformatic/kafka';
import { echo, type EchoReply, type EchoRequest } from '../../shared/echo.js';
import { loadEchoCodec } from '../../shared/echo-codec.js';

type Consumed = Message<Buffer, Buffer, Buffer, Buffer>;
type Produced = MessageToProduce<Buffer, Buffer, Buffer, Buffer>;

const codec = loadEchoCodec();
const bytes = (message: Consumed) => message.value ?? Buffer.alloc(0);

/**
 * The kafkajs floor's minimal wire on `@platformatic/kafka`: the correlation id as the key,
 * the RPC's own proto bytes as the value, nothing else.
 */
export function minimalPlatformaticWire(requestTopic: string, replyTopic: string) {
  let sequence = 0;
  return {
    /** The request message of one call, and the id its reply will carry. */
    request(request: EchoRequest): { id: string; message: Produced } {
      const id = (sequence++).toString(36);
      return { id, message: { topic: requestTopic, key: Buffer.from(id), value: codec.requestSerialize(request) } };
    },
    /** The server's answer to a request message, on the reply topic's one partition. */
    reply(message: Consumed): Produced {
      const value = codec.responseSerialize(echo(codec.requestDeserialize(bytes(message))));
      return { topic: replyTopic, partition: 0, key: message.key, value };
    },
    /** The id and reply a reply message carries. */
    readReply(message: Consumed): { id: string; reply: EchoReply } {
      return { id: message.key?.toString() ?? '', reply: codec.responseDeserialize(bytes(message)) };
    },
  };
}

/** What the floor's server and client put on the wire. */
export type RawPlatformaticWire = ReturnType<typeof minimalPlatformaticWire>;
