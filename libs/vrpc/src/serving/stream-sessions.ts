import { status } from '@grpc/grpc-js';
import type { Logger } from '@nestjs/common';
import type { InboxAddress, IncomingMessage, VrpcBus } from '../bus/bus.interface.js';
import { StreamMessages } from '../errors/vrpc.messages.js';
import type { RequestEnvelope, ResponseEnvelope } from '../protocol/envelope.js';
import { logText } from '../utils/log-text.js';
import { raceDeadline } from '../utils/race-deadline.js';
import { RatedLog } from '../utils/rated-log.js';
import { errorReply } from './reply.factory.js';
import type { CallerIdentity } from './request-executor.interface.js';
import type { ServerStreamSettings } from './stream-config.js';
import type { StreamExecutor } from './stream-executor.interface.js';
import { StreamSession } from './stream-session.js';
import { statusFromError } from './status-from-error.js';
import { type CallObservation, NO_OBSERVATION } from '../telemetry/call-observation.js';
import type { VrpcTelemetry } from '../telemetry/vrpc-telemetry.js';
import type { VrpcHeaderSet } from '../protocol/wire-headers.js';
import { callLabel } from './call-log.js';

/** What the live sessions of a server need. */
export interface StreamSessionsDeps {
  bus: VrpcBus;
  settings: ServerStreamSettings;
  execute: StreamExecutor;
  logger: Logger;
  sign?: (envelope: RequestEnvelope, reply: ResponseEnvelope) => ResponseEnvelope;
  /** Spans and metrics of the streams (their SERVER spans are made by the dispatcher). */
  telemetry?: VrpcTelemetry;
  /** The headers beside each frame's envelope (default `minimal`). */
  headers?: VrpcHeaderSet;
}

/** The streaming calls a server runs now, by call id, at most `maxStreams` of them. */
export class StreamSessions {
  private readonly live = new Map<string, StreamSession>();
  private readonly errors: RatedLog;
  private inbox: InboxAddress | undefined;
  private closing = false;

  constructor(private readonly deps: StreamSessionsDeps) {
    this.errors = new RatedLog((line) => deps.logger.error(line));
  }

  /** Streams running now. */
  get size(): number {
    return this.live.size;
  }

  /** Where callers send their later frames: the server instance's stream inbox, once it is open. */
  setInbox(address: InboxAddress): void {
    this.inbox = address;
  }

  /** The live session of call `id`. */
  get(id: string): StreamSession | undefined {
    return this.live.get(id);
  }

  /**
   * Accepts a streaming opening and starts its handler; resolves once the acceptance is
   * published (the opening may then be acknowledged), or with the reply that refuses the call.
   * The stream's `observation` ends with its status (a refusal's: by the dispatcher).
   */
  async open(
    envelope: RequestEnvelope,
    message: IncomingMessage,
    caller: CallerIdentity,
    observation: CallObservation = NO_OBSERVATION,
  ): Promise<ResponseEnvelope | undefined> {
    const inbox = this.inbox;
    if (this.closing || !inbox) return errorReply(envelope, { code: status.UNAVAILABLE, message: StreamMessages.serverClosing });
    if (this.live.has(envelope.requestId)) {
      observation.end(status.ALREADY_EXISTS, 'a copy of a running stream');
      return undefined;
    }
    const { maxStreams } = this.deps.settings;
    if (this.live.size >= maxStreams)
      return errorReply(envelope, { code: status.RESOURCE_EXHAUSTED, message: StreamMessages.tooManyStreams(maxStreams) });
    const handler = this.deps.execute(envelope, message, caller);
    if (typeof handler !== 'function') return handler;
    const session = new StreamSession(envelope, message, caller, {
      bus: this.deps.bus,
      settings: this.deps.settings,
      inbox,
      sign: this.deps.sign,
      headers: this.deps.headers,
      // Without telemetry the frames go straight through, not through a no-op `run`.
      observation: observation === NO_OBSERVATION ? undefined : observation,
      done: (done) => {
        if (this.live.get(done.id) === done) this.live.delete(done.id);
      },
      publishFailed: (failed, error) =>
        this.errors.note(
          'publish',
          `a frame of stream ${callLabel(failed.opening, observation.traceId)} was not published; the stream ended: ${logText(String(error), 300)}`,
        ),
    });
    this.live.set(envelope.requestId, session);
    try {
      await session.accept();
    } catch (error: unknown) {
      this.live.delete(envelope.requestId);
      observation.end(status.UNAVAILABLE, 'the acceptance was not published');
      this.errors.note(
        'accept',
        `the acceptance of stream ${callLabel(envelope, observation.traceId)} was not published: ${logText(String(error), 300)}`,
      );
      return undefined;
    }
    try {
      handler(session);
    } catch (error: unknown) {
      session.end(statusFromError(error));
    }
    return undefined;
  }

  /** Ends every stream UNAVAILABLE (the server is closing), waiting for their last frames at most until `deadline`. */
  async close(deadline: number): Promise<void> {
    this.closing = true;
    const sessions = [...this.live.values()];
    this.live.clear();
    await raceDeadline(Promise.all(sessions.map((session) => session.shutdown())), deadline, 'closing streams').catch((error: unknown) =>
      this.errors.note('close', `streams not all ended in time: ${String(error)}`),
    );
    this.errors.close();
  }
}
