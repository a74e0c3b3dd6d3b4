import { status } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import type { InboxAddress, VrpcBus } from '../bus/bus.interface.js';
import { messageBytes } from '../bus/core/message-size.js';
import { VrpcCallError } from '../errors/vrpc-call.error.js';
import { VrpcMessages } from '../errors/vrpc.messages.js';
import type { StreamFrame } from '../protocol/envelope.js';
import type { EnvelopeSigner } from '../protocol/envelope-signature.js';
import type { VrpcHeaderSet } from '../protocol/wire-headers.js';
import { logText } from '../utils/log-text.js';
import { RatedLog } from '../utils/rated-log.js';
import type { RequestParts } from './request-message.js';
import type { RequestPublisher } from './request-publisher.js';
import type { StreamWire } from './stream-call.js';
import { frameEnvelope, frameMessage } from './stream-frames.js';

/** A client's streams on its bus: openings through the request publisher, later frames straight to the server's inbox. */
export class BusStreamWire implements StreamWire {
  private readonly logger = new Logger('VrpcClient');
  private readonly rated = new RatedLog((line) => this.logger.debug(line));

  constructor(
    private readonly bus: Pick<VrpcBus, 'publish' | 'maxMessageBytes'>,
    private readonly publisher: Pick<RequestPublisher, 'publish'>,
    private readonly signer?: EnvelopeSigner,
    private readonly headers?: VrpcHeaderSet,
  ) {}

  publishOpening(parts: RequestParts): Promise<void> {
    return this.publisher.publish(parts, parts.deadline);
  }

  publishFrame(parts: RequestParts, target: InboxAddress, frame: StreamFrame, payload?: Buffer): Promise<void> {
    const message = frameMessage(frameEnvelope(parts, frame, payload), target, this.signer, this.headers);
    const limit = this.bus.maxMessageBytes;
    const bytes = limit === undefined ? 0 : messageBytes(message);
    if (limit !== undefined && bytes > limit) {
      return Promise.reject(new VrpcCallError(status.RESOURCE_EXHAUSTED, VrpcMessages.requestTooLarge(bytes, limit)));
    }
    return this.bus.publish([message]);
  }

  /** Answers the acceptance of a call cancelled before it with a cancel (best effort). */
  cancel(parts: RequestParts, target: InboxAddress): void {
    this.publishFrame(parts, target, { cancel: true }).catch((error: unknown) => this.lost(parts.id, error));
  }

  lost(id: string, error: unknown): void {
    this.rated.note('lost', `a frame of the ended stream ${logText(id)} could not be sent: ${logText(String(error))}`);
  }

  close(): void {
    this.rated.close();
  }
}
