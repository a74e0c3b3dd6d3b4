import { status } from '@grpc/grpc-js';
import type { Logger } from '@nestjs/common';
import { StreamMessages } from '../errors/vrpc.messages.js';
import type { BusInbox, IncomingMessage, VrpcBus } from '../bus/bus.interface.js';
import { EnvelopeSigner } from '../protocol/envelope-signature.js';
import { decodeRequest, type RequestEnvelope } from '../protocol/envelope.js';
import type { VrpcSecurityOptions } from '../protocol/security-options.interface.js';
import { logText } from '../utils/log-text.js';
import { RatedLog } from '../utils/rated-log.js';
import type { StreamSessions } from './stream-sessions.js';
import type { LagSample } from '../telemetry/metric-instruments.js';
import { ATTR } from '../telemetry/semconv.js';
import type { VrpcTelemetry } from '../telemetry/vrpc-telemetry.js';
import { callLabel } from './call-log.js';

/** Why a frame that reached the inbox was dropped. */
export type DroppedFrame = 'unreadable' | 'no-frame' | 'unknown-call' | 'wrong-method' | 'unauthenticated';

/**
 * A server instance's stream inbox (one partition of `topics.streams`): the later frames of
 * the calls it accepted. Every frame is checked before it reaches its session: readable, for a
 * call running here, with that call's service and method, and (with `security`) signed with a
 * key of that service. Anything else is dropped, counted and logged (rated); nothing throws.
 */
export class StreamInbox {
  private inbox: BusInbox | undefined;
  private readonly signer: EnvelopeSigner | undefined;
  private readonly warnings: RatedLog;
  private readonly notes: RatedLog;
  private readonly counts = new Map<DroppedFrame, number>();

  constructor(
    private readonly bus: VrpcBus,
    private readonly sessions: StreamSessions,
    logger: Logger,
    security?: VrpcSecurityOptions,
    private readonly telemetry?: VrpcTelemetry,
  ) {
    this.signer = security ? new EnvelopeSigner(security) : undefined;
    this.warnings = new RatedLog((line) => logger.warn(line));
    this.notes = new RatedLog((line) => logger.debug(line));
  }

  /** Frames dropped so far, by reason. */
  get dropped(): ReadonlyMap<DroppedFrame, number> {
    return this.counts;
  }

  /** Opens the inbox of `instanceId` on `topic` (created beforehand) and tells the sessions its address. */
  async open(instanceId: string, topic: string): Promise<void> {
    this.inbox = await this.bus.openInbox(instanceId, topic, (message) => {
      this.handle(message);
      return Promise.resolve();
    });
    this.sessions.setInbox(this.inbox.address);
  }

  /** The inbox's lag as samples of role `streams` (group: the instance id), when the bus can tell it. */
  lagSource(instanceId: string): (() => Promise<LagSample[]>) | undefined {
    return async () => {
      const inbox = this.inbox;
      if (!inbox?.lag) return [];
      return (await inbox.lag()).map((partition): LagSample => ({ ...partition, group: instanceId, role: 'streams' }));
    };
  }

  async close(): Promise<void> {
    const inbox = this.inbox;
    this.inbox = undefined;
    this.warnings.close();
    this.notes.close();
    await inbox?.close();
  }

  /** Hands one frame to its session, or drops it; never throws. */
  handle(message: IncomingMessage): void {
    let envelope: RequestEnvelope;
    try {
      if (message.unreadable) throw new Error(message.unreadable);
      envelope = decodeRequest(message.value);
    } catch (error: unknown) {
      this.drop('unreadable', this.warnings, `dropped an unreadable frame from ${this.source(message)}: ${logText(String(error), 200)}`);
      return;
    }
    const frame = envelope.stream;
    if (!frame) {
      this.drop('no-frame', this.warnings, `dropped ${logText(envelope.requestId)} from ${this.source(message)}: no stream frame`);
      return;
    }
    const session = this.sessions.get(envelope.requestId);
    if (!session) {
      this.drop(
        'unknown-call',
        this.notes,
        `dropped a frame of ${logText(envelope.requestId)}: no such stream here (ended, or never opened)`,
      );
      return;
    }
    const { serviceName, methodName } = session.opening;
    if (envelope.serviceName !== serviceName || envelope.methodName !== methodName) {
      this.drop('wrong-method', this.warnings, `dropped a frame of ${logText(envelope.requestId)} naming another method than its call's`);
      return;
    }
    if (this.signer) {
      const verdict = this.signer.verifyRequest(envelope);
      if (!verdict.ok) {
        this.drop('unauthenticated', this.warnings, `dropped a frame of ${logText(envelope.requestId)}: ${verdict.reason}`);
        return;
      }
    }
    try {
      session.deliver(frame, envelope);
    } catch (error: unknown) {
      // What the executor does with a message is its own; a throw ends that call, never the inbox.
      this.warnings.note('handler', `stream ${callLabel(envelope)} failed on a frame: ${logText(String(error), 300)}`);
      session.fail({ code: status.INTERNAL, reason: StreamMessages.handlerFailed });
    }
  }

  private drop(reason: DroppedFrame, log: RatedLog, line: string): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
    const telemetry = this.telemetry;
    telemetry?.metrics.droppedFrames.add(1, { [ATTR.messagingSystem]: telemetry.system, [ATTR.reason]: reason });
    log.note(reason, line);
  }

  private source(message: IncomingMessage): string {
    return `${logText(message.topic)}[${message.partition}]@${message.offset}`;
  }
}
